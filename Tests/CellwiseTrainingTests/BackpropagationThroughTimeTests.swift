import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseTraining

@Suite struct BackpropagationThroughTimeTests {
    static let cases: [[LayerShape]] =
        [
            (RecurrentCell.simpleRNN, [4]), (.gru(resetAfter: true), [4]), (.gru(resetAfter: false), [4]), (.lstm, [4]),
            (.simpleRNN, [4, 3]), (.gru(resetAfter: true), [3, 4]), (.gru(resetAfter: false), [4, 3]), (.lstm, [3, 4]),
            // A cell that is not built in: its gradients derive from its graph like the others'.
            (TestCells.minimalGatedUnit, [4]), (TestCells.minimalGatedUnit, [3, 4]),
        ].map { cell, units in units.map { LayerShape(cell: cell, units: $0) } } + [
            // Mixed stacks, and layers that run backward or both ways (their passes side by side or added).
            [LayerShape(cell: .gru(resetAfter: true), units: 3), LayerShape(cell: .lstm, units: 4)],
            [LayerShape(cell: .gru(resetAfter: false), units: 3, direction: .bidirectional)],
            [
                LayerShape(cell: .lstm, units: 3, direction: .bidirectional, merge: .sum),
                LayerShape(cell: .simpleRNN, units: 2),
            ],
            [
                LayerShape(cell: .simpleRNN, units: 3, direction: .reverse),
                LayerShape(cell: TestCells.minimalGatedUnit, units: 2, direction: .bidirectional),
            ],
        ]

    @Test(arguments: cases.indices)
    func gradientsMatchFiniteDifferences(index: Int) throws {
        let stack = Self.cases[index]
        let (cell, units) = (stack.map { "\($0.cell.name) \($0.direction)" }, stack.map(\.units))
        let model = ReferenceRecurrence.randomModel(stack: stack)
        let (inputs, labels) = ReferenceRecurrence.randomInputs(for: model, count: 5)
        let indices = [3, 0, 4]
        let tape = BackpropagationThroughTime(shapeOf: model, capacity: 4)
        let (loss, gradient) = tape.lossAndGradient(of: model, inputs: inputs, labels: labels, indices: indices)
        let reference = ReferenceRecurrence.loss(model, inputs: inputs, labels: labels, indices: indices)
        #expect(abs(loss - reference) < 1e-5, "\(cell) \(units): loss \(loss) vs \(reference)")

        let step: Float = 1e-2
        var checked = 0
        let parameters = model.parameters
        let analytic = gradient.parameters
        for tensor in parameters.indices where !parameters[tensor].isEmpty {
            let count = parameters[tensor].count
            for element in stride(from: tensor % 3, to: count, by: max(1, count / 6)) {
                func perturbed(_ delta: Float) -> Double {
                    var m = model
                    var p = parameters
                    p[tensor][element] += delta
                    m.parameters = p
                    return ReferenceRecurrence.loss(m, inputs: inputs, labels: labels, indices: indices)
                }
                // Fourth-order central difference in Float64 on exactly representable steps.
                let numeric =
                    (8 * (perturbed(step) - perturbed(-step)) - (perturbed(2 * step) - perturbed(-2 * step)))
                    / (12 * Double(step))
                let value = Double(analytic[tensor][element])
                #expect(
                    abs(value - numeric) <= 2e-4 + 2e-3 * abs(numeric),
                    "\(cell) \(units): tensor \(tensor) element \(element): \(value) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked > 20)
        // Every pass's recurrent kernel gets a gradient.
        for layer in gradient.layers {
            for pass in layer.passes { #expect(pass.recurrentKernel.contains { abs($0) > 1e-4 }) }
        }
    }
}
