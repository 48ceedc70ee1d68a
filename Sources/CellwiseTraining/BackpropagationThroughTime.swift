import CellwiseCore
import Foundation

/// Softmax cross-entropy loss of a ``RecurrentModel`` with the exact activations, and its
/// gradient by back-propagation through time, derived from the model's ``CellGraph``: any cell
/// the graph defines (SimpleRNN, both GRU conventions, LSTM, or a new one), stacked layers.
///
/// Training runs layer by layer (a layer's whole sequence, then the next), with buffers laid
/// out time-major (`[t][sample][unit]`) so that each layer's input products and input-weight
/// gradients over all steps are single `sgemm` calls, as are the recurrent products of the
/// previous `h` (all blocks at once) at each step. Every other node keeps its value at every
/// step for the backward pass, which runs the graph's nodes in reverse. A workspace is reused
/// across batches of at most `capacity` samples.
final class BackpropagationThroughTime {
    /// The largest batch this workspace holds.
    let capacity: Int
    private let steps: Int
    private let classes: Int
    private let layers: [LayerWork]
    /// Layer 0's input, `[t][b][f]`.
    private let x0: FloatBuffer
    private let logits: FloatBuffer  // [b][classes]
    /// The zero initial states, and a sink for the gradients of those constants.
    private let zeros: FloatBuffer
    private let sink: FloatBuffer

    /// Where a node's value and gradient live: the layer's input products (`pre`, every block
    /// side by side), the products of the previous `h` (`rec`), or a buffer of its own.
    private enum Home {
        case inputBlock(Int)
        case recurrentBlock(Int)
        case own(Int)
    }

    /// One pass of one layer: its graph's homes and its forward values and gradients, kept
    /// across the batch, all in the pass's step order (a backward pass's step 0 is the last time step).
    private final class PassTape {
        let graph: CellGraph
        let homes: [Home]
        /// Columns of the recurrent kernel multiplied by the previous `h` in one product (blocks
        /// `0 ..< groupedBlocks`).
        let groupedBlocks: Int
        let direction: PassDirection
        let inputSize: Int
        let units: Int
        let reversedInput: FloatBuffer  // [t][b][inputSize], a backward pass's input in its step order
        let states: FloatBuffer  // [t][b][u]: h_t
        let pre: FloatBuffer  // [t][b][blocks u]: x_t W + b
        let rec: FloatBuffer  // [t][b][blocks u]: h_{t-1} R (+ b_r where a product has it)
        let own: [FloatBuffer]  // per own node: [t][b][u]
        let preGradient: FloatBuffer  // [t][b][blocks u]
        let recGradient: FloatBuffer  // [t][b][blocks u]
        let ownGradient: [FloatBuffer]  // per own node: [t][b][u]
        let inputGradient: FloatBuffer  // [t][b][inputSize]: dLoss/dx_t
        let upstream: FloatBuffer  // [t][b][u]: dLoss/dh_t from above

        init(cell: RecurrentCell, direction: PassDirection, inputSize: Int, units: Int, steps: Int, capacity: Int) {
            graph = cell.graph
            var homes = [Home]()
            var grouped = Set<Int>()
            var owned = 0
            for node in graph.nodes {
                switch node.operation {
                case .inputProduct(let block):
                    homes.append(.inputBlock(block))
                case .recurrentProduct(.state(0), let block, _) where !grouped.contains(block):
                    grouped.insert(block)
                    homes.append(.recurrentBlock(block))
                default:
                    homes.append(.own(owned))
                    owned += 1
                }
            }
            self.homes = homes
            groupedBlocks = (grouped.max() ?? -1) + 1
            self.direction = direction
            self.inputSize = inputSize
            self.units = units
            let blocks = graph.blocks
            let cells = steps * capacity * units
            reversedInput = FloatBuffer(count: direction == .backward ? steps * capacity * inputSize : 0)
            states = FloatBuffer(count: cells)
            pre = FloatBuffer(count: cells * blocks)
            rec = FloatBuffer(count: cells * blocks)
            own = (0..<owned).map { _ in FloatBuffer(count: cells) }
            preGradient = FloatBuffer(count: cells * blocks)
            recGradient = FloatBuffer(count: cells * blocks)
            ownGradient = (0..<owned).map { _ in FloatBuffer(count: cells) }
            inputGradient = FloatBuffer(count: steps * capacity * inputSize)
            upstream = FloatBuffer(count: cells)
        }
    }

