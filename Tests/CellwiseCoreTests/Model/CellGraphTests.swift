import CellwiseCore
import CellwiseTestSupport
import Testing

/// A cell graph is checked when it is made: each broken graph is refused with a one-line reason
/// naming the node, and the built-in graphs pass.
@Suite struct CellGraphTests {
    typealias Node = CellGraph.Node

    /// `h' = tanh(x W + h R)` with `nodes` in place of its nodes (and `outputs` of its outputs).
    static func graph(
        _ nodes: [Node], outputs: [CellGraph.Value] = [.node(3)], sites: [SiteKind] = [.hidden],
        states: [String] = ["h"]
    ) throws -> CellGraph {
        try CellGraph(
            name: "Test", states: states, blocks: 1, sites: sites.map(CellGraph.Site.init),
            nodes: nodes, outputs: outputs)
    }

    static let simple: [Node] = [
        Node(.inputProduct(block: 0)), Node(.recurrentProduct(.state(0), block: 0)), Node(.add(.node(0), .node(1))),
        Node(.activate(.node(2), site: 0), label: "h"),
    ]

    /// Which activations read only products by weights (an encrypted run folds their interval
    /// maps into the weights), and which values are zero past the units (sigmoid gates are not).
    @Test func foldableSitesAndZeroPaddedNodes() throws {
        #expect(RecurrentCell.simpleRNN.graph.foldableSites == [0])
        for resetAfter in [true, false] {
            #expect(RecurrentCell.gru(resetAfter: resetAfter).graph.foldableSites == [0, 1, 2])
        }
        // The LSTM's tanh(c) reads the state c.
        let lstm = RecurrentCell.lstm.graph
        #expect(lstm.foldableSites == [0, 1, 2, 3])
        let padded = lstm.zeroPadded
        for (node, value) in zip(lstm.nodes, padded) {
            guard let label = node.label else { continue }
            #expect(value == !["i", "f", "o"].contains(label), "\(label)")
        }
    }

    @Test func theBuiltInGraphsAreValid() throws {
        #expect(try Self.graph(Self.simple) == CellGraph.simpleRNN.renamed("Test"))
        for cell in [RecurrentCell.simpleRNN, .gru(resetAfter: true), .gru(resetAfter: false), .lstm] {
            #expect(cell.graph.operations.last?.label == "h")
        }
    }

