/// One step of a recurrent cell, defined once as a small typed graph of vector operations: what
/// the cost model's depth and stages, the ciphertext graph of an encrypted run, and (in time) the
/// evaluator and the gradients derive from, instead of each spelling out every cell kind.
///
/// Values are vectors of the layer's units: the layer's input `x` (``Value/input``), the states
/// of the previous step (``Value/state(_:)``; state 0 is `h`, the output read by the layer above
/// and the Dense head), and the nodes' results. A node is a product by a weight block (the input
/// block `W_k` with the bias `b_k`, or the recurrent block `R_k`, with `b_rk` when the model has
/// recurrent biases), an element-wise sum, difference or product, or an activation at one of the
/// cell's sites. The graph ends with the new value of every state.
///
/// ```swift
/// let gru = RecurrentCell.gru(resetAfter: true).graph
/// gru.sites.map(\.kind)          // [z, r, h]
/// gru.operations.map(\.label)    // ["z", "r", "h~", "h"]: what an encrypted run evaluates
/// ```
public struct CellGraph: Hashable, Sendable {
    /// A vector the graph reads or computes.
    public enum Value: Hashable, Sendable {
        /// The layer's input at this step (`x_t`, or the new `h` of the layer below).
        case input
        /// State `k` of the previous step (0 is `h`; an LSTM's 1 is `c`).
        case state(Int)
        /// Node `n`'s result.
        case node(Int)
    }

    /// What a node computes.
    public enum Operation: Hashable, Sendable {
        /// `x W_k + b_k`: the input times input weight block `k`, plus its bias.
        case inputProduct(block: Int)
        /// `v R_k`: `v` times recurrent block `k`, plus the layer's recurrent bias `b_r` when
        /// `withBias` and the model has one (the GRU's candidate with the reset after the product).
        case recurrentProduct(Value, block: Int, withBias: Bool = false)
        /// `a + b`, element-wise.
        case add(Value, Value)
        /// `a - b`, element-wise.
        case subtract(Value, Value)
        /// `a * b`, element-wise.
        case multiply(Value, Value)
        /// The plan's activation at site `site` (an index into ``CellGraph/sites``) of `v`.
        case activate(Value, site: Int)

