import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// Golden values computed independently of Cellwise (Fixtures/make_golden.py: a Python
/// xoshiro256** and NumPy's chebval): the seeded stream every result depends on, and the Float32
/// kernels the evaluator runs, must not drift.
@Suite struct GoldenTests {
    struct Golden: Decodable {
        struct Stream: Decodable {
            var seed: UInt64
            var next: [UInt64]
            var unit: [Double]
            var normal: [Double]
            var permutation: [Int]
        }
        struct Kernel: Decodable {
            var lower: Double
            var upper: Double
            var degree: Int
            var values: [Double]
        }
        var streams: [Stream]
        var inputs: [Float]
        var kernels: [Kernel]
    }

    static let golden: Golden? = try? JSONDecoder().decode(
        Golden.self, from: Data(contentsOf: TestData.fixtures.appendingPathComponent("golden.json")))

    @Test func theSeededStreamIsTheReferenceXoshiro() throws {
        let golden = try #require(Self.golden)
        #expect(golden.streams.count == 4)
        for stream in golden.streams {
            var generator = SeededGenerator(seed: stream.seed)
            #expect((0..<stream.next.count).map { _ in generator.next() } == stream.next, "seed \(stream.seed)")
            #expect((0..<stream.unit.count).map { _ in generator.nextUnit() } == stream.unit, "seed \(stream.seed)")
            for expected in stream.normal {
                #expect(abs(generator.nextNormal() - expected) <= 1e-12 * max(1, abs(expected)), "seed \(stream.seed)")
            }
            #expect(generator.permutation(stream.permutation.count) == stream.permutation, "seed \(stream.seed)")
        }
    }

    /// Every kernel scheme (Horner, Clenshaw, odd Clenshaw) on whole vector blocks and the scalar
    /// tail, with and without the addend, against float64 Chebyshev sums of the same fits.
    @Test func theKernelsAgreeWithNumPysChebval() throws {
        let golden = try #require(Self.golden)
        let inputs = golden.inputs
        #expect(inputs.count == 67)
        #expect(golden.kernels.count == 7)
        let half = inputs.map { $0 / 2 }
        let rest = zip(inputs, half).map { $0 - $1 }
        for kernel in golden.kernels {
            let fit = try PolynomialApproximation(degree: kernel.degree, lower: kernel.lower, upper: kernel.upper)
            var direct = [Float](repeating: 0, count: inputs.count)
            var added = [Float](repeating: 0, count: inputs.count)
            fit.apply(inputs, adding: nil, into: &direct, count: inputs.count)
            half.withUnsafeBufferPointer { z in
                rest.withUnsafeBufferPointer { a in
                    fit.apply(z.baseAddress!, adding: a.baseAddress!, into: &added, count: inputs.count)
                }
            }
            var worst = 0.0
            for (index, expected) in kernel.values.enumerated() {
                worst = max(worst, abs(Double(direct[index]) - expected) / max(1, abs(expected)))
                #expect(
                    abs(added[index] - direct[index]) <= 1e-6 * max(1, abs(direct[index])),
                    "addend path, input \(index)")
            }
            // Float32 evaluation: well below the fits' own errors (at least 2.7e-3 for these degrees).
            #expect(
                worst < 1e-5, "degree \(kernel.degree) on [\(kernel.lower), \(kernel.upper)] (\(fit.scheme)): \(worst)")
        }
    }
}
