import CellwiseCore
import Foundation

/// Softmax cross-entropy loss of a ``SimpleRNN`` with exact tanh, and its gradient by
/// back-propagation through time.
///
/// Buffers are laid out time-major (`[t][sample][unit]`) so that each cell's batch is one
/// contiguous matrix and the weight gradients over all cells are single `sgemm` calls.
/// A workspace is reused across batches of at most `capacity` samples.
final class BackpropagationThroughTime {
    /// The largest batch this workspace holds.
    let capacity: Int
    private let inputSize: Int, units: Int, classes: Int, steps: Int
    private let inputs: FloatBuffer  // [t][b][inputSize]
    private let states: FloatBuffer  // [t][b][units]: h_{t+1}
    private let deltas: FloatBuffer  // [t][b][units]: dLoss/dz_{t+1}
    private let logits: FloatBuffer  // [b][classes]
    private let hiddenGradient: FloatBuffer
    private let scratch: FloatBuffer

    /// Creates a workspace for batches of up to `capacity` samples of `model`'s shape.
    init(shapeOf model: SimpleRNN, capacity: Int) {
        self.capacity = capacity
        inputSize = model.inputSize
        units = model.units
        classes = model.classes
        steps = model.timeSteps
        inputs = FloatBuffer(count: steps * capacity * inputSize)
        states = FloatBuffer(count: steps * capacity * units)
        deltas = FloatBuffer(count: steps * capacity * units)
        logits = FloatBuffer(count: capacity * classes)
        hiddenGradient = FloatBuffer(count: capacity * units)
        scratch = FloatBuffer(count: capacity * units)
    }

    /// The mean cross-entropy of `model` on the samples `indices` of `split`, and its gradient
    /// with respect to every weight (returned in a model-shaped value).
    ///
    /// - Precondition: `indices.count <= capacity` and the split matches the model's shape.
    func lossAndGradient(of model: SimpleRNN, on split: DataSplit, indices: some Collection<Int>) -> (
        loss: Double, gradient: SimpleRNN
    ) {
        let b = indices.count
        precondition(b >= 1 && b <= capacity, "batch of \(b) samples for a workspace of \(capacity)")
        let (f, u, c, steps) = (inputSize, units, classes, self.steps)
        let sampleWidth = steps * f

        // Gather the batch time-major.
        split.features.withUnsafeBufferPointer { features in
            for (row, sample) in indices.enumerated() {
                for t in 0..<steps {
                    (inputs.pointer + (t * b + row) * f).update(
                        from: features.baseAddress! + sample * sampleWidth + t * f, count: f)
                }
            }
        }
        let labels = indices.map { Int(split.labels[$0]) }

        // Forward: z_t = x_t W_x + b + h_{t-1} W_h, h_t = tanh(z_t).
        let h = states.pointer
        let x = inputs.pointer
        let dz = deltas.pointer
        LinearAlgebra.sgemm(m: steps * b, n: u, k: f, a: x, lda: f, b: model.inputKernel, ldb: u, beta: 0, c: h, ldc: u)
        for row in 0..<(steps * b) {
            for j in 0..<u { h[row * u + j] += model.bias[j] }
        }
        TanhKernel.apply(h, adding: nil, into: h, count: b * u)
        for t in 1..<max(steps, 1) {
            let current = h + t * b * u
            LinearAlgebra.sgemm(
                m: b, n: u, k: u, a: h + (t - 1) * b * u, lda: u, b: model.recurrentKernel, ldb: u,
                beta: 1, c: current, ldc: u)
            TanhKernel.apply(current, adding: nil, into: current, count: b * u)
        }
        let last = h + (steps - 1) * b * u
        LinearAlgebra.sgemm(
            m: b, n: c, k: u, a: last, lda: u, b: model.denseKernel, ldb: c, beta: 0, c: logits.pointer, ldc: c)

        // Softmax cross-entropy; logits become dLoss/dlogits.
        var loss = 0.0
        let scale = 1 / Float(b)
        for row in 0..<b {
            let l = logits.pointer + row * c
            var top = -Float.infinity
            for k in 0..<c {
                l[k] += model.denseBias[k]
                top = max(top, l[k])
            }
            let shiftedTarget = Double(l[labels[row]] - top)
            var sum: Float = 0
            for k in 0..<c {
                l[k] = (l[k] - top).exp
                sum += l[k]
            }
            loss += Foundation.log(Double(sum)) - shiftedTarget
            for k in 0..<c { l[k] = (l[k] / sum - (k == labels[row] ? 1 : 0)) * scale }
        }
        loss /= Double(b)

        var gradient = SimpleRNN(inputSize: f, units: u, classes: c, timeSteps: steps)
        // Dense layer.
        LinearAlgebra.sgemm(
            transposeA: true, m: u, n: c, k: b, a: last, lda: u, b: logits.pointer, ldb: c,
            beta: 0, c: &gradient.denseKernel, ldc: c)
        for row in 0..<b {
            for k in 0..<c { gradient.denseBias[k] += logits.pointer[row * c + k] }
        }
        let dh = hiddenGradient.pointer
        LinearAlgebra.sgemm(
            transposeB: true, m: b, n: u, k: c, a: logits.pointer, lda: c, b: model.denseKernel, ldb: c,
            beta: 0, c: dh, ldc: u)
        // Back through the cells: dz_t = dh_t (1 - h_t^2), dh_{t-1} = dz_t W_h^T.
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let ht = h + t * b * u
            let dzt = dz + t * b * u
            for i in 0..<(b * u) { dzt[i] = dh[i] * (1 - ht[i] * ht[i]) }
            if t > 0 {
                LinearAlgebra.sgemm(
                    transposeB: true, m: b, n: u, k: u, a: dzt, lda: u, b: model.recurrentKernel, ldb: u,
                    beta: 0, c: dh, ldc: u)
            }
        }
        // Weight gradients over all cells at once.
        LinearAlgebra.sgemm(
            transposeA: true, m: f, n: u, k: steps * b, a: x, lda: f, b: dz, ldb: u,
            beta: 0, c: &gradient.inputKernel, ldc: u)
        if steps > 1 {
            LinearAlgebra.sgemm(
                transposeA: true, m: u, n: u, k: (steps - 1) * b, a: h, lda: u, b: dz + b * u, ldb: u,
                beta: 0, c: &gradient.recurrentKernel, ldc: u)
        }
        for row in 0..<(steps * b) {
            for j in 0..<u { gradient.bias[j] += dz[row * u + j] }
        }
        return (loss, gradient)
    }
}

extension Float {
    var exp: Float { Float(Foundation.exp(Double(self))) }
}
