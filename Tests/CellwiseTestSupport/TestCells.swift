import CellwiseCore

/// Cell kinds that are not built into Cellwise, defined as a user would (a ``CellGraph``), to
/// check that everything derived from a graph works for them too.
public enum TestCells {
    /// The minimal gated unit (Zhou et al., 2016): one forget gate
    /// `f = sigmoid(x W_f + h R_f + b_f)`, the candidate `h~ = tanh(x W_h + (f * h) R_h + b_h)`,
    /// and `h' = h + f * (h~ - h)`.
    public static let minimalGatedUnit: RecurrentCell = {
        typealias Node = CellGraph.Node
        let nodes: [Node] = [
            Node(.inputProduct(block: 0)), Node(.recurrentProduct(.state(0), block: 0)),
            Node(.add(.node(0), .node(1))), Node(.activate(.node(2), site: 0), label: "f"),
            Node(.inputProduct(block: 1)), Node(.multiply(.node(3), .state(0))),
            Node(.recurrentProduct(.node(5), block: 1)), Node(.add(.node(4), .node(6))),
            Node(.activate(.node(7), site: 1), label: "h~"), Node(.subtract(.node(8), .state(0))),
            Node(.multiply(.node(3), .node(9))), Node(.add(.state(0), .node(10)), label: "h"),
        ]
        return RecurrentCell(
            try! CellGraph(
                name: "MGU", states: ["h"], blocks: 2, sites: [.init(.forget), .init(.hidden)], nodes: nodes,
                outputs: [.node(11)]))
    }()
}