        /// The values it reads.
        public var operands: [Value] {
            switch self {
            case .inputProduct: [.input]
            case .recurrentProduct(let v, _, _), .activate(let v, _): [v]
            case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b): [a, b]
            }
        }
    }

    /// One node: an operation, and the name its result goes by where it is a value of its own.
    public struct Node: Hashable, Sendable {
        /// What it computes.
        public var operation: Operation
        /// The name of its result in circuits and messages (`z`, `h~`, `tanh(c)`); nil for
        /// intermediate results.
        public var label: String?

        /// Creates a node.
        public init(_ operation: Operation, label: String? = nil) {
            self.operation = operation
            self.label = label
        }
    }

    /// One activation site of the cell.
    public struct Site: Hashable, Sendable {
        /// Its kind (letter in plan text) and so its function.
        public var kind: SiteKind

        /// Creates a site.
        public init(_ kind: SiteKind) { self.kind = kind }
    }

    /// The cell's name in model files and tables (`GRU`).
    public var name: String
    /// The states' names (`h`, then `c` for an LSTM).
    public var states: [String]
    /// Weight blocks side by side in the kernel and recurrent kernel.
    public var blocks: Int
    /// The activation sites, in plan order.
    public var sites: [Site]
    /// The nodes, each reading only the inputs, the states and earlier nodes.
    public var nodes: [Node]
    /// The new value of each state.
    public var outputs: [Value]
    /// The graph as an encrypted run evaluates it: one operation per labelled node (derived).
    public private(set) var operations: [CircuitOperation] = []
    /// The stages: the groups of operations a bootstrap may go between (derived).
    public private(set) var stages: [Stage] = []
    /// The number of stages.
    public var stageCount: Int { stages.count }
    /// The sums that only an activation reads (unlabelled `add` nodes whose one reader activates
    /// them): an evaluator computes `act(a + b)` in one pass instead (derived).
    public private(set) var fusedActivationSums: Set<Int> = []

    /// Creates a cell graph, checked.
    ///
    /// - Throws: ``ConfigurationError`` (key `cell`) when a node reads a later node, a state or
    ///   block that does not exist, or the layer's input other than through an input product; a
    ///   site is used other than once; an activation or a new state has no label; a node is never
    ///   used, or an unlabelled one is read twice; or the outputs do not give every state.
    public init(
        name: String, states: [String], blocks: Int, sites: [Site], nodes: [Node], outputs: [Value]
    ) throws {
        self.name = name
        self.states = states
        self.blocks = blocks
        self.sites = sites
        self.nodes = nodes
        self.outputs = outputs
        try validate()
        operations = circuitOperations()
        fusedActivationSums = activatedSums()
        stages = (0...(operations.map(\.stage).max() ?? 0)).map { index in
            let members = operations.filter { $0.stage == index }
            return Stage(
                operations: members.map { operation in
                    // Levels from the values the previous stage left (the input and states for the first).
                    let lead = operation.inputs.filter { stage(of: $0.value) == index - 1 }.map(\.lead).max() ?? 0
                    return Stage.Member(
                        site: operation.site, elementwiseProducts: operation.elementwiseProducts, lead: lead)
                },
                live: index == 0 ? [] : liveValues(before: index))
        }
    }

    /// Two graphs are equal when their definitions are (the derived operations and stages follow).
    public static func == (a: CellGraph, b: CellGraph) -> Bool {
        a.name == b.name && a.states == b.states && a.blocks == b.blocks && a.sites == b.sites && a.nodes == b.nodes
            && a.outputs == b.outputs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(nodes)
        hasher.combine(outputs)
    }

    private func validate() throws {
        func fail(_ problem: String) -> ConfigurationError {
            ConfigurationError(key: "cell", problem: "\(name): \(problem)")
        }
        guard !states.isEmpty else { throw fail("has no state") }
        guard blocks >= 1 else { throw fail("has no weight block") }
        func check(_ value: Value, in node: Int?) throws {
            switch value {
            case .input: return
            case .state(let k):
                guard states.indices.contains(k) else { throw fail("reads state \(k) of \(states.count)") }
            case .node(let n):
                let limit = node ?? nodes.count
                guard n >= 0 && n < limit else {
                    throw fail(
                        node.map { "node \($0) reads node \(n), which is not before it" } ?? "node \(n) is missing")
                }
            }
        }
        if let repeated = sites.indices.first(where: { i in
            sites[..<i].contains { $0.kind.letter == sites[i].kind.letter }
        }) {
            throw fail("site \(repeated)'s letter \(sites[repeated].kind) names another site too (plan text uses it)")
        }
        var uses = [Int](repeating: 0, count: sites.count)
        for (index, node) in nodes.enumerated() {
            for operand in node.operation.operands { try check(operand, in: index) }
            if case .inputProduct = node.operation {
            } else if node.operation.operands.contains(.input) {
                // Evaluators hold the layer's input only as its products (layer 0's are computed
                // once per split), and a circuit keeps it in other slots than the units.
                throw fail("node \(index) reads the layer's input; only input products may")
            }
            switch node.operation {
            case .inputProduct(let block), .recurrentProduct(_, let block, _):
                guard (0..<blocks).contains(block) else { throw fail("node \(index) uses block \(block) of \(blocks)") }
            case .activate(_, let site):
                guard sites.indices.contains(site) else {
                    throw fail("node \(index) uses site \(site) of \(sites.count)")
                }
                uses[site] += 1
            default: break
            }
        }
        if let unused = uses.firstIndex(where: { $0 != 1 }) {
            throw fail("site \(unused) (\(sites[unused].kind)) is activated \(uses[unused]) times, not once")
        }
        guard outputs.count == states.count else {
            throw fail("gives \(outputs.count) new states for \(states.count) states")
        }
        for output in outputs { try check(output, in: nil) }
        for (index, node) in nodes.enumerated() where node.label == nil {
            if case .activate = node.operation { throw fail("activation node \(index) has no label") }
        }
        for output in outputs {
            if case .node(let n) = output, nodes[n].label == nil { throw fail("output node \(n) has no label") }
            if case .node = output { continue }
            throw fail("a new state must be computed, not passed through")
        }
        var reads = [Int](repeating: 0, count: nodes.count)
        for case .node(let n) in outputs { reads[n] += 1 }
        for node in nodes {
            for case .node(let n) in Set(node.operation.operands) { reads[n] += 1 }
        }
        if let unused = reads.firstIndex(of: 0) { throw fail("node \(unused) is never used") }
        // An intermediate result belongs to the one operation that reads it.
        if let shared = nodes.indices.first(where: { nodes[$0].label == nil && reads[$0] > 1 }) {
            throw fail("node \(shared) is read by \(reads[shared]) nodes; label it to make it a value of its own")
        }
    }
}

