/// The evaluator's arithmetic for one block of samples: every cell's nodes (its layer's
/// ``CellGraph``), in ``SiteLayout`` order, then the Dense head. Each worker thread owns one
/// runner and its scratch memory.
///
/// A cell runs its graph's nodes in order, each into its own scratch block (a new state straight
/// into the state's buffer): an input product is the layer's input projection `a_k = x W_k + b_k`
/// (for layer 0 computed once per split), a recurrent product one matrix product (plus the
/// recurrent bias where the graph asks for it), sums, differences and products one pass each, and
/// an activation the plan's kernel at its site. An activation of a sum computed for it alone is one
/// kernel call on both operands (`act(z + addend)`). Every operation rounds as its own step, so the
/// result is the graph's arithmetic exactly, whatever the cell.
///
/// A layer above reads the layer below's output at the same time step: its state, or for a
/// bidirectional layer the forward pass's state there and the backward pass's state there (after
/// the steps from the last back to this one), side by side or added.
final class CellRunner {
    /// What every worker reads.
    struct Shared {
        let model: RecurrentModel
        let layout: SiteLayout
        let kernels: [ActivationKernel]
        /// Layer 0's projections, `[pass][time step][block][sample][unit]`.
        let projections: UnsafeMutablePointer<Float>
        let sampleCount: Int
        /// Per cell, per state, every sample's new state (read before the start, written after), or nil.
        let recorded: [[UnsafeMutablePointer<Float>]]?
        /// Called with each site's pre-activation before its activation.
        let observe: ((Int, UnsafePointer<Float>, Int) -> Void)?
    }

    private let shared: Shared
    private let blockSize: Int
    private let width: Int
    private let memory: UnsafeMutablePointer<Float>
    private let zero: UnsafeMutablePointer<Float>
    /// One block per graph node (of the largest graph).
    private let nodes: UnsafeMutablePointer<Float>
    private let pre: UnsafeMutablePointer<Float>
    /// A bidirectional layer's merged output, read by the layer above or the head.
    private let merged: UnsafeMutablePointer<Float>
    private let logits: UnsafeMutablePointer<Float>
    /// Where each pass's states go when they are not recorded: `[layer][pass][state]` the first
    /// of two buffers used in turn, or of one buffer per step for a `h` the layer above reads later.
    private let scratch: [[[UnsafeMutablePointer<Float>]]]
    /// Whether layer `l`'s passes keep every step's `h` (the layer above runs after all of them).
    private let keepsSequence: [Bool]

    init(_ shared: Shared, blockSize: Int) {
        self.shared = shared
        self.blockSize = blockSize
        let model = shared.model
        let layout = shared.layout
        let width = model.layers.map(\.units).max() ?? 1
        self.width = width
        let slab = blockSize * width
        let mergedWidth = model.layers.map(\.outputSize).max() ?? 1
        let nodeCount = model.layers.map(\.cell.graph.nodes.count).max() ?? 0
        let keeps = model.layers.indices.map { !layout.isStepMajor && $0 < model.layers.count - 1 }
        keepsSequence = keeps
        var scratchSlabs = 0
        for (l, layer) in model.layers.enumerated() {
            let states = layer.cell.graph.states.count
            scratchSlabs += layer.passes.count * (keeps[l] ? layout.timeSteps + 2 * (states - 1) : 2 * states)
        }
        let total =
            slab * (1 + nodeCount + 1 + scratchSlabs) + blockSize * mergedWidth + blockSize * model.classes
        memory = .allocate(capacity: total)
        memory.initialize(repeating: 0, count: total)
        zero = memory
        nodes = zero + slab
        pre = nodes + nodeCount * slab
        var next = pre + slab
        var scratch = [[[UnsafeMutablePointer<Float>]]]()
        for (l, layer) in model.layers.enumerated() {
            var passes = [[UnsafeMutablePointer<Float>]]()
            for _ in layer.passes {
                var states = [UnsafeMutablePointer<Float>]()
                for k in layer.cell.graph.states.indices {
                    states.append(next)
                    next += slab * (keeps[l] && k == 0 ? layout.timeSteps : 2)
                }
                passes.append(states)
            }
            scratch.append(passes)
        }
        self.scratch = scratch
        merged = next
        logits = merged + blockSize * mergedWidth
    }

    deinit { memory.deallocate() }

