/// The evaluator's arithmetic for one block of samples: every cell's nodes (its ``CellGraph``),
/// then the Dense head. Each worker thread owns one runner and its scratch memory.
///
/// A cell runs its graph's nodes in order, each into its own scratch block (a new state straight
/// into the state's buffer): an input product is the layer's input projection `a_k = x W_k + b_k`
/// (for layer 0 computed once per split), a recurrent product one matrix product (plus the
/// recurrent bias where the graph asks for it), sums, differences and products one pass each, and
/// an activation the plan's kernel at its site. An activation of a sum computed for it alone is one
/// kernel call on both operands (`act(z + addend)`). Every operation rounds as its own step, so the
/// result is the graph's arithmetic exactly, whatever the cell.
final class CellRunner {
    /// What every worker reads.
    struct Shared {
        let model: RecurrentModel
        let layout: SiteLayout
        let kernels: [ActivationKernel]
        /// Layer 0's projections, `[step][block][sample][unit]`.
        let projections: UnsafeMutablePointer<Float>
        let sampleCount: Int
        /// Per cell, every sample's new hidden state (read before the start, written after), or nil.
        let hidden: [UnsafeMutablePointer<Float>]?
        /// The same for the LSTM's cell state.
        let cellStates: [UnsafeMutablePointer<Float>]?
        /// Called with each site's pre-activation before its activation.
        let observe: ((Int, UnsafePointer<Float>, Int) -> Void)?
    }

    private let shared: Shared
    private let blockSize: Int
    private let width: Int
    private let memory: UnsafeMutablePointer<Float>
    private let zero: UnsafeMutablePointer<Float>
    /// One block per graph node.
    private let nodes: UnsafeMutablePointer<Float>
    private let pre: UnsafeMutablePointer<Float>
    private let logits: UnsafeMutablePointer<Float>
    /// Per layer and state, two buffers used in turn when states are not recorded.
    private let scratch: UnsafeMutablePointer<Float>

    init(_ shared: Shared, blockSize: Int) {
        self.shared = shared
        self.blockSize = blockSize
        let model = shared.model
        let width = model.layers.map(\.units).max() ?? 1
        self.width = width
        let graph = model.cell.graph
        let slab = blockSize * width
        let layers = model.layers.count
        let total = slab * (1 + graph.nodes.count + 1 + 2 * graph.states.count * layers) + blockSize * model.classes
        memory = .allocate(capacity: total)
        memory.initialize(repeating: 0, count: total)
        zero = memory
        nodes = zero + slab
        pre = nodes + graph.nodes.count * slab
        scratch = pre + slab
        logits = scratch + 2 * graph.states.count * layers * slab
    }

    deinit { memory.deallocate() }

    /// Runs samples `first..<first + rows` through cells `start...` and returns their logits
    /// (`rows x classes`, valid until the next call).
    func run(first: Int, rows: Int, from start: Int) -> UnsafeMutablePointer<Float> {
        let model = shared.model
        let layout = shared.layout
        let layers = layout.layers
        let slab = blockSize * width
        let stateCount = model.cell.graph.states.count
        // states[k][l]: state k of layer l (h, then an LSTM's c), zero before the first step.
        var states = [[UnsafeMutablePointer<Float>]](
            repeating: [UnsafeMutablePointer<Float>](repeating: zero, count: layers), count: stateCount)
        // Where state k of each cell is recorded, if it is.
        func recorded(_ k: Int) -> [UnsafeMutablePointer<Float>]? {
            let buffers = k == 0 ? shared.hidden : k == 1 ? shared.cellStates : nil
            return buffers.flatMap { $0.isEmpty ? nil : $0 }
        }
        let (t0, l0) = (start / layers, start % layers)
        for j in 0..<layers {
            let prior = j < l0 ? t0 * layers + j : (t0 > 0 ? (t0 - 1) * layers + j : nil)
            guard let prior else { continue }
            let offset = first * model.layers[j].units
            for k in 0..<stateCount {
                if let buffers = recorded(k) { states[k][j] = buffers[prior] + offset }
            }
        }
        for cell in start..<layout.cells {
            let (t, l) = (cell / layers, cell % layers)
            let offset = first * model.layers[l].units
            let turn = t % 2
            let targets = (0..<stateCount).map { k in
                recorded(k).map { $0[cell] + offset } ?? (scratch + ((stateCount * l + k) * 2 + turn) * slab)
            }
            step(
                layer: l, step: t, rows: rows, first: first, states: states.map { $0[l] },
                below: l > 0 ? states[0][l - 1] : nil, site: cell * layout.sitesPerCell, into: targets)
            for k in 0..<stateCount { states[k][l] = targets[k] }
        }
        // The Dense head on the last layer's final state.
        let u = model.units
        let classes = model.classes
        model.denseKernel.withUnsafeBufferPointer { wd in
            MatrixProduct.multiply(
                m: rows, n: classes, k: u, a: states[0][layers - 1], lda: u, b: wd.baseAddress!, ldb: classes, beta: 0,
                c: logits, ldc: classes)
        }
        for row in 0..<rows {
            for k in 0..<classes { logits[row * classes + k] += model.denseBias[k] }
        }
        return logits
    }