extension CellGraph {
    /// The paper's cell: `h' = tanh(x W + h R + b)`.
    public static let simpleRNN = try! CellGraph(
        name: "SimpleRNN", states: ["h"], blocks: 1, sites: [Site(.hidden)],
        nodes: [
            Node(.inputProduct(block: 0)),
            Node(.recurrentProduct(.state(0), block: 0)),
            Node(.add(.node(0), .node(1))),
            Node(.activate(.node(2), site: 0), label: "h"),
        ],
        outputs: [.node(3)])

    /// A GRU: `z`, `r` gates, the candidate `h~ = tanh(x W_h + r * (h R_h + b_rh))` (reset after
    /// the product, PyTorch's and Keras's default) or `tanh(x W_h + (r * h) R_h)` (reset before),
    /// and `h' = h~ + z * (h - h~)`.
    public static func gru(resetAfter: Bool) -> CellGraph {
        var nodes = [Node]()
        func add(_ operation: Operation, _ label: String? = nil) -> Value {
            nodes.append(Node(operation, label: label))
            return .node(nodes.count - 1)
        }
        func gate(_ block: Int) -> Value {
            add(.add(add(.inputProduct(block: block)), add(.recurrentProduct(.state(0), block: block))))
        }
        let z = add(.activate(gate(0), site: 0), "z")
        let r = add(.activate(gate(1), site: 1), "r")
        let projected = add(.inputProduct(block: 2))
        let recurrent =
            resetAfter
            ? add(.multiply(r, add(.recurrentProduct(.state(0), block: 2, withBias: true))))
            : add(.recurrentProduct(add(.multiply(r, .state(0))), block: 2))
        let candidate = add(.activate(add(.add(projected, recurrent)), site: 2), "h~")
        let h = add(.add(candidate, add(.multiply(z, add(.subtract(.state(0), candidate))))), "h")
        return try! CellGraph(
            name: "GRU", states: ["h"], blocks: 3, sites: [Site(.update), Site(.reset), Site(.hidden)], nodes: nodes,
            outputs: [h])
    }

    /// ``gru(resetAfter:)`` with the reset after the recurrent product.
    public static let gruResetAfter = gru(resetAfter: true)
    /// ``gru(resetAfter:)`` with the reset before the recurrent product.
    public static let gruResetBefore = gru(resetAfter: false)

    /// An LSTM without peepholes: gates `i`, `f`, `g`, `o`, `c' = f * c + i * g`, `h' = o * tanh(c')`.
    public static let lstm: CellGraph = {
        var nodes = [Node]()
        func add(_ operation: Operation, _ label: String? = nil) -> Value {
            nodes.append(Node(operation, label: label))
            return .node(nodes.count - 1)
        }
        let kinds: [SiteKind] = [.input, .forget, .cellInput, .output]
        let gates = kinds.indices.map { k in
            add(
                .activate(
                    add(.add(add(.inputProduct(block: k)), add(.recurrentProduct(.state(0), block: k)))), site: k),
                kinds[k].letter)
        }
        let (i, f, g, o) = (gates[0], gates[1], gates[2], gates[3])
        let c = add(.add(add(.multiply(f, .state(1))), add(.multiply(i, g))), "c")
        let squashed = add(.activate(c, site: 4), "tanh(c)")
        let h = add(.multiply(o, squashed), "h")
        return try! CellGraph(
            name: "LSTM", states: ["h", "c"], blocks: 4, sites: (kinds + [.cellState]).map(Site.init), nodes: nodes,
            outputs: [h, c])
    }()
}

