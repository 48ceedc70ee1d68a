import CellwiseCore
import Foundation

/// The Adam optimiser with Keras's update rule.
struct Adam {
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    private var step = 0
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]

    init(shapes: [Int], beta1: Double, beta2: Double, epsilon: Double) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = shapes.map { [Float](repeating: 0, count: $0) }
        secondMoments = firstMoments
    }

    /// Applies one step to `parameters` given `gradients` (same shapes).
    mutating func update(_ parameters: inout [[Float]], gradients: [[Float]], learningRate: Double) {
        step += 1
        let t = Double(step)
        let rate = Float(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let (b1, b2, eps) = (Float(beta1), Float(beta2), Float(epsilon))
        for tensor in parameters.indices {
            for i in parameters[tensor].indices {
                let g = gradients[tensor][i]
                firstMoments[tensor][i] = b1 * firstMoments[tensor][i] + (1 - b1) * g
                secondMoments[tensor][i] = b2 * secondMoments[tensor][i] + (1 - b2) * g * g
                parameters[tensor][i] -= rate * firstMoments[tensor][i] / (secondMoments[tensor][i].squareRoot() + eps)
            }
        }
    }
}
