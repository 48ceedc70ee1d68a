import CellwiseCore
import Foundation

/// Softmax cross-entropy loss of a ``RecurrentModel`` with the exact activations, and its
/// gradient by back-propagation through time, for SimpleRNN, GRU (both reset conventions) and
/// LSTM cells and stacked layers.
///
/// Training runs layer by layer (a layer's whole sequence, then the next), with buffers laid
/// out time-major (`[t][sample][unit]`) so that each layer's input products and input-weight
/// gradients over all steps are single `sgemm` calls. A workspace is reused across batches of
/// at most `capacity` samples.
final class BackpropagationThroughTime {
    /// The largest batch this workspace holds.
    let capacity: Int
    private let cell: RecurrentCell
    private let steps: Int
    private let classes: Int
    private let layers: [LayerTape]
    private let logits: FloatBuffer  // [b][classes]
    /// Per-step work space, sized for the widest layer: `h R` (forward), `dLoss/dh` (backward).
    private let scratch: FloatBuffer
    private let cellGradient: FloatBuffer
    private let sGradient: FloatBuffer
    /// The zero initial state.
    private let zeros: FloatBuffer

    /// One layer's forward values, kept for the backward pass.
    private final class LayerTape {
        let inputSize: Int
        let units: Int
        let input: FloatBuffer  // [t][b][inputSize] (layer 0 only; others read the layer below's states)
        let states: FloatBuffer  // [t][b][u]: h_t
        let gates: FloatBuffer  // [t][b][blocks u]: activated gates
        let extra: FloatBuffer  // [t][b][u]: GRU q = h R_h + b_rh (after) or s = r * h (before); LSTM c_t
        let tanhState: FloatBuffer  // [t][b][u]: LSTM tanh(c_t)
        let preGradient: FloatBuffer  // [t][b][blocks u]: dLoss/d(input part of each gate)
        let recurrentGradient: FloatBuffer  // [t][b][blocks u]: dLoss/d(h_{t-1} R) of each block
        let inputGradient: FloatBuffer  // [t][b][inputSize]: dLoss/dx_t

        init(inputSize: Int, units: Int, blocks: Int, steps: Int, capacity: Int, ownsInput: Bool) {
            self.inputSize = inputSize
            self.units = units
            input = FloatBuffer(count: ownsInput ? steps * capacity * inputSize : 0)
            states = FloatBuffer(count: steps * capacity * units)
            gates = FloatBuffer(count: steps * capacity * blocks * units)
            extra = FloatBuffer(count: steps * capacity * units)
            tanhState = FloatBuffer(count: steps * capacity * units)
            preGradient = FloatBuffer(count: steps * capacity * blocks * units)
            recurrentGradient = FloatBuffer(count: steps * capacity * blocks * units)
            inputGradient = FloatBuffer(count: steps * capacity * inputSize)
        }
    }

    /// Creates a workspace for batches of up to `capacity` samples of `model`'s shape.
    init(shapeOf model: RecurrentModel, capacity: Int) {
        self.capacity = capacity
        cell = model.cell
        steps = model.timeSteps
        classes = model.classes
        layers = model.layers.enumerated().map { index, layer in
            LayerTape(
                inputSize: layer.inputSize, units: layer.units, blocks: model.cell.blocks, steps: model.timeSteps,
                capacity: capacity, ownsInput: index == 0)
        }
        logits = FloatBuffer(count: capacity * model.classes)
        let widest = model.layers.map(\.units).max() ?? 1
        scratch = FloatBuffer(count: capacity * model.cell.blocks * widest)
        cellGradient = FloatBuffer(count: capacity * widest)
        sGradient = FloatBuffer(count: capacity * widest)
        zeros = FloatBuffer(count: capacity * widest)
    }