extension CellGraph {
    /// For each node: whether its value is zero in every feature past the layer's units, where an
    /// encrypted run keeps other values (the step's input, packed neighbours). Products by weights
    /// are; a sum or difference is when both operands are, an element-wise product when either is,
    /// an activation when its operand is and its function vanishes at 0 (tanh, not sigmoid, whose
    /// 1/2 there only products with zero-padded values clear). States are when the nodes that
    /// become them are (the largest consistent assignment).
    public var zeroPadded: [Bool] {
        var states = [Bool](repeating: true, count: self.states.count)
        while true {
            var result = [Bool]()
            func padded(_ value: Value) -> Bool {
                switch value {
                case .input: false
                case .state(let k): states[k]
                case .node(let n): result[n]
                }
            }
            for node in nodes {
                switch node.operation {
                case .inputProduct, .recurrentProduct: result.append(true)
                case .add(let a, let b), .subtract(let a, let b): result.append(padded(a) && padded(b))
                case .multiply(let a, let b): result.append(padded(a) || padded(b))
                case .activate(let v, let site): result.append(padded(v) && sites[site].kind.function.centre == 0)
                }
            }
            let next = outputs.map(padded)
            // Each round only turns states from padded to not: it ends within `states.count` rounds.
            if next == states { return result }
            states = next
        }
    }

    /// The sites whose activation reads a value made only of products by weights, through sums,
    /// differences and element-wise products by other values (`x W + r * (h U)`), every node of it
    /// read by the activation alone: scaling those weights and biases by `s` and adding `t` gives
    /// `s v + t`, so an encrypted run can fold a polynomial's map of its interval onto [-1, 1] into
    /// them and save the level the map takes. An LSTM's `tanh(c)`, which reads a state, cannot.
    public var foldableSites: Set<Int> {
        var result = Set<Int>()
        for node in nodes {
            guard case .activate(let operand, let site) = node.operation else { continue }
            if scalable(operand) { result.insert(site) }
        }
        return result
    }

    /// Whether `value` is an unlabelled node made of products by weights (see ``foldableSites``).
    public func scalable(_ value: Value) -> Bool {
        guard case .node(let n) = value, nodes[n].label == nil else { return false }
        switch nodes[n].operation {
        case .inputProduct, .recurrentProduct: return true
        case .add(let a, let b), .subtract(let a, let b): return scalable(a) && scalable(b)
        case .multiply(let a, let b): return scalable(a) || scalable(b)
        case .activate: return false
        }
    }

    /// One operation of the cell's encrypted evaluation: a labelled node with the unlabelled nodes
    /// that only it reads, from the values it reads (inputs, states, earlier operations' results).
    public struct CircuitOperation: Hashable, Sendable {
        /// One value read, and the levels consumed on the longest path from it to the operation's
        /// polynomial (or result): 1 for each product by weights and each element-wise product.
        public struct Input: Hashable, Sendable {
            /// The value.
            public var value: Value
            /// Levels consumed before the polynomial.
            public var lead: Int
        }

        /// The labelled node.
        public var node: Int
        /// Its label (`z`, `h~`, `c`).
        public var label: String
        /// The values read, in the order the node's operands reach them (depth first).
        public var inputs: [Input]
        /// The site whose polynomial ends it, if it ends with an activation.
        public var site: Int?
        /// The weight blocks it multiplies by (its input and recurrent products of one block are
        /// one product of `[x | h]` in a circuit).
        public var blocks: [Int]
        /// Its element-wise products.
        public var elementwiseProducts: Int
        /// Its stage: 0 when it reads only the layer's input and states, else one more than the
        /// latest stage among the operations it reads.
        public var stage: Int
    }

