/// The kind of recurrent cell a model's layers use: a ``CellGraph``, from which the evaluator,
/// the gradients, the cost model and the encrypted circuit all derive. Any graph is a cell kind;
/// Cellwise ships four.
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
///
/// ```swift
/// let mgu = RecurrentCell(try CellGraph(name: "MGU", ...))   // a kind of one's own
/// ```
public struct RecurrentCell: Hashable, Sendable, CustomStringConvertible {
    /// The cell's definition.
    public let graph: CellGraph

    /// The cell that `graph` defines.
    public init(_ graph: CellGraph) { self.graph = graph }

    /// `h_t = tanh(x_t W + h_{t-1} R + b)`.
    public static let simpleRNN = RecurrentCell(.simpleRNN)
    /// Gated recurrent unit: `h_t = (1 - z) * h~ + z * h_{t-1}`.
    public static func gru(resetAfter: Bool) -> RecurrentCell {
        RecurrentCell(resetAfter ? .gruResetAfter : .gruResetBefore)
    }
    /// Long short-term memory without peepholes: `c_t = f * c_{t-1} + i * g`, `h_t = o * tanh(c_t)`.
    public static let lstm = RecurrentCell(.lstm)
    /// The kinds Cellwise defines.
    public static let builtIn: [RecurrentCell] = [.simpleRNN, .gru(resetAfter: true), .gru(resetAfter: false), .lstm]

    /// The activation sites of one step of one layer, in plan order.
    public var sites: [SiteKind] { graph.sites.map(\.kind) }

    /// Weight blocks side by side in each kernel.
    public var blocks: Int { graph.blocks }

    /// Whether the cell carries a second state (the LSTM's `c`).
    public var hasCellState: Bool { graph.states.count > 1 }

    /// Whether a recurrent product adds the layer's recurrent bias `b_r` (`u` values; a GRU with
    /// the reset after the product).
    public var hasRecurrentBias: Bool {
        graph.nodes.contains { node in
            if case .recurrentProduct(_, _, true) = node.operation { true } else { false }
        }
    }

    /// Whether it is one of ``builtIn``.
    public var isBuiltIn: Bool { Self.builtIn.contains(self) }

    /// For a built-in GRU, whether the reset gate comes after the recurrent product; else nil.
    public var resetAfter: Bool? {
        self == .gru(resetAfter: true) ? true : self == .gru(resetAfter: false) ? false : nil
    }

    /// The name in model files and tables: `SimpleRNN`, `GRU`, `LSTM` or the graph's.
    public var name: String { graph.name }

    public var description: String {
        resetAfter.map { "GRU (reset gate \($0 ? "after" : "before") the recurrent product)" } ?? name
    }
}

/// One kind of nonlinearity in a cell: what a plan assigns a candidate to, once per step and layer.
///
/// A kind is a letter (its name in plan text, `z=3;r=3;h=7`) and the function it computes. The
/// built-in cells' kinds are below; a cell of one's own may name others.
public struct SiteKind: Hashable, Sendable, CustomStringConvertible {
    /// Its letter in plan text (letters, digits and `~` only; unique within a cell).
    public let letter: String
    /// The function the site computes.
    public let function: ActivationFunction

    /// A kind named `letter` computing `function`.
    ///
    /// - Throws: ``ConfigurationError`` (key `site`) for a letter plan text cannot hold.
    public init(_ letter: String, function: ActivationFunction) throws {
        guard !letter.isEmpty, letter.count <= 8,
            letter.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "~") }),
            letter.first?.isLetter == true
        else {
            throw ConfigurationError(
                key: "site",
                problem: "\"\(letter)\" is not a site letter (1-8 ASCII letters, digits or ~, "
                    + "starting with a letter)")
        }
        self.letter = letter
        self.function = function
    }

    private init(known letter: String, _ function: ActivationFunction) {
        self.letter = letter
        self.function = function
    }

    /// The SimpleRNN's tanh, or the GRU's candidate state tanh.
    public static let hidden = SiteKind(known: "h", .tanh)
    /// The GRU's update gate.
    public static let update = SiteKind(known: "z", .sigmoid)
    /// The GRU's reset gate.
    public static let reset = SiteKind(known: "r", .sigmoid)
    /// The LSTM's input gate.
    public static let input = SiteKind(known: "i", .sigmoid)
    /// The LSTM's forget gate.
    public static let forget = SiteKind(known: "f", .sigmoid)
    /// The LSTM's cell input (candidate) tanh.
    public static let cellInput = SiteKind(known: "g", .tanh)
    /// The LSTM's output gate.
    public static let output = SiteKind(known: "o", .sigmoid)
    /// The LSTM's tanh of the new cell state.
    public static let cellState = SiteKind(known: "c", .tanh)
    /// The built-in cells' kinds.
    public static let builtIn: [SiteKind] = [
        .hidden, .update, .reset, .input, .forget, .cellInput, .output, .cellState,
    ]

    /// The built-in kind with letter `letter`, or nil.
    public static func builtIn(_ letter: String) -> SiteKind? { builtIn.first { $0.letter == letter } }

    /// The site's letter in plan text.
    public var description: String { letter }
}