    /// One layer: its passes and, unless it is one forward pass (whose states are its output),
    /// its output in time order `[t][b][outputSize]`.
    private final class LayerWork {
        let passes: [PassTape]
        let merge: LayerMerge
        let outputSize: Int
        let output: FloatBuffer
        /// dLoss/d(output), `[t][b][outputSize]` (what the layer above sends down).
        let outputGradient: FloatBuffer

        init(_ layer: RecurrentLayer, steps: Int, capacity: Int) {
            passes = layer.direction.passes.map {
                PassTape(
                    cell: layer.cell, direction: $0, inputSize: layer.inputSize, units: layer.units, steps: steps,
                    capacity: capacity)
            }
            merge = layer.merge
            outputSize = layer.outputSize
            let own = layer.direction != .forward
            output = FloatBuffer(count: own ? steps * capacity * layer.outputSize : 0)
            outputGradient = FloatBuffer(count: steps * capacity * layer.outputSize)
        }
    }

    /// Creates a workspace for batches of up to `capacity` samples of `model`'s shape.
    init(shapeOf model: RecurrentModel, capacity: Int) {
        self.capacity = capacity
        steps = model.timeSteps
        classes = model.classes
        layers = model.layers.map { LayerWork($0, steps: model.timeSteps, capacity: capacity) }
        x0 = FloatBuffer(count: model.timeSteps * capacity * model.inputSize)
        logits = FloatBuffer(count: capacity * model.classes)
        let widest = model.layers.map(\.outputSize).max() ?? 1
        zeros = FloatBuffer(count: capacity * widest)
        sink = FloatBuffer(count: capacity * widest)
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
        let x0 = self.x0.pointer
        inputs.withUnsafeBufferPointer { features in
            for (row, sample) in indices.enumerated() {
                for t in 0..<steps {
                    (x0 + (t * b + row) * f).update(
                        from: features.baseAddress! + sample * sampleWidth + t * f, count: f)
                }
            }
        }
        let labels = indices.map { Int(allLabels[$0]) }

        var input = UnsafeMutablePointer(x0)
        var inputs = [UnsafeMutablePointer<Float>]()
        for (index, work) in layers.enumerated() {
            inputs.append(input)
            let layer = model.layers[index]
            for (p, tape) in work.passes.enumerated() {
                forward(layer.passes[p], tape: tape, input: input, b: b)
            }
            input = mergeOutputs(work, b: b)
        }
        // The head reads each pass's last state, merged.
        let last = layers[layers.count - 1]
        let u = model.units
        let c = classes
        let final = FloatBuffer(count: b * last.outputSize)
        let finals = last.passes.map { $0.states.pointer + (steps - 1) * b * u }
        Self.merge(finals, last.merge, rows: b, units: u, into: final.pointer, stride: last.outputSize)
        let width = last.outputSize
        LinearAlgebra.sgemm(
            m: b, n: c, k: width, a: final.pointer, lda: width, b: model.denseKernel, ldb: c, beta: 0,
            c: logits.pointer, ldc: c)

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
            transposeA: true, m: width, n: c, k: b, a: final.pointer, lda: width, b: logits.pointer, ldb: c,
            beta: 0, c: &gradient.denseKernel, ldc: c)
        for row in 0..<b {
            for k in 0..<c { gradient.denseBias[k] += logits.pointer[row * c + k] }
        }
        // dLoss/dh_t of the last layer's passes: only each pass's final step feeds the head.
        let dFinal = FloatBuffer(count: b * width)
        LinearAlgebra.sgemm(
            transposeB: true, m: b, n: width, k: c, a: logits.pointer, lda: c, b: model.denseKernel, ldb: c,
            beta: 0, c: dFinal.pointer, ldc: width)
        for (p, tape) in last.passes.enumerated() {
            tape.upstream.pointer.initialize(repeating: 0, count: steps * b * u)
            Self.split(
                dFinal.pointer, width: width, merge: last.merge, pass: p, rows: b, units: u,
                into: tape.upstream.pointer + (steps - 1) * b * u)
        }
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let work = layers[index]
            if index < layers.count - 1 { splitUpstream(work, b: b) }
            let f = model.layers[index].inputSize
            let below = index > 0 ? layers[index - 1].outputGradient.pointer : nil
            below?.initialize(repeating: 0, count: steps * b * f)
            for (p, tape) in work.passes.enumerated() {
                backward(
                    model.layers[index].passes[p], tape: tape, input: inputs[index], b: b,
                    gradient: &gradient.layers[index].passes[p])
                guard let below else { continue }
                // dLoss/d(input) in time order, summed over the passes.
                for t in 0..<steps {
                    let source = tape.inputGradient.pointer + t * b * f
                    let target = below + tape.direction.position(ofStep: t, timeSteps: steps) * b * f
                    for i in 0..<(b * f) { target[i] += source[i] }
                }
            }
        }
        return (loss, gradient)
    }

    /// Makes layer `work`'s output in time order from its passes' states (after they ran) and
    /// returns it: the states themselves for one forward pass.
    private func mergeOutputs(_ work: LayerWork, b: Int) -> UnsafeMutablePointer<Float> {
        let passes = work.passes
        guard passes.count > 1 || passes[0].direction == .backward else { return passes[0].states.pointer }
        let u = passes[0].units
        for t in 0..<steps {
            let sources = passes.map {
                $0.states.pointer + $0.direction.position(ofStep: t, timeSteps: steps) * b * u
            }
            Self.merge(
                sources, work.merge, rows: b, units: u, into: work.output.pointer + t * b * work.outputSize,
                stride: work.outputSize)
        }
        return work.output.pointer
    }

    /// Each pass's dLoss/dh in its step order from dLoss/d(output) in time order.
    private func splitUpstream(_ work: LayerWork, b: Int) {
        for (p, tape) in work.passes.enumerated() {
            let u = tape.units
            for t in 0..<steps {
                let position = tape.direction.position(ofStep: t, timeSteps: steps)
                Self.split(
                    work.outputGradient.pointer + position * b * work.outputSize, width: work.outputSize,
                    merge: work.merge, pass: p, rows: b, units: u, into: tape.upstream.pointer + t * b * u)
            }
        }
    }

    /// `rows x units` states of one or two passes into `rows x stride` outputs: copied, side by side, or added.
    private static func merge(
        _ sources: [UnsafeMutablePointer<Float>], _ merge: LayerMerge, rows: Int, units u: Int,
        into out: UnsafeMutablePointer<Float>, stride: Int
    ) {
        for row in 0..<rows {
            let o = out + row * stride
            if sources.count == 1 || merge == .concat {
                for (p, source) in sources.enumerated() { (o + p * u).update(from: source + row * u, count: u) }
            } else {
                let (x, y) = (sources[0] + row * u, sources[1] + row * u)
                for j in 0..<u { o[j] = x[j] + y[j] }
            }
        }
    }

    /// Pass `pass`'s share of a gradient with respect to merged outputs (`rows x width`).
    private static func split(
        _ gradient: UnsafePointer<Float>, width: Int, merge: LayerMerge, pass: Int, rows: Int, units u: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let offset = merge == .concat ? pass * u : 0
        for row in 0..<rows { (out + row * u).update(from: gradient + row * width + offset, count: u) }
    }

    // MARK: - One layer

    /// A matrix of `b x u` values: its first element and the distance between rows.
    private typealias View = (pointer: UnsafeMutablePointer<Float>, stride: Int)

    /// Value `v` at step `t` in `tape` (`gradient`: its gradient instead). A state before the
    /// first step is the zero constant (its gradient goes to a sink).
    private func view(_ v: CellGraph.Value, _ t: Int, _ tape: PassTape, b: Int, gradient: Bool) -> View {
        let (u, w) = (tape.units, tape.graph.blocks * tape.units)
        switch v {
        case .input:
            preconditionFailure("the layer's input is read only by input products")
        case .state(let k):
            guard t > 0 else { return (gradient ? sink.pointer : zeros.pointer, u) }
            return view(tape.graph.outputs[k], t - 1, tape, b: b, gradient: gradient)
        case .node(let n):
            switch tape.homes[n] {
            case .inputBlock(let k): return ((gradient ? tape.preGradient : tape.pre).pointer + t * b * w + k * u, w)
            case .recurrentBlock(let k):
                return ((gradient ? tape.recGradient : tape.rec).pointer + t * b * w + k * u, w)
            case .own(let i): return ((gradient ? tape.ownGradient[i] : tape.own[i]).pointer + t * b * u, u)
            }
        }
    }

    /// A backward pass's input in its step order (a copy), else `input` itself.
    private func stepOrdered(_ input: UnsafeMutablePointer<Float>, _ tape: PassTape, b: Int)
        -> UnsafeMutablePointer<Float>
    {
        guard tape.direction == .backward else { return input }
        let f = tape.inputSize
        for t in 0..<steps {
            (tape.reversedInput.pointer + t * b * f).update(from: input + (steps - 1 - t) * b * f, count: b * f)
        }
        return tape.reversedInput.pointer
    }

    private func forward(_ layer: RecurrentWeights, tape: PassTape, input: UnsafeMutablePointer<Float>, b: Int) {
        let (graph, homes) = (tape.graph, tape.homes)
        let x = stepOrdered(input, tape, b: b)
        let (f, u) = (tape.inputSize, tape.units)
        let w = graph.blocks * u
        let pre = tape.pre.pointer
        LinearAlgebra.sgemm(m: steps * b, n: w, k: f, a: x, lda: f, b: layer.kernel, ldb: w, beta: 0, c: pre, ldc: w)
        for row in 0..<(steps * b) {
            for j in 0..<w { pre[row * w + j] += layer.bias[j] }
        }
        let grouped = tape.groupedBlocks * u
        for t in 0..<steps {
            let rec = tape.rec.pointer + t * b * w
            if grouped > 0 {
                if t > 0 {
                    LinearAlgebra.sgemm(
                        m: b, n: grouped, k: u, a: tape.states.pointer + (t - 1) * b * u, lda: u,
                        b: layer.recurrentKernel, ldb: w, beta: 0, c: rec, ldc: w)
                } else {
                    for row in 0..<b { (rec + row * w).initialize(repeating: 0, count: grouped) }
                }
            }
            for (n, node) in graph.nodes.enumerated() {
                let out = view(.node(n), t, tape, b: b, gradient: false)
                func value(_ v: CellGraph.Value) -> View { view(v, t, tape, b: b, gradient: false) }
                switch node.operation {
                case .inputProduct:
                    break
                case .recurrentProduct(let v, let k, let withBias):
                    if case .own = homes[n] {
                        let a = value(v)
                        layer.recurrentKernel.withUnsafeBufferPointer { r in
                            LinearAlgebra.sgemm(
                                m: b, n: u, k: u, a: a.pointer, lda: a.stride, b: r.baseAddress! + k * u, ldb: w,
                                beta: 0, c: out.pointer, ldc: out.stride)
                        }
                    }
                    if withBias && !layer.recurrentBias.isEmpty {
                        for row in 0..<b {
                            for j in 0..<u { out.pointer[row * out.stride + j] += layer.recurrentBias[j] }
                        }
                    }
                case .add(let a, let c), .subtract(let a, let c), .multiply(let a, let c):
                    let (p, q) = (value(a), value(c))
                    for row in 0..<b {
                        let (o, x, y) = (
                            out.pointer + row * out.stride, p.pointer + row * p.stride, q.pointer + row * q.stride
                        )
                        switch node.operation {
                        case .add: for j in 0..<u { o[j] = x[j] + y[j] }
                        case .subtract: for j in 0..<u { o[j] = x[j] - y[j] }
                        default: for j in 0..<u { o[j] = x[j] * y[j] }
                        }
                    }
                case .activate(let v, let site):
                    let p = value(v)
                    for row in 0..<b {
                        (out.pointer + row * out.stride).update(from: p.pointer + row * p.stride, count: u)
                    }
                    if graph.sites[site].kind.function == .tanh {
                        // Own (contiguous) like every activation: one vectorised pass.
                        TanhKernel.apply(out.pointer, adding: nil, into: out.pointer, count: b * u)
                    } else {
                        for i in 0..<(b * u) { out.pointer[i] = sigmoid(out.pointer[i]) }
                    }
                }
            }
            let h = view(graph.outputs[0], t, tape, b: b, gradient: false)
            for row in 0..<b {
                (tape.states.pointer + (t * b + row) * u).update(from: h.pointer + row * h.stride, count: u)
            }
        }
    }

    private func backward(
        _ layer: RecurrentWeights, tape: PassTape, input: UnsafeMutablePointer<Float>, b: Int,
        gradient: inout RecurrentWeights
    ) {
        let (graph, homes) = (tape.graph, tape.homes)
        // A backward pass's step-ordered input was made by the forward pass.
        let x = tape.direction == .backward ? tape.reversedInput.pointer : input
        let upstream = tape.upstream.pointer
        let (f, u) = (tape.inputSize, tape.units)
        let w = graph.blocks * u
        let cells = steps * b * u
        tape.preGradient.pointer.initialize(repeating: 0, count: cells * graph.blocks)
        tape.recGradient.pointer.initialize(repeating: 0, count: cells * graph.blocks)
        for buffer in tape.ownGradient { buffer.pointer.initialize(repeating: 0, count: cells) }
        let grouped = tape.groupedBlocks * u
        for t in stride(from: steps - 1, through: 0, by: -1) {
            func value(_ v: CellGraph.Value) -> View { view(v, t, tape, b: b, gradient: false) }
            func adjoint(_ v: CellGraph.Value) -> View { view(v, t, tape, b: b, gradient: true) }
            // dLoss/dh_t from the layer above (or the Dense head).
            let seed = adjoint(graph.outputs[0])
            for row in 0..<b {
                let (d, up) = (seed.pointer + row * seed.stride, upstream + (t * b + row) * u)
                for j in 0..<u { d[j] += up[j] }
            }
            for (n, node) in graph.nodes.enumerated().reversed() {
                let g = adjoint(.node(n))
                switch node.operation {
                case .inputProduct:
                    break  // its gradient is in preGradient: W, b and dLoss/dx come from it below
                case .recurrentProduct(let v, let k, _):
                    guard case .own = homes[n], t > 0 || !Self.isState(v) else { break }
                    let d = adjoint(v)
                    layer.recurrentKernel.withUnsafeBufferPointer { r in
                        LinearAlgebra.sgemm(
                            transposeB: true, m: b, n: u, k: u, a: g.pointer, lda: g.stride, b: r.baseAddress! + k * u,
                            ldb: w, beta: 1, c: d.pointer, ldc: d.stride)
                    }
                case .add(let a, let c), .subtract(let a, let c):
                    let (da, dc) = (adjoint(a), adjoint(c))
                    let sign: Float = if case .subtract = node.operation { -1 } else { 1 }
                    for row in 0..<b {
                        let (gr, x, y) = (
                            g.pointer + row * g.stride, da.pointer + row * da.stride, dc.pointer + row * dc.stride
                        )
                        for j in 0..<u {
                            x[j] += gr[j]
                            y[j] += sign * gr[j]
                        }
                    }
                case .multiply(let a, let c):
                    let (va, vc, da, dc) = (value(a), value(c), adjoint(a), adjoint(c))
                    for row in 0..<b {
                        let gr = g.pointer + row * g.stride
                        let (p, q) = (va.pointer + row * va.stride, vc.pointer + row * vc.stride)
                        let (x, y) = (da.pointer + row * da.stride, dc.pointer + row * dc.stride)
                        for j in 0..<u {
                            let (pj, qj) = (p[j], q[j])
                            x[j] += gr[j] * qj
                            y[j] += gr[j] * pj
                        }
                    }
                case .activate(let v, let site):
                    let (y, d) = (value(.node(n)), adjoint(v))
                    let tanh = graph.sites[site].kind.function == .tanh
                    for row in 0..<b {
                        let (gr, out, x) = (
                            g.pointer + row * g.stride, y.pointer + row * y.stride, d.pointer + row * d.stride
                        )
                        for j in 0..<u { x[j] += gr[j] * (tanh ? 1 - out[j] * out[j] : out[j] * (1 - out[j])) }
                    }
                }
            }
            // dLoss/dh_{t-1} += drec_t R^T over the blocks multiplied by h_{t-1} together.
            if grouped > 0 && t > 0 {
                let d = view(graph.outputs[0], t - 1, tape, b: b, gradient: true)
                LinearAlgebra.sgemm(
                    transposeB: true, m: b, n: u, k: grouped, a: tape.recGradient.pointer + t * b * w, lda: w,
                    b: layer.recurrentKernel, ldb: w, beta: 1, c: d.pointer, ldc: d.stride)
            }
        }
        // Weight gradients over all steps at once: R from h_{t-1} (t >= 1) for the grouped blocks
        // and from each other product's operand, W and the biases from the inputs.
        let dRec = tape.recGradient.pointer
        if steps > 1 && grouped > 0 {
            LinearAlgebra.sgemm(
                transposeA: true, m: u, n: grouped, k: (steps - 1) * b, a: tape.states.pointer, lda: u, b: dRec + b * w,
                ldb: w, beta: 0, c: &gradient.recurrentKernel, ldc: w)
        }
        for (n, node) in graph.nodes.enumerated() {
            guard case .recurrentProduct(let v, let k, let withBias) = node.operation else { continue }
            // The operand over steps `first ..< steps` (a state: from the step after the first).
            let first = Self.isState(v) ? 1 : 0
            let g = view(.node(n), first, tape, b: b, gradient: true)
            if case .own = homes[n], steps > first {
                let a = view(v, first, tape, b: b, gradient: false)
                gradient.recurrentKernel.withUnsafeMutableBufferPointer { r in
                    LinearAlgebra.sgemm(
                        transposeA: true, m: u, n: u, k: (steps - first) * b, a: a.pointer, lda: a.stride, b: g.pointer,
                        ldb: g.stride, beta: 1, c: r.baseAddress! + k * u, ldc: w)
                }
            }
            if withBias && !layer.recurrentBias.isEmpty {
                let all = view(.node(n), 0, tape, b: b, gradient: true)
                for row in 0..<(steps * b) {
                    for j in 0..<u { gradient.recurrentBias[j] += all.pointer[row * all.stride + j] }
                }
            }
        }
        let dA = tape.preGradient.pointer
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

    private static func isState(_ v: CellGraph.Value) -> Bool {
        if case .state = v { true } else { false }
    }
}

@inline(__always)
private func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

extension Float {
    var exp: Float { Float(Foundation.exp(Double(self))) }
}
