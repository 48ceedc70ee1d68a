/// The evaluator's arithmetic for one block of samples: every cell's gate products, site
/// activations and state updates, then the Dense head. Each worker thread owns one runner and
/// its scratch memory.
///
/// Per cell (layer `l` at step `t`, `u` units, state `h`, input `a_k` = the layer's input
/// projection of gate block `k`, `R_k` its recurrent block, `act_s` the plan's kernel at site `s`):
///
/// - SimpleRNN: `h' = act_h(h R + a)`
/// - GRU: `z = act_z(h R_z + a_z)`, `r = act_r(h R_r + a_r)`, `h~ = act_h(r * (h R_h + b_rh) + a_h)`
///   (reset after) or `act_h((r * h) R_h + a_h)` (reset before), `h' = h~ + z * (h - h~)`
/// - LSTM: `i, f, g, o = act(h R_k + a_k)`, `c' = f * c + i * g`, `h' = o * act_c(c')`
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
    private let gates: UnsafeMutablePointer<Float>
    private let recurrent: UnsafeMutablePointer<Float>
    private let inputs: UnsafeMutablePointer<Float>
    private let temp: UnsafeMutablePointer<Float>
    private let pre: UnsafeMutablePointer<Float>
    private let logits: UnsafeMutablePointer<Float>
    /// Per layer, two hidden and two cell-state buffers used in turn when states are not recorded.
    private let scratch: UnsafeMutablePointer<Float>

    init(_ shared: Shared, blockSize: Int) {
        self.shared = shared
        self.blockSize = blockSize
        let model = shared.model
        let width = model.layers.map(\.units).max() ?? 1
        self.width = width
        let g = model.cell.blocks
        let slab = blockSize * width
        let layers = model.layers.count
        let total = slab * (1 + 3 * g + 2 + 4 * layers) + blockSize * model.classes
        memory = .allocate(capacity: total)
        memory.initialize(repeating: 0, count: total)
        zero = memory
        gates = zero + slab
        recurrent = gates + g * slab
        inputs = recurrent + g * slab
        temp = inputs + g * slab
        pre = temp + slab
        scratch = pre + slab
        logits = scratch + 4 * layers * slab
    }

    deinit { memory.deallocate() }

    /// Runs samples `first..<first + rows` through cells `start...` and returns their logits
    /// (`rows x classes`, valid until the next call).
    func run(first: Int, rows: Int, from start: Int) -> UnsafeMutablePointer<Float> {
        let model = shared.model
        let layout = shared.layout
        let layers = layout.layers
        let slab = blockSize * width
        var h = [UnsafeMutablePointer<Float>](repeating: zero, count: layers)
        var c = [UnsafeMutablePointer<Float>](repeating: zero, count: layers)
        let (t0, l0) = (start / layers, start % layers)
        for j in 0..<layers {
            let prior = j < l0 ? t0 * layers + j : (t0 > 0 ? (t0 - 1) * layers + j : nil)
            guard let prior else { continue }
            let offset = first * model.layers[j].units
            if let hidden = shared.hidden { h[j] = hidden[prior] + offset }
            if let cellStates = shared.cellStates, model.cell.hasCellState { c[j] = cellStates[prior] + offset }
        }
        for cell in start..<layout.cells {
            let (t, l) = (cell / layers, cell % layers)
            let u = model.layers[l].units
            let offset = first * u
            let turn = t % 2
            let hTarget = shared.hidden.map { $0[cell] + offset } ?? (scratch + (4 * l + turn) * slab)
            let cTarget =
                shared.cellStates.flatMap { $0.isEmpty ? nil : $0[cell] + offset }
                ?? (scratch + (4 * l + 2 + turn) * slab)
            let below = l > 0 ? h[l - 1] : nil
            step(
                layer: l, step: t, rows: rows, first: first, state: h[l], cellState: c[l], below: below,
                site: cell * layout.sitesPerCell, hidden: hTarget, cell: cTarget)
            h[l] = hTarget
            c[l] = cTarget
        }
        // The Dense head on the last layer's final state.
        let u = model.units
        let classes = model.classes
        model.denseKernel.withUnsafeBufferPointer { wd in
            MatrixProduct.multiply(
                m: rows, n: classes, k: u, a: h[layers - 1], lda: u, b: wd.baseAddress!, ldb: classes, beta: 0,
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

    /// One cell: layer `layer` at step `t` for `rows` samples.
    private func step(
        layer l: Int, step t: Int, rows: Int, first: Int, state h: UnsafeMutablePointer<Float>,
        cellState c: UnsafeMutablePointer<Float>, below: UnsafeMutablePointer<Float>?, site: Int,
        hidden out: UnsafeMutablePointer<Float>, cell cOut: UnsafeMutablePointer<Float>
    ) {
        let model = shared.model
        let layer = model.layers[l]
        let u = layer.units
        let g = model.cell.blocks
        let slab = blockSize * width
        let count = rows * u
        let n = shared.sampleCount
        // The layer's input projection of each gate block (a_k, row stride u).
        // a(k): block k's input projection; rec(k), gate(k): its recurrent product and activation.
        let (aBase, aStride) =
            below == nil ? (shared.projections + (t * g * n + first) * u, n * u) : (inputs, slab)
        func a(_ k: Int) -> UnsafeMutablePointer<Float> { aBase + k * aStride }
        func rec(_ k: Int) -> UnsafeMutablePointer<Float> { recurrent + k * slab }
        func gate(_ k: Int) -> UnsafeMutablePointer<Float> { gates + k * slab }
        if let below {
            layer.kernel.withUnsafeBufferPointer { w in
                for k in 0..<g {
                    let target = inputs + k * slab
                    MatrixProduct.multiply(
                        m: rows, n: u, k: layer.inputSize, a: below, lda: layer.inputSize,
                        b: w.baseAddress! + k * u, ldb: g * u, beta: 0, c: target, ldc: u)
                    for row in 0..<rows {
                        let p = target + row * u
                        for j in 0..<u { p[j] += layer.bias[k * u + j] }
                    }
                }
            }
        }
        let resetBefore = model.cell == .gru(resetAfter: false)
        // Recurrent products h R_k (the GRU's candidate block later when the reset comes first).
        layer.recurrentKernel.withUnsafeBufferPointer { r in
            for k in 0..<g where !(resetBefore && k == 2) {
                MatrixProduct.multiply(
                    m: rows, n: u, k: u, a: h, lda: u, b: r.baseAddress! + k * u, ldb: g * u, beta: 0,
                    c: recurrent + k * slab, ldc: u)
            }
        }
        switch model.cell {
        case .simpleRNN:
            activate(site, rec(0), adding: a(0), into: out, count: count)
        case .gru(let resetAfter):
            activate(site, rec(0), adding: a(0), into: gate(0), count: count)
            activate(site + 1, rec(1), adding: a(1), into: gate(1), count: count)
            if resetAfter {
                layer.recurrentBias.withUnsafeBufferPointer { rb in
                    for row in 0..<rows {
                        let base = row * u
                        for j in 0..<u { temp[base + j] = gate(1)[base + j] * (rec(2)[base + j] + rb[j]) }
                    }
                }
                activate(site + 2, temp, adding: a(2), into: gate(2), count: count)
            } else {
                for i in 0..<count { temp[i] = gate(1)[i] * h[i] }
                layer.recurrentKernel.withUnsafeBufferPointer { r in
                    MatrixProduct.multiply(
                        m: rows, n: u, k: u, a: temp, lda: u, b: r.baseAddress! + 2 * u, ldb: g * u, beta: 0,
                        c: rec(2), ldc: u)
                }
                activate(site + 2, rec(2), adding: a(2), into: gate(2), count: count)
            }
            for i in 0..<count { out[i] = gate(2)[i] + gate(0)[i] * (h[i] - gate(2)[i]) }
        case .lstm:
            for k in 0..<4 { activate(site + k, rec(k), adding: a(k), into: gate(k), count: count) }
            for i in 0..<count { cOut[i] = gate(1)[i] * c[i] + gate(0)[i] * gate(2)[i] }
            activate(site + 4, cOut, adding: nil, into: temp, count: count)
            for i in 0..<count { out[i] = gate(3)[i] * temp[i] }
        }
    }
}