    /// The mean cross-entropy of `model` on the samples `indices` of `inputs` (the model's
    /// transformed inputs, `timeSteps x inputSize` per sample) with labels `labels`, and its
    /// gradient with respect to every weight (returned in a model-shaped value).
    ///
    /// - Precondition: `indices.count <= capacity`.
    func lossAndGradient(
        of model: RecurrentModel, inputs: [Float], labels allLabels: [UInt8], indices: some Collection<Int>
    ) -> (loss: Double, gradient: RecurrentModel) {
        let b = indices.count
        precondition(b >= 1 && b <= capacity, "batch of \(b) samples for a workspace of \(capacity)")
        let f = model.inputSize
        let sampleWidth = steps * f
        let x0 = layers[0].input.pointer
        inputs.withUnsafeBufferPointer { features in
            for (row, sample) in indices.enumerated() {
                for t in 0..<steps {
                    (x0 + (t * b + row) * f).update(
                        from: features.baseAddress! + sample * sampleWidth + t * f, count: f)
                }
            }
        }
        let labels = indices.map { Int(allLabels[$0]) }

        for (index, tape) in layers.enumerated() {
            forward(model.layers[index], tape: tape, input: index == 0 ? x0 : layers[index - 1].states.pointer, b: b)
        }
        let u = model.units
        let c = classes
        let last = layers[layers.count - 1].states.pointer + (steps - 1) * b * u
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

        var gradient = model.zeroed
        LinearAlgebra.sgemm(
            transposeA: true, m: u, n: c, k: b, a: last, lda: u, b: logits.pointer, ldb: c,
            beta: 0, c: &gradient.denseKernel, ldc: c)
        for row in 0..<b {
            for k in 0..<c { gradient.denseBias[k] += logits.pointer[row * c + k] }
        }
        // dLoss/dh_t of the last layer: only the final step feeds the head.
        var upstream = FloatBuffer(count: steps * b * u)
        LinearAlgebra.sgemm(
            transposeB: true, m: b, n: u, k: c, a: logits.pointer, lda: c, b: model.denseKernel, ldb: c,
            beta: 0, c: upstream.pointer + (steps - 1) * b * u, ldc: u)
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let tape = layers[index]
            let input = index == 0 ? x0 : layers[index - 1].states.pointer
            backward(
                model.layers[index], tape: tape, input: input, upstream: upstream.pointer, b: b,
                gradient: &gradient.layers[index])
            if index > 0 {
                upstream = FloatBuffer(count: steps * b * tape.inputSize)
                upstream.pointer.update(from: tape.inputGradient.pointer, count: steps * b * tape.inputSize)
            }
        }
        return (loss, gradient)
    }

    // MARK: - One layer

    private func forward(_ layer: RecurrentLayer, tape: LayerTape, input x: UnsafePointer<Float>, b: Int) {
        let (f, u, g) = (layer.inputSize, layer.units, cell.blocks)
        let w = g * u
        if cell == .simpleRNN {
            // h_t = tanh(x_t W + b + h_{t-1} R), the pre-activations made in place (vectorised tanh).
            let h = tape.states.pointer
            LinearAlgebra.sgemm(m: steps * b, n: u, k: f, a: x, lda: f, b: layer.kernel, ldb: u, beta: 0, c: h, ldc: u)
            for row in 0..<(steps * b) {
                for j in 0..<u { h[row * u + j] += layer.bias[j] }
            }
            TanhKernel.apply(h, adding: nil, into: h, count: b * u)
            for t in 1..<max(steps, 1) {
                let current = h + t * b * u
                LinearAlgebra.sgemm(
                    m: b, n: u, k: u, a: h + (t - 1) * b * u, lda: u, b: layer.recurrentKernel, ldb: u,
                    beta: 1, c: current, ldc: u)
                TanhKernel.apply(current, adding: nil, into: current, count: b * u)
            }
            return
        }
        let pre = tape.gates.pointer  // pre-activations first, activated in place
        LinearAlgebra.sgemm(m: steps * b, n: w, k: f, a: x, lda: f, b: layer.kernel, ldb: w, beta: 0, c: pre, ldc: w)
        for row in 0..<(steps * b) {
            for j in 0..<w { pre[row * w + j] += layer.bias[j] }
        }
        let resetBefore = cell == .gru(resetAfter: false)
        let rec = scratch.pointer
        let zero = zeros.pointer
        for t in 0..<steps {
            let a = pre + t * b * w
            let h = tape.states.pointer + t * b * u
            let extra = tape.extra.pointer + t * b * u
            let previous = t > 0 ? UnsafePointer(tape.states.pointer + (t - 1) * b * u) : UnsafePointer(zero)
            let previousCell = t > 0 ? UnsafePointer(tape.extra.pointer + (t - 1) * b * u) : UnsafePointer(zero)
            // h R for every block (the GRU's candidate block later when the reset comes first).
            LinearAlgebra.sgemm(
                m: b, n: resetBefore ? 2 * u : w, k: u, a: previous, lda: u, b: layer.recurrentKernel, ldb: w,
                beta: 0, c: rec, ldc: w)
            for row in 0..<b {
                let a = a + row * w
                let r = rec + row * w
                let hp = previous + row * u
                let e = extra + row * u
                switch cell {
                case .simpleRNN:
                    break
                case .gru(let resetAfter):
                    for j in 0..<u {
                        a[j] = sigmoid(a[j] + r[j])
                        a[u + j] = sigmoid(a[u + j] + r[u + j])
                        // q = h R_h + b_rh (reset after) or s = r * h (reset before).
                        e[j] = resetAfter ? r[2 * u + j] + layer.recurrentBias[j] : a[u + j] * hp[j]
                    }
                case .lstm:
                    let cp = previousCell + row * u
                    let tc = tape.tanhState.pointer + (t * b + row) * u
                    let hRow = h + row * u
                    for j in 0..<u {
                        a[j] = sigmoid(a[j] + r[j])
                        a[u + j] = sigmoid(a[u + j] + r[u + j])
                        a[2 * u + j] = Foundation.tanh(a[2 * u + j] + r[2 * u + j])
                        a[3 * u + j] = sigmoid(a[3 * u + j] + r[3 * u + j])
                        e[j] = a[u + j] * cp[j] + a[j] * a[2 * u + j]
                        tc[j] = Foundation.tanh(e[j])
                        hRow[j] = a[3 * u + j] * tc[j]
                    }
                }
            }
            guard case .gru = cell else { continue }
            if !resetBefore {
                // r * q, in the candidate block of rec.
                for row in 0..<b {
                    for j in 0..<u { rec[row * w + 2 * u + j] = a[row * w + u + j] * extra[row * u + j] }
                }
            } else {
                // (r * h) R_h for all rows at once.
                layer.recurrentKernel.withUnsafeBufferPointer { r in
                    LinearAlgebra.sgemm(
                        m: b, n: u, k: u, a: extra, lda: u, b: r.baseAddress! + 2 * u, ldb: w, beta: 0,
                        c: rec + 2 * u, ldc: w)
                }
            }
            for row in 0..<b {
                let a = a + row * w
                let hp = previous + row * u
                let hRow = h + row * u
                for j in 0..<u {
                    a[2 * u + j] = Foundation.tanh(a[2 * u + j] + rec[row * w + 2 * u + j])
                    hRow[j] = a[2 * u + j] + a[j] * (hp[j] - a[2 * u + j])
                }
            }
        }
    }

    private func backward(
        _ layer: RecurrentLayer, tape: LayerTape, input x: UnsafePointer<Float>, upstream: UnsafePointer<Float>,
        b: Int, gradient: inout RecurrentLayer
    ) {
        let (f, u, g) = (layer.inputSize, layer.units, cell.blocks)
        let w = g * u
        let dA = tape.preGradient.pointer  // [t][b][w]: dLoss/d(pre-activation of each block)
        let drec = tape.recurrentGradient.pointer  // [t][b][w]: dLoss/d(h_{t-1} R) of each block
        let dh = scratch.pointer  // dLoss/dh_t, then the part of dLoss/dh_{t-1} not through R
        let dc = cellGradient.pointer
        let ds = sGradient.pointer
        dh.initialize(repeating: 0, count: b * u)
        dc.initialize(repeating: 0, count: b * u)
        let zero = zeros.pointer
        let resetBefore = cell == .gru(resetAfter: false)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let previous = t > 0 ? UnsafePointer(tape.states.pointer + (t - 1) * b * u) : UnsafePointer(zero)
            let previousCell = t > 0 ? UnsafePointer(tape.extra.pointer + (t - 1) * b * u) : UnsafePointer(zero)
            let up = upstream + t * b * u
            for i in 0..<(b * u) { dh[i] += up[i] }
            let d = dA + t * b * w
            let dr = drec + t * b * w
            switch cell {
            case .simpleRNN:
                let h = tape.states.pointer + t * b * u
                for i in 0..<(b * u) {
                    d[i] = dh[i] * (1 - h[i] * h[i])
                    dr[i] = d[i]
                }
                if t > 0 {
                    LinearAlgebra.sgemm(
                        transposeB: true, m: b, n: u, k: u, a: d, lda: u, b: layer.recurrentKernel, ldb: u, beta: 0,
                        c: dh, ldc: u)
                }
                continue
            case .gru(let resetAfter):
                for row in 0..<b {
                    let a = tape.gates.pointer + (t * b + row) * w
                    let d = d + row * w
                    let dr = dr + row * w
                    let dhRow = dh + row * u
                    let hp = previous + row * u
                    let e = tape.extra.pointer + (t * b + row) * u
                    for j in 0..<u {
                        let (z, r, hh) = (a[j], a[u + j], a[2 * u + j])
                        let dPreH = dhRow[j] * (1 - z) * (1 - hh * hh)
                        d[j] = dhRow[j] * (hp[j] - hh) * z * (1 - z)
                        d[2 * u + j] = dPreH
                        dr[j] = d[j]
                        dhRow[j] *= z  // the path h_{t-1} -> z * h_{t-1}
                        if resetAfter {
                            d[u + j] = dPreH * e[j] * r * (1 - r)
                            dr[u + j] = d[u + j]
                            dr[2 * u + j] = dPreH * r
                        }
                    }
                }
                if resetBefore {
                    // s = r * h_{t-1} feeds s R_h: ds = dPreH R_h^T, for all rows at once.
                    layer.recurrentKernel.withUnsafeBufferPointer { r in
                        LinearAlgebra.sgemm(
                            transposeB: true, m: b, n: u, k: u, a: d + 2 * u, lda: w, b: r.baseAddress! + 2 * u,
                            ldb: w, beta: 0, c: ds, ldc: u)
                    }
                    for row in 0..<b {
                        let a = tape.gates.pointer + (t * b + row) * w
                        let hp = previous + row * u
                        for j in 0..<u {
                            let r = a[u + j]
                            let dsj = ds[row * u + j]
                            d[row * w + u + j] = dsj * hp[j] * r * (1 - r)
                            dr[row * w + u + j] = d[row * w + u + j]
                            dr[row * w + 2 * u + j] = 0  // R_h's gradient comes from s (below)
                            dh[row * u + j] += dsj * r
                        }
                    }
                }
            case .lstm:
                for row in 0..<b {
                    let a = tape.gates.pointer + (t * b + row) * w
                    let d = d + row * w
                    let dr = dr + row * w
                    let dhRow = dh + row * u
                    let cp = previousCell + row * u
                    let tc = tape.tanhState.pointer + (t * b + row) * u
                    let dcRow = dc + row * u
                    for j in 0..<u {
                        let (i, fg, gg, o) = (a[j], a[u + j], a[2 * u + j], a[3 * u + j])
                        let dO = dhRow[j] * tc[j]
                        let dC = dcRow[j] + dhRow[j] * o * (1 - tc[j] * tc[j])
                        d[j] = dC * gg * i * (1 - i)
                        d[u + j] = dC * cp[j] * fg * (1 - fg)
                        d[2 * u + j] = dC * i * (1 - gg * gg)
                        d[3 * u + j] = dO * o * (1 - o)
                        dcRow[j] = dC * fg
                        dhRow[j] = 0  // h_{t-1} reaches the loss only through R
                        for k in 0..<4 { dr[k * u + j] = d[k * u + j] }
                    }
                }
            }
            // dLoss/dh_{t-1} += drec_t R^T.
            LinearAlgebra.sgemm(
                transposeB: true, m: b, n: u, k: w, a: dr, lda: w, b: layer.recurrentKernel, ldb: w, beta: 1,
                c: dh, ldc: u)
        }
        // Weight gradients over all steps at once: R from h_{t-1} (t >= 1), the GRU's R_h from s when the
        // reset comes first, W and the biases from the inputs.
        if steps > 1 {
            LinearAlgebra.sgemm(
                transposeA: true, m: u, n: w, k: (steps - 1) * b, a: tape.states.pointer, lda: u, b: drec + b * w,
                ldb: w, beta: 0, c: &gradient.recurrentKernel, ldc: w)
        }
        if resetBefore {
            gradient.recurrentKernel.withUnsafeMutableBufferPointer { r in
                LinearAlgebra.sgemm(
                    transposeA: true, m: u, n: u, k: steps * b, a: tape.extra.pointer, lda: u, b: dA + 2 * u, ldb: w,
                    beta: 1, c: r.baseAddress! + 2 * u, ldc: w)
            }
        }
        if case .gru(true) = cell {
            for row in 0..<(steps * b) {
                for j in 0..<u { gradient.recurrentBias[j] += drec[row * w + 2 * u + j] }
            }
        }
        LinearAlgebra.sgemm(
            transposeA: true, m: f, n: w, k: steps * b, a: x, lda: f, b: dA, ldb: w, beta: 0,
            c: &gradient.kernel, ldc: w)
        for row in 0..<(steps * b) {
            for j in 0..<w { gradient.bias[j] += dA[row * w + j] }
        }
        LinearAlgebra.sgemm(
            transposeB: true, m: steps * b, n: f, k: w, a: dA, lda: w, b: layer.kernel, ldb: w, beta: 0,
            c: tape.inputGradient.pointer, ldc: f)
    }
}

@inline(__always)
private func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

extension Float {
    var exp: Float { Float(Foundation.exp(Double(self))) }
}