    /// `out = act_site(z + addend)`, showing the pre-activation to the observer first.
    @inline(__always)
    private func activate(
        _ site: Int, _ z: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?,
        into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        guard let observe = shared.observe else {
            shared.kernels[site].apply(z, adding: addend, into: out, count: count)
            return
        }
        if let addend {
            for i in 0..<count { pre[i] = z[i] + addend[i] }
        } else {
            pre.update(from: z, count: count)
        }
        observe(site, pre, count)
        shared.kernels[site].apply(pre, adding: nil, into: out, count: count)
    }

    /// One cell: layer `layer` at step `t` for `rows` samples, from the previous `states` (and the
    /// layer below's new `h`, nil for layer 0) into `targets`, one per state.
    private func step(
        layer l: Int, step t: Int, rows: Int, first: Int, states: [UnsafeMutablePointer<Float>],
        below: UnsafeMutablePointer<Float>?, site: Int, into targets: [UnsafeMutablePointer<Float>]
    ) {
        let model = shared.model
        let graph = model.cell.graph
        let layer = model.layers[l]
        let u = layer.units
        let g = graph.blocks
        let slab = blockSize * width
        let count = rows * u
        let n = shared.sampleCount
        // Each node's result: its own block, or the state buffer it is the new value of.
        var result = (0..<graph.nodes.count).map { nodes + $0 * slab }
        for (k, output) in graph.outputs.enumerated() {
            if case .node(let node) = output { result[node] = targets[k] }
        }
        // Sums computed only to be activated: the activation reads both operands instead.
        let fused = graph.fusedActivationSums
        func value(_ v: CellGraph.Value) -> UnsafeMutablePointer<Float> {
            switch v {
            case .input: below!
            case .state(let k): states[k]
            case .node(let node): result[node]
            }
        }
        for (index, node) in graph.nodes.enumerated() where !fused.contains(index) {
            let out = result[index]
            switch node.operation {
            case .inputProduct(let k):
                if let below {
                    layer.kernel.withUnsafeBufferPointer { w in
                        MatrixProduct.multiply(
                            m: rows, n: u, k: layer.inputSize, a: below, lda: layer.inputSize,
                            b: w.baseAddress! + k * u, ldb: g * u, beta: 0, c: out, ldc: u)
                    }
                    for row in 0..<rows {
                        let p = out + row * u
                        for j in 0..<u { p[j] += layer.bias[k * u + j] }
                    }
                } else {
                    // Layer 0's projections, computed once per split: [step][block][sample][unit].
                    result[index] = shared.projections + ((t * g + k) * n + first) * u
                }
            case .recurrentProduct(let v, let k, let withBias):
                layer.recurrentKernel.withUnsafeBufferPointer { r in
                    MatrixProduct.multiply(
                        m: rows, n: u, k: u, a: value(v), lda: u, b: r.baseAddress! + k * u, ldb: g * u, beta: 0,
                        c: out, ldc: u)
                }
                if withBias && !layer.recurrentBias.isEmpty {
                    layer.recurrentBias.withUnsafeBufferPointer { rb in
                        for row in 0..<rows {
                            let p = out + row * u
                            for j in 0..<u { p[j] += rb[j] }
                        }
                    }
                }
            case .add(let a, let b):
                let (x, y) = (value(a), value(b))
                for i in 0..<count { out[i] = x[i] + y[i] }
            case .subtract(let a, let b):
                let (x, y) = (value(a), value(b))
                for i in 0..<count { out[i] = x[i] - y[i] }
            case .multiply(let a, let b):
                let (x, y) = (value(a), value(b))
                for i in 0..<count { out[i] = x[i] * y[i] }
            case .activate(let v, let s):
                if case .node(let sum) = v, fused.contains(sum), case .add(let a, let b) = graph.nodes[sum].operation {
                    activate(site + s, value(b), adding: value(a), into: out, count: count)
                } else {
                    activate(site + s, value(v), adding: nil, into: out, count: count)
                }
            }
        }
        // A new state that is not written in place (layer 0's input projection as a state).
        for (k, output) in graph.outputs.enumerated() where value(output) != targets[k] {
            targets[k].update(from: value(output), count: count)
        }
    }
}
