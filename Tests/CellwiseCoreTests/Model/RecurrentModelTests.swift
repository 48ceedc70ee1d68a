import Testing

@testable import CellwiseCore

@Suite struct RecurrentModelTests {
    @Test func kerasInitialisationIsSeededGlorotAndOrthogonal() {
        let a = RecurrentModel(kerasInitializedWithSeed: 11)
        #expect(a == RecurrentModel(kerasInitializedWithSeed: 11))
        #expect(a != RecurrentModel(kerasInitializedWithSeed: 12))
        let limit = Float((6.0 / Double(28 + 32)).squareRoot())
        #expect(a.layers[0].kernel.allSatisfy { abs($0) <= limit })
        #expect(a.layers[0].kernel.map(abs).max()! > 0.9 * limit)
        #expect(a.layers[0].bias.allSatisfy { $0 == 0 } && a.denseBias.allSatisfy { $0 == 0 })
        // W_h^T W_h = I.
        let n = a.units
        for i in 0..<n {
            for j in 0..<n {
                let dot = (0..<n).reduce(0.0) {
                    $0 + Double(a.layers[0].recurrentKernel[$1 * n + i])
                        * Double(a.layers[0].recurrentKernel[$1 * n + j])
                }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-5)
            }
        }
        #expect(a.parameterCount == 28 * 32 + 32 * 32 + 32 + 32 * 10 + 10)
    }
}
