import Cellwise

/// The minimal gated unit (Zhou, Wu, Zhang and Zhou, "Minimal gated unit for recurrent neural
/// networks", 2016): a GRU with one gate, the forget gate `f`, doing the work of both.
///
///     f   = sigmoid(x W_f + h R_f + b_f)
///     h~  = tanh(x W_h + (f * h) R_h + b_h)
///     h'  = h + f * (h~ - h)            (= (1 - f) * h + f * h~)
///
/// Two weight blocks (`f`, `h`), two activation sites per step (`f` a sigmoid, `h` a tanh): plans
/// read `f=3;h=7`. This graph is all Cellwise needs: its evaluator, gradients, cost model and
/// encrypted circuit run it like a built-in cell.
let minimalGatedUnit: RecurrentCell = {
    typealias Node = CellGraph.Node
    let nodes: [Node] = [
        Node(.inputProduct(block: 0)),  // n0: x W_f + b_f
        Node(.recurrentProduct(.state(0), block: 0)),  // n1: h R_f
        Node(.add(.node(0), .node(1))),  // n2
        Node(.activate(.node(2), site: 0), label: "f"),  // n3: f
        Node(.inputProduct(block: 1)),  // n4: x W_h + b_h
        Node(.multiply(.node(3), .state(0))),  // n5: f * h
        Node(.recurrentProduct(.node(5), block: 1)),  // n6: (f * h) R_h
        Node(.add(.node(4), .node(6))),  // n7
        Node(.activate(.node(7), site: 1), label: "h~"),  // n8: h~
        Node(.subtract(.node(8), .state(0))),  // n9: h~ - h
        Node(.multiply(.node(3), .node(9))),  // n10: f * (h~ - h)
        Node(.add(.state(0), .node(10)), label: "h"),  // n11: h'
    ]
    do {
        return RecurrentCell(
            try CellGraph(
                name: "MGU", states: ["h"], blocks: 2, sites: [.init(.forget), .init(.hidden)], nodes: nodes,
                outputs: [.node(11)]))
    } catch {
        fatalError("the MGU graph is invalid: \(error)")
    }
}()
