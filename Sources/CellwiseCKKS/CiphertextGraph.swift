import CellwiseCore

/// A plan's encrypted evaluation as a graph of operations on individual ciphertexts: each layer's
/// `h` (and an LSTM's `c`), each gate's output, each intermediate product, the logits.
///
/// An operation reads ciphertexts, each through a few levels of its own (`lead`: 1 through a
/// matrix-vector product or an element-wise product, 2 through both), then evaluates a polynomial
/// of depth `polynomialDepth`; its output's level is `min(level_i - lead_i) - polynomialDepth`.
/// The inputs `x_t` of the first layer and the zero initial states are fresh ciphertexts (or
/// plaintexts) at the profile's fresh level and are never bootstrapped. The operations of one cell
/// of layer `l` (below = `x_t` or layer `l-1`'s new `h`):
///
/// - SimpleRNN: `h = tanh([below | h] W)`: leads 1 and 1, depth `d_h`.
/// - GRU: `z`, `r` (leads 1, 1); the candidate `h~ = tanh(below W_h + r * (h U_h))` (leads 1 for
///   below, 1 for r, 2 for h) or `tanh(below W_h + (r * h) U_h)` with the reset before the product
///   (leads 1, 2, 2); the update `h = h~ + z * (h - h~)` (leads 1, 1, 1).
/// - LSTM: `i`, `f`, `g`, `o` (leads 1, 1); `c = f * c + i * g` (leads 1 each); `tanh(c)` (lead 0,
///   depth `d_c`); `h = o * tanh(c)` (leads 1, 1).
/// - The Dense layer reads the last layer's final `h` (lead 1).
public struct CiphertextGraph: Sendable, Equatable {
    /// One input of an operation.
    public struct Input: Sendable, Equatable {
        /// The ciphertext read.
        public var ciphertext: Int
        /// Levels consumed on its path before the polynomial (products).
        public var lead: Int
    }

    /// One operation.
    public struct Operation: Sendable, Equatable {
        /// What it computes, e.g. `step 3 layer 0 c`.
        public var label: String
        /// The ciphertexts it reads.
        public var inputs: [Input]
        /// The polynomial's depth after the products (0 for a product or the Dense layer).
        public var polynomialDepth: Int
        /// Operations run where the products start (one level above the polynomial's input).
        public var linear: OperationCounts
        /// The polynomial's operations, run across its levels.
        public var polynomial: OperationCounts
        /// The ciphertext it produces.
        public var output: Int
        /// The chain element (``CostModel/elements(of:)``: a cell's stage, or the Dense layer) it belongs to.
        public var element: Int
        /// What it computes: a site's letter (`h`, `z`, `r`, `i`, `f`, `g`, `o`), `h~` (the GRU's
        /// candidate), `h` (a GRU's or LSTM's new state), `c`, `tanh(c)`, or `dense`.
        public var kind: String = ""
        /// Its layer (the last one for the Dense layer).
        public var layer: Int = 0
        /// Its pass: 1 in a bidirectional layer's backward pass, else 0.
        public var pass: Int = 0
        /// The plan index of the site whose polynomial it evaluates (nil for products and Dense).
        public var site: Int?
        /// The node of the layer's ``CellGraph`` it computes (nil for the Dense layer).
        public var node: Int?
    }

    /// The operations, in evaluation order.
    public var operations: [Operation]
    /// Each ciphertext's name (`h[0] after step 3`, `r at step 3 layer 0`, `x_3`).
    public var names: [String]
    /// Each ciphertext's features in use, 0..<width of every sample's window: its layer's units (two
    /// passes side by side for a merged bidirectional output, the classes for the logits; a step's
    /// input: the layer's units plus its inputs). Packing puts values side by side within the window.
    public var widths: [Int]
    /// Slots per sample (``CostModel/window``).
    public var window: Int
    /// Whether each ciphertext is zero past its width in every window (``CellGraph/zeroPadded``;
    /// the step inputs are not): such a value packs without a mask, and another value's features
    /// may only be added to it when it is masked again after the bootstrap.
    public var zeroPadded: [Bool]
    /// Ciphertexts at the fresh level that are never bootstrapped (inputs, zero initial states).
    public var fresh: Set<Int>
    /// The ciphertext of each step's input `x_t`, in step order (the other fresh ones are zero states).
    public var stepInputs: [Int]
    /// The logits' ciphertext.
    public var logits: Int { operations[operations.count - 1].output }

