/// The kind of recurrent cell a model's layers use.
///
/// Weights follow Keras's layouts and gate orders (every gate's block side by side in one kernel):
///
/// | cell | blocks | sites per step (plan order) |
/// |---|---|---|
/// | SimpleRNN | `h` | `h` = tanh |
/// | GRU | `z r h` | `z` = sigmoid (update), `r` = sigmoid (reset), `h` = tanh (candidate) |
/// | LSTM | `i f g o` | `i f o` = sigmoid (input, forget, output), `g` = tanh (cell input), `c` = tanh(cell) |
///
/// A GRU either applies the reset gate after the recurrent product, `h~ = tanh(x W_h + b_h + r *
/// (h R_h + b_rh))` (`resetAfter`: ONNX `linear_before_reset = 1`, PyTorch, Keras's default), or
/// before it, `h~ = tanh(x W_h + (r * h) R_h + b_h)` (ONNX's default, Keras `reset_after=False`).
public enum RecurrentCell: Hashable, Sendable, CustomStringConvertible {
    /// `h_t = tanh(x_t W + h_{t-1} R + b)`.
    case simpleRNN
    /// Gated recurrent unit: `h_t = (1 - z) * h~ + z * h_{t-1}`.
    case gru(resetAfter: Bool)
    /// Long short-term memory without peepholes: `c_t = f * c_{t-1} + i * g`, `h_t = o * tanh(c_t)`.
    case lstm

    /// The cell's definition, from which its cost and circuit derive.
    public var graph: CellGraph {
        switch self {
        case .simpleRNN: CellGraph.simpleRNN
        case .gru(let resetAfter): resetAfter ? CellGraph.gruResetAfter : CellGraph.gruResetBefore
        case .lstm: CellGraph.lstm
        }
    }

    /// The activation sites of one step of one layer, in plan order.
    public var sites: [SiteKind] {
        switch self {
        case .simpleRNN: [.hidden]
        case .gru: [.update, .reset, .hidden]
        case .lstm: [.input, .forget, .cellInput, .output, .cellState]
        }
    }

    /// Weight blocks side by side in each kernel (1, 3 or 4).
    public var blocks: Int {
        switch self {
        case .simpleRNN: 1
        case .gru: 3
        case .lstm: 4
        }
    }

    /// Whether the cell carries a second state (the LSTM's `c`).
    public var hasCellState: Bool { self == .lstm }

    /// The name in model files and tables: `SimpleRNN`, `GRU` or `LSTM`.
    public var name: String {
        switch self {
        case .simpleRNN: "SimpleRNN"
        case .gru: "GRU"
        case .lstm: "LSTM"
        }
    }

    public var description: String {
        switch self {
        case .gru(let after): "GRU (reset gate \(after ? "after" : "before") the recurrent product)"
        default: name
        }
    }
}

/// One kind of nonlinearity in a cell: what a plan assigns a candidate to, once per step and layer.
public enum SiteKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The SimpleRNN's tanh, or the GRU's candidate state tanh.
    case hidden = "h"
    /// The GRU's update gate.
    case update = "z"
    /// The GRU's reset gate.
    case reset = "r"
    /// The LSTM's input gate.
    case input = "i"
    /// The LSTM's forget gate.
    case forget = "f"
    /// The LSTM's cell input (candidate) tanh.
    case cellInput = "g"
    /// The LSTM's output gate.
    case output = "o"
    /// The LSTM's tanh of the new cell state.
    case cellState = "c"

    /// The function the site computes.
    public var function: ActivationFunction {
        switch self {
        case .hidden, .cellInput, .cellState: .tanh
        case .update, .reset, .input, .forget, .output: .sigmoid
        }
    }

    /// The site's letter in plan text (`h`, `z`, `r`, `i`, `f`, `g`, `o`, `c`).
    public var description: String { rawValue }
}