    /// The operations, in node order.
    private func circuitOperations() -> [CircuitOperation] {
        var operationOfNode = [Int: Int]()
        var result = [CircuitOperation]()
        for (index, node) in nodes.enumerated() {
            guard let label = node.label else { continue }
            var inputs = [CircuitOperation.Input]()
            var blocks = [Int]()
            var products = 0
            var site: Int?
            var visited = Set<Int>()
            // Depth first from the node's operands; `lead` counts the levels on the path so far.
            func visit(_ value: Value, lead: Int) {
                switch value {
                case .node(let n) where nodes[n].label == nil || n == index:
                    let operation = nodes[n].operation
                    let first = visited.insert(n).inserted
                    var step = 0
                    switch operation {
                    case .inputProduct(let block), .recurrentProduct(_, let block, _):
                        step = 1
                        if first && !blocks.contains(block) { blocks.append(block) }
                    case .multiply:
                        step = 1
                        if first { products += 1 }
                    case .activate(_, let s):
                        site = s
                    default: break
                    }
                    for operand in operation.operands { visit(operand, lead: lead + step) }
                default:
                    record(value, lead)
                }
            }
            func record(_ value: Value, _ lead: Int) {
                if let existing = inputs.firstIndex(where: { $0.value == value }) {
                    inputs[existing].lead = Swift.max(inputs[existing].lead, lead)
                } else {
                    inputs.append(CircuitOperation.Input(value: value, lead: lead))
                }
            }
            visit(.node(index), lead: 0)
            let stage =
                inputs.compactMap { input -> Int? in
                    guard case .node(let n) = input.value, let producer = operationOfNode[n] else { return nil }
                    return result[producer].stage + 1
                }.max() ?? 0
            operationOfNode[index] = result.count
            result.append(
                CircuitOperation(
                    node: index, label: label, inputs: inputs, site: site, blocks: blocks,
                    elementwiseProducts: products, stage: stage))
        }
        return result
    }

    /// One stage: its operations as the cost model prices them, and the values a bootstrap before it
    /// refreshes (those computed before it and needed at or after it).
    public struct Stage: Hashable, Sendable {
        /// One operation of the stage.
        public struct Member: Hashable, Sendable {
            /// The site whose polynomial ends it.
            public var site: Int?
            /// Its element-wise products.
            public var elementwiseProducts: Int
            /// The levels from the previous stage's values to its polynomial.
            public var lead: Int
        }

        /// Its operations.
        public var operations: [Member]
        /// The values live before it (none for the first: there the states are).
        public var live: [Value]
    }

    /// The sums that only an activation reads (unlabelled `add` nodes whose one reader activates
    /// them).
    private func activatedSums() -> Set<Int> {
        var fused = Set<Int>()
        for node in nodes {
            guard case .activate(.node(let sum), _) = node.operation, nodes[sum].label == nil,
                case .add = nodes[sum].operation
            else { continue }
            fused.insert(sum)
        }
        return fused
    }

    /// The stage of the operation that computes `value`: -1 for the layer's input and the states.
    public func stage(of value: Value) -> Int {
        guard case .node(let n) = value, let operation = operations.first(where: { $0.node == n }) else { return -1 }
        return operation.stage
    }

    /// The values live across the boundary before stage `stage` (> 0): the layer's input, the
    /// states and the operations' results that are computed before it and read at or after it, or
    /// are new states. A bootstrap there refreshes each of them.
    public func liveValues(before stage: Int) -> [Value] {
        var live = [Value]()
        let stageOf = stage(of:)
        for operation in operations where operation.stage >= stage {
            for input in operation.inputs where stageOf(input.value) < stage && !live.contains(input.value) {
                live.append(input.value)
            }
        }
        for output in outputs where stageOf(output) < stage && !live.contains(output) { live.append(output) }
        return live
    }
}