    /// Runs samples `first..<first + rows` through cells `start...` and returns their logits
    /// (`rows x classes`, valid until the next call). Cells before `start` must be recorded.
    func run(first: Int, rows: Int, from start: Int) -> UnsafeMutablePointer<Float> {
        let model = shared.model
        let layout = shared.layout
        let slab = blockSize * width
        let recorded = shared.recorded
        let steps = layout.timeSteps
        // State k of cell `c`'s pass at its step, for this block.
        func state(_ c: Int, _ k: Int) -> UnsafeMutablePointer<Float> {
            let cell = layout.cell(c)
            let u = model.layers[cell.layer].units
            if let recorded { return recorded[c][k] + first * u }
            let base = scratch[cell.layer][cell.pass][k]
            return keepsSequence[cell.layer] && k == 0 ? base + cell.step * slab : base + (cell.step % 2) * slab
        }
        // Layer l's output at time step `position`, for the layer above or the head.
        func output(layer l: Int, position: Int) -> UnsafeMutablePointer<Float> {
            let layer = model.layers[l]
            let cells = layer.direction.passes.map { direction in
                layout.cellIndex(
                    layer: l, direction: direction, step: direction.position(ofStep: position, timeSteps: steps))!
            }
            guard cells.count == 2 else { return state(cells[0], 0) }
            return merge(state(cells[0], 0), state(cells[1], 0), layer, rows: rows)
        }
        for c in start..<layout.cells {
            let cell = layout.cell(c)
            let layer = model.layers[cell.layer]
            let stateCount = layer.cell.graph.states.count
            let previous = cell.step > 0 ? c - (layout.isStepMajor ? layout.cellsPerStep : 1) : nil
            let states = (0..<stateCount).map { k in previous.map { state($0, k) } ?? zero }
            let position = cell.direction.position(ofStep: cell.step, timeSteps: steps)
            let below = cell.layer > 0 ? output(layer: cell.layer - 1, position: position) : nil
            step(
                cell, position: position, rows: rows, first: first, states: states, below: below,
                into: (0..<stateCount).map { state(c, $0) })
        }
        // The Dense head on the last layer's final state (each pass's last step).
        let last = model.layers.count - 1
        let final: UnsafeMutablePointer<Float>
        if model.layers[last].direction == .bidirectional {
            // The forward pass ends at the last time step, the backward pass at the first.
            let forward = state(layout.cellIndex(layer: last, direction: .forward, step: steps - 1)!, 0)
            let backward = state(layout.cellIndex(layer: last, direction: .backward, step: steps - 1)!, 0)
            final = merge(forward, backward, model.layers[last], rows: rows)
        } else {
            let direction = model.layers[last].direction.passes[0]
            final = state(layout.cellIndex(layer: last, direction: direction, step: steps - 1)!, 0)
        }
        let u = model.outputSize
        let classes = model.classes
        model.denseKernel.withUnsafeBufferPointer { wd in
            MatrixProduct.multiply(
                m: rows, n: classes, k: u, a: final, lda: u, b: wd.baseAddress!, ldb: classes, beta: 0,
                c: logits, ldc: classes)
        }
        for row in 0..<rows {
            for k in 0..<classes { logits[row * classes + k] += model.denseBias[k] }
        }
        return logits
    }

    /// A bidirectional layer's two `rows x units` states into its output (side by side or added),
    /// in the runner's merge buffer.
    private func merge(
        _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ layer: RecurrentLayer, rows: Int
    ) -> UnsafeMutablePointer<Float> {
        let u = layer.units
        switch layer.merge {
        case .concat:
            for row in 0..<rows {
                (merged + row * 2 * u).update(from: a + row * u, count: u)
                (merged + row * 2 * u + u).update(from: b + row * u, count: u)
            }
        case .sum:
            for i in 0..<(rows * u) { merged[i] = a[i] + b[i] }
        }
        return merged
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

    /// One cell for `rows` samples, from the previous `states` (and the layer below's output at
    /// this time step, nil for layer 0) into `targets`, one per state.
    private func step(
        _ cell: SiteLayout.Cell, position: Int, rows: Int, first: Int, states: [UnsafeMutablePointer<Float>],
        below: UnsafeMutablePointer<Float>?, into targets: [UnsafeMutablePointer<Float>]
    ) {
        let model = shared.model
        let layer = model.layers[cell.layer]
        let weights = layer.passes[cell.pass]
        let graph = layer.cell.graph
        let site = cell.firstSite
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
                    weights.kernel.withUnsafeBufferPointer { w in
                        MatrixProduct.multiply(
                            m: rows, n: u, k: layer.inputSize, a: below, lda: layer.inputSize,
                            b: w.baseAddress! + k * u, ldb: g * u, beta: 0, c: out, ldc: u)
                    }
                    for row in 0..<rows {
                        let p = out + row * u
                        for j in 0..<u { p[j] += weights.bias[k * u + j] }
                    }
                } else {
                    // Layer 0's projections, computed once per split: [pass][step][block][sample][unit].
                    let steps = shared.layout.timeSteps
                    result[index] = shared.projections + (((cell.pass * steps + position) * g + k) * n + first) * u
                }
            case .recurrentProduct(let v, let k, let withBias):
                weights.recurrentKernel.withUnsafeBufferPointer { r in
                    MatrixProduct.multiply(
                        m: rows, n: u, k: u, a: value(v), lda: u, b: r.baseAddress! + k * u, ldb: g * u, beta: 0,
                        c: out, ldc: u)
                }
                if withBias && !weights.recurrentBias.isEmpty {
                    weights.recurrentBias.withUnsafeBufferPointer { rb in
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
