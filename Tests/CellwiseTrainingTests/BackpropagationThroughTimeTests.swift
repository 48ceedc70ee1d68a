import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseTraining

@Suite struct BackpropagationThroughTimeTests {
    /// The loss in Float64, written independently of the library.
    static func referenceLoss(_ m: SimpleRNN, _ split: DataSplit, _ indices: [Int]) -> Double {
        let (u, f, c) = (m.units, m.inputSize, m.classes)
        var total = 0.0
        for sample in indices {
            var h = [Double](repeating: 0, count: u)
            for t in 0..<m.timeSteps {
                h = (0..<u).map { j in
                    var z = Double(m.bias[j])
                    for i in 0..<f {
                        z +=
                            Double(split.features[sample * f * m.timeSteps + t * f + i])
                            * Double(m.inputKernel[i * u + j])
                    }
                    for i in 0..<u { z += h[i] * Double(m.recurrentKernel[i * u + j]) }
                    return tanh(z)
                }
            }
            let logits = (0..<c).map { k in
                (0..<u).reduce(Double(m.denseBias[k])) { $0 + h[$1] * Double(m.denseKernel[$1 * c + k]) }
            }
            let top = logits.max()!
            total += log(logits.reduce(0) { $0 + exp($1 - top) }) + top - logits[Int(split.labels[sample])]
        }
        return total / Double(indices.count)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        var model = SimpleRNN(kerasInitializedWithSeed: 5, units: 6)
        var generator = SeededGenerator(seed: 6)
        model.bias = model.bias.map { _ in Float(generator.nextUniform(-0.3, 0.3)) }
        model.denseBias = model.denseBias.map { _ in Float(generator.nextUniform(-0.3, 0.3)) }
        model.recurrentKernel = model.recurrentKernel.map { $0 * 1.5 }
        let split = try TestData.split(count: 5)
        let indices = [3, 0, 4]
        let tape = BackpropagationThroughTime(shapeOf: model, capacity: 4)
        let (loss, gradient) = tape.lossAndGradient(of: model, on: split, indices: indices)
        #expect(abs(loss - Self.referenceLoss(model, split, indices)) < 1e-5)

        let step: Float = 1e-2
        var checked = 0
        for tensor in 0..<5 {
            let count = [model.inputKernel, model.recurrentKernel, model.bias, model.denseKernel, model.denseBias][
                tensor
            ].count
            for index in stride(from: tensor, to: count, by: max(1, count / 7)) {
                func perturbed(_ delta: Float) -> Double {
                    var m = model
                    switch tensor {
                    case 0: m.inputKernel[index] += delta
                    case 1: m.recurrentKernel[index] += delta
                    case 2: m.bias[index] += delta
                    case 3: m.denseKernel[index] += delta
                    default: m.denseBias[index] += delta
                    }
                    return Self.referenceLoss(m, split, indices)
                }
                // Fourth-order central difference in Float64 on exactly representable steps.
                let numeric =
                    (8 * (perturbed(step) - perturbed(-step)) - (perturbed(2 * step) - perturbed(-2 * step)))
                    / (12 * Double(step))
                let analytic = Double(
                    [
                        gradient.inputKernel, gradient.recurrentKernel, gradient.bias, gradient.denseKernel,
                        gradient.denseBias,
                    ][tensor][index])
                #expect(
                    abs(analytic - numeric) <= 1e-4 + 1e-3 * abs(numeric),
                    "tensor \(tensor) index \(index): \(analytic) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked > 25)
        #expect(gradient.recurrentKernel.contains { abs($0) > 1e-4 })
    }
}