    /// Creates a graph from its parts.
    init(
        operations: [Operation], names: [String], widths: [Int], window: Int, zeroPadded: [Bool],
        fresh: Set<Int>, stepInputs: [Int]
    ) {
        self.operations = operations
        self.names = names
        self.widths = widths
        self.window = window
        self.zeroPadded = zeroPadded
        self.fresh = fresh
        self.stepInputs = stepInputs
    }

    /// The graph of `plan` priced by `model`: every cell's ``CellGraph/operations`` in ``SiteLayout``
    /// order (sites in ``RecurrentCell/sites`` order per cell), then the Dense layer.
    ///
    /// A layer above a bidirectional layer, and the Dense layer after one, reads the two passes'
    /// `h` merged into one ciphertext first: `merge` (lead 0 on both, no polynomial; a rotation and
    /// an addition side by side, one addition for a sum).
    ///
    /// - Throws: ``CostModelError`` for a site with the exact function or a plan of another shape.
    public init(plan: ActivationPlan, model: CostModel) throws {
        let layout = plan.layout
        let layers = model.stack.count
        let steps = layout.timeSteps
        var operations = [Operation]()
        var names = [String]()
        var widths = [Int]()
        var padded = [Bool]()
        var fresh = Set<Int>()
        func ciphertext(_ name: String, width: Int, isFresh: Bool = false, zeroPadded: Bool = true) -> Int {
            names.append(name)
            widths.append(width)
            padded.append(zeroPadded)
            if isFresh { fresh.insert(names.count - 1) }
            return names.count - 1
        }
        // states[layer][pass][k]: state k of each pass (all layers' h, then all layers' c).
        var states = [[[Int]]](
            repeating: [], count: layers)
        for layer in 0..<layers {
            states[layer] = model.stack[layer].direction.passes.map { _ in [] }
        }
        for k in 0..<(model.stack.map { $0.cell.graph.states.count }.max() ?? 1) {
            for layer in 0..<layers {
                let graph = model.stack[layer].cell.graph
                guard k < graph.states.count else { continue }
                for pass in states[layer].indices {
                    let suffix = pass == 0 ? "" : " backward"
                    states[layer][pass].append(
                        ciphertext(
                            "\(graph.states[k])[\(layer)]\(suffix) initial (zero)", width: model.stack[layer].units,
                            isFresh: true))
                }
            }
        }
        // Each pass's h after each of its steps: what the layer above reads.
        var outputs = [[[Int]]](repeating: [], count: layers)
        for layer in 0..<layers {
            outputs[layer] = model.stack[layer].direction.passes.map { _ in [Int](repeating: -1, count: steps) }
        }
        let product = OperationCounts(multiplications: 1, plaintextMultiplications: 0, rotations: 0, additions: 2)
        try model.checkShape(of: plan)
        if let exact = plan.activations.firstIndex(where: { $0.degree == nil }) {
            throw CostModelError.exactTanh(cell: exact)
        }
        var element = 0
        var stepInputs = [Int]()
        // Every layer forward: each step's input appears as its step begins (as it always has).
        if !layout.isStepMajor {
            for step in 0..<steps {
                stepInputs.append(
                    ciphertext(
                        "x_\(step)", width: model.stack[0].units + model.inputSize, isFresh: true, zeroPadded: false))
            }
        }
        var merged = [Int: Int]()  // layer * steps + time step -> the merged ciphertext
        /// Layer `layer`'s output at time step `position` (a bidirectional layer's passes merged).
        func output(of layer: Int, at position: Int, element: Int, label: String) -> Int {
            let shape = model.stack[layer]
            let passes = shape.direction.passes
            let read = passes.enumerated().map { pass, direction in
                outputs[layer][pass][direction.position(ofStep: position, timeSteps: steps)]
            }
            guard read.count == 2 else { return read[0] }
            if let done = merged[layer * steps + position] { return done }
            let concat = shape.merge == .concat
            let made = ciphertext(
                "h[\(layer)] merged at step \(position)", width: CostModel.outputSize(of: shape),
                zeroPadded: read.allSatisfy { padded[$0] })
            operations.append(
                Operation(
                    label: label, inputs: read.map { Input(ciphertext: $0, lead: 0) }, polynomialDepth: 0,
                    linear: OperationCounts(
                        multiplications: 0, plaintextMultiplications: 0, rotations: concat ? 1 : 0, additions: 1),
                    polynomial: OperationCounts(), output: made, element: element, kind: "merge", layer: layer))
            merged[layer * steps + position] = made
            return made
        }
        // Each layer's zero-padded nodes, once (the same in every cell).
        let zeroPaddedNodes = model.stack.map(\.cell.graph.zeroPadded)
        for index in 0..<layout.cells {
            let cell = layout.cell(index)
            let (layer, step, pass) = (cell.layer, cell.step, cell.pass)
            let shape = model.stack[layer]
            let graph = shape.cell.graph
            let cleanNodes = zeroPaddedNodes[layer]
            let position = cell.direction.position(ofStep: step, timeSteps: steps)
            var below: Int
            if layer == 0 {
                if layout.isStepMajor {
                    below = ciphertext(
                        "x_\(step)", width: model.stack[0].units + model.inputSize, isFresh: true, zeroPadded: false)
                    stepInputs.append(below)
                } else {
                    below = stepInputs[position]
                }
            } else {
                below = output(
                    of: layer - 1, at: position, element: element, label: "step \(position) layer \(layer - 1) merge")
            }
            let degrees = plan.activations[cell.sites].map { $0.degree ?? 0 }
            let u = shape.units
            let width = model.inputWidth(ofLayer: layer)
            let block = model.profile.matrixVector.counts(
                inputs: width + u, outputs: u, rotations: model.profile.matrixVectorRotations)
            let backward = cell.direction == .backward
            let cellName = "step \(step) layer \(layer)" + (backward ? " backward" : "")
            var results = [Int: Int]()  // node -> ciphertext
            func read(_ value: CellGraph.Value) -> Int {
                switch value {
                case .input: below
                case .state(let k): states[layer][pass][k]
                case .node(let n): results[n]!
                }
            }
            for operation in graph.operations {
                let newState = graph.outputs.firstIndex(of: .node(operation.node))
                let name = newState.map {
                    "\(graph.states[$0])[\(layer)]\(backward ? " backward" : "") after step \(step)"
                }
                let output = ciphertext(
                    name ?? "\(operation.label) at \(cellName)", width: u, zeroPadded: cleanNodes[operation.node])
                var linear = OperationCounts()
                for _ in operation.blocks { linear = linear + block }
                for _ in 0..<operation.elementwiseProducts { linear = linear + product }
                operations.append(
                    Operation(
                        label: "\(cellName) \(operation.label)",
                        inputs: operation.inputs.map { Input(ciphertext: read($0.value), lead: $0.lead) },
                        polynomialDepth: operation.site.map {
                            model.polynomialDepth(degree: degrees[$0], site: cell.firstSite + $0)
                        } ?? 0,
                        linear: linear,
                        polynomial: operation.site.map { PolynomialOperations.counts(degree: degrees[$0]) }
                            ?? OperationCounts(),
                        output: output, element: element + operation.stage, kind: operation.label, layer: layer,
                        pass: pass, site: operation.site.map { cell.firstSite + $0 }, node: operation.node))
                results[operation.node] = output
            }
            for (k, value) in graph.outputs.enumerated() { states[layer][pass][k] = read(value) }
            outputs[layer][pass][step] = states[layer][pass][0]
            element += graph.stageCount
        }
        // The Dense layer reads each pass's last h (merged for a bidirectional layer).
        let last = layers - 1
        var final = states[last][0][0]
        if states[last].count == 2 {
            let concat = model.stack[last].merge == .concat
            final = ciphertext(
                "h[\(last)] merged final", width: model.outputSize,
                zeroPadded: padded[states[last][0][0]] && padded[states[last][1][0]])
            operations.append(
                Operation(
                    label: "final merge", inputs: [0, 1].map { Input(ciphertext: states[last][$0][0], lead: 0) },
                    polynomialDepth: 0,
                    linear: OperationCounts(
                        multiplications: 0, plaintextMultiplications: 0, rotations: concat ? 1 : 0, additions: 1),
                    polynomial: OperationCounts(), output: final, element: element, kind: "merge", layer: last))
        }
        let dense = model.denseElement
        operations.append(
            Operation(
                label: "dense", inputs: [Input(ciphertext: final, lead: 1)], polynomialDepth: 0,
                linear: dense.linear, polynomial: OperationCounts(), output: ciphertext("logits", width: model.classes),
                element: element,
                kind: "dense", layer: last))
        self.init(
            operations: operations, names: names, widths: widths, window: model.window, zeroPadded: padded,
            fresh: fresh, stepInputs: stepInputs)
    }
}
