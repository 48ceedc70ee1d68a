import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// The evaluator's matrix product gives the same bits with every instruction set's version (what
/// makes evaluation reproducible across CPUs), and agrees with a plain double-precision product.
@Suite struct MatrixProductTests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
    }

    @Test(arguments: [(370, 32, 32, 128), (512, 32, 28, 32), (7, 45, 13, 50), (1, 1, 1, 1), (9, 17, 64, 17)])
    func everyInstructionSetGivesTheSameBits(m: Int, n: Int, k: Int, ldb: Int) throws {
        let a = Self.values(m * k, seed: 1)
        let b = Self.values(k * ldb, seed: 2)
        let start = Self.values(m * n, seed: 3)
        for beta: Float in [0, 1, 0.5] {
            var results = [[Float]]()
            for isa in InstructionSet.allCases {
                var c = start
                let ran = c.withUnsafeMutableBufferPointer { out in
                    MatrixProduct.multiply(
                        on: isa, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: ldb, beta: beta, c: out.baseAddress!,
                        ldc: n)
                }
                if ran { results.append(c) }
            }
            #expect(!results.isEmpty)
            for other in results.dropFirst() {
                #expect(other.map(\.bitPattern) == results[0].map(\.bitPattern), "beta \(beta)")
            }
            var chosen = start
            chosen.withUnsafeMutableBufferPointer { out in
                MatrixProduct.multiply(
                    m: m, n: n, k: k, a: a, lda: k, b: b, ldb: ldb, beta: beta, c: out.baseAddress!, ldc: n)
            }
            #expect(chosen.map(\.bitPattern) == results[0].map(\.bitPattern))
            for i in 0..<m {
                for j in 0..<n {
                    var exact = Double(beta) * Double(start[i * n + j])
                    for p in 0..<k { exact += Double(a[i * k + p]) * Double(b[p * ldb + j]) }
                    #expect(abs(Double(chosen[i * n + j]) - exact) <= 1e-4 * Double(k), "(\(i), \(j))")
                }
            }
        }
    }
}
