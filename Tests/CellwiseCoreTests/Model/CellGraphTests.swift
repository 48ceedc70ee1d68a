import CellwiseCore
import Testing

/// A cell graph is checked when it is made: each broken graph is refused with a one-line reason
/// naming the node, and the built-in graphs pass.
@Suite struct CellGraphTests {
    typealias Node = CellGraph.Node

    /// `h' = tanh(x W + h R)` with `nodes` in place of its nodes (and `outputs` of its outputs).
    static func graph(
        _ nodes: [Node], outputs: [CellGraph.Value] = [.node(3)], sites: Int = 1, states: [String] = ["h"]
    ) throws -> CellGraph {
        try CellGraph(
            name: "Test", states: states, blocks: 1, sites: Array(repeating: .init(.hidden), count: sites),
            nodes: nodes, outputs: outputs)
    }

    static let simple: [Node] = [
        Node(.inputProduct(block: 0)), Node(.recurrentProduct(.state(0), block: 0)), Node(.add(.node(0), .node(1))),
        Node(.activate(.node(2), site: 0), label: "h"),
    ]

    @Test func theBuiltInGraphsAreValid() throws {
        #expect(try Self.graph(Self.simple) == CellGraph.simpleRNN.renamed("Test"))
        for cell in [RecurrentCell.simpleRNN, .gru(resetAfter: true), .gru(resetAfter: false), .lstm] {
            #expect(cell.graph.operations.last?.label == "h")
        }
    }

    @Test func brokenGraphsAreRefusedNamingTheNode() {
        var cases: [([Node], [CellGraph.Value], Int, String)] = []
        var later = Self.simple
        later[2] = Node(.add(.node(0), .node(3)))
        cases.append((later, [.node(3)], 1, "node 2 reads node 3, which is not before it"))
        var block = Self.simple
        block[0] = Node(.inputProduct(block: 1))
        cases.append((block, [.node(3)], 1, "node 0 uses block 1 of 1"))
        var state = Self.simple
        state[1] = Node(.recurrentProduct(.state(1), block: 0))
        cases.append((state, [.node(3)], 1, "reads state 1 of 1"))
        var input = Self.simple
        input[2] = Node(.add(.node(0), .input))
        cases.append((input + [], [.node(3)], 1, "node 2 reads the layer's input"))
        cases.append((Self.simple, [.node(3)], 2, "site 1 (h) is activated 0 times"))
        var unlabelled = Self.simple
        unlabelled[3] = Node(.activate(.node(2), site: 0))
        cases.append((unlabelled, [.node(3)], 1, "activation node 3 has no label"))
        cases.append((Self.simple, [.node(2)], 1, "output node 2 has no label"))
        cases.append((Self.simple, [.state(0)], 1, "a new state must be computed"))
        let unused = [Node(.inputProduct(block: 0))] + Self.simple
        cases.append((unused.map(Self.shifted), [.node(4)], 1, "node 0 is never used"))
        var shared = Self.simple
        shared[3] = Node(.activate(.node(2), site: 0), label: "h")
        shared.append(Node(.multiply(.node(3), .node(2)), label: "m"))
        cases.append((shared, [.node(4)], 1, "node 2 is read by 2 nodes"))
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