    /// Each built-in graph computes its cell's equations: the Float64 interpretation of the graph
    /// equals the reference written from ONNX's operator definitions, 1-2 layers, random weights.
    @Test(arguments: RecurrentCell.builtIn)
    func theBuiltInGraphsComputeTheirEquations(cell: RecurrentCell) {
        for units in [[4], [3, 5]] {
            let model = ReferenceRecurrence.randomModel(cell: cell, units: units)
            let (inputs, _) = ReferenceRecurrence.randomInputs(for: model, count: 3)
            let width = model.timeSteps * model.inputSize
            for sample in 0..<3 {
                let input = inputs[(sample * width)..<((sample + 1) * width)]
                let equations = ReferenceRecurrence.logits(model, input: input)
                let graph = ReferenceRecurrence.graphLogits(model, input: input)
                #expect(
                    zip(equations, graph).allSatisfy { abs($0 - $1) < 1e-9 },
                    "\(cell) \(units): \(graph) vs \(equations)")
            }
        }
    }

    /// A cell of one's own evaluates like a built-in one: the Float32 evaluator's logits with the
    /// exact activations are the Float64 graph interpretation's.
    @Test func aCellOfOnesOwnEvaluates() throws {
        let model = ReferenceRecurrence.randomModel(cell: TestCells.minimalGatedUnit, units: [4, 3])
        #expect(model.sites.sitesPerCell == 2 && model.layers[0].kernel.count == 5 * 2 * 4)
        let (inputs, labels) = ReferenceRecurrence.randomInputs(for: model, count: 6)
        let split = DataSplit(
            name: .test, features: inputs, labels: labels, timeSteps: model.timeSteps, featureCount: model.inputSize,
            classCount: model.classes)
        let evaluator = try PlanEvaluator(model: model, split: split, approximations: ApproximationLibrary())
        let logits = try evaluator.logits(of: ActivationPlan(uniform: .exact, layout: model.sites))
        let width = model.timeSteps * model.inputSize
        for sample in 0..<6 {
            let reference = ReferenceRecurrence.graphLogits(
                model, input: inputs[(sample * width)..<((sample + 1) * width)])
            for k in 0..<model.classes {
                #expect(abs(Double(logits[sample * model.classes + k]) - reference[k]) < 1e-4)
            }
        }
    }

    @Test func brokenGraphsAreRefusedNamingTheNode() {
        var cases: [([Node], [CellGraph.Value], [SiteKind], String)] = []
        var later = Self.simple
        later[2] = Node(.add(.node(0), .node(3)))
        cases.append((later, [.node(3)], [.hidden], "node 2 reads node 3, which is not before it"))
        var block = Self.simple
        block[0] = Node(.inputProduct(block: 1))
        cases.append((block, [.node(3)], [.hidden], "node 0 uses block 1 of 1"))
        var state = Self.simple
        state[1] = Node(.recurrentProduct(.state(1), block: 0))
        cases.append((state, [.node(3)], [.hidden], "reads state 1 of 1"))
        var input = Self.simple
        input[2] = Node(.add(.node(0), .input))
        cases.append((input + [], [.node(3)], [.hidden], "node 2 reads the layer's input"))
        cases.append((Self.simple, [.node(3)], [.hidden, .update], "site 1 (z) is activated 0 times"))
        cases.append((Self.simple, [.node(3)], [.hidden, .hidden], "site 1's letter h names another site too"))
        var unlabelled = Self.simple
        unlabelled[3] = Node(.activate(.node(2), site: 0))
        cases.append((unlabelled, [.node(3)], [.hidden], "activation node 3 has no label"))
        cases.append((Self.simple, [.node(2)], [.hidden], "output node 2 has no label"))
        cases.append((Self.simple, [.state(0)], [.hidden], "a new state must be computed"))
        let unused = [Node(.inputProduct(block: 0))] + Self.simple
        cases.append((unused.map(Self.shifted), [.node(4)], [.hidden], "node 0 is never used"))
        var shared = Self.simple
        shared[3] = Node(.activate(.node(2), site: 0), label: "h")
        shared.append(Node(.multiply(.node(3), .node(2)), label: "m"))
        cases.append((shared, [.node(4)], [.hidden], "node 2 is read by 2 nodes"))
        for (nodes, outputs, sites, problem) in cases {
            let error = #expect(throws: ConfigurationError.self) {
                try Self.graph(nodes, outputs: outputs, sites: sites)
            }
            #expect(error?.problem.contains(problem) == true, "\(String(describing: error)) for \(problem)")
        }
    }

    /// The node with every node reference moved up by one (a node put in front).
    static func shifted(_ node: Node) -> Node {
        func move(_ v: CellGraph.Value) -> CellGraph.Value {
            if case .node(let n) = v { return .node(n + 1) }
            return v
        }
        let operation: CellGraph.Operation =
            switch node.operation {
            case .inputProduct: node.operation
            case .recurrentProduct(let v, let block, let withBias):
                .recurrentProduct(move(v), block: block, withBias: withBias)
            case .add(let a, let b): .add(move(a), move(b))
            case .subtract(let a, let b): .subtract(move(a), move(b))
            case .multiply(let a, let b): .multiply(move(a), move(b))
            case .activate(let v, let site): .activate(move(v), site: site)
            }
        return Node(operation, label: node.label)
    }
}

extension CellGraph {
    fileprivate func renamed(_ name: String) throws -> CellGraph {
        try CellGraph(name: name, states: states, blocks: blocks, sites: sites, nodes: nodes, outputs: outputs)
    }
}
