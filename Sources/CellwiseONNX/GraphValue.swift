import CellwiseCore

/// A dimension of a tensor in the graph: a number, or a name the graph leaves open (the batch,
/// sometimes the sequence length).
enum Dimension: Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)

    var fixedValue: Int? {
        if case .fixed(let n) = self { return n }
        return nil
    }

    var description: String {
        switch self {
        case .fixed(let n): "\(n)"
        case .symbol(let name): name
        }
    }
}

/// What one axis of the data tensor holds.
enum AxisRole: Hashable, CustomStringConvertible {
    case batch
    case time
    case feature
    /// A length-1 axis (a one-direction recurrent operator's direction axis, or one added by `Unsqueeze`).
    case unit
    /// A bidirectional operator's direction axis: the forward pass, then the reverse one.
    case direction

    var description: String {
        switch self {
        case .batch: "batch"
        case .time: "time"
        case .feature: "feature"
        case .unit: "unit"
        case .direction: "direction"
        }
    }
}

/// One axis of the data tensor.
struct Axis: Hashable {
    var role: AxisRole
    var size: Dimension
}

/// The per-feature preprocessing the graph applies to its input before the first recurrent
/// layer, as `(x - mean) / deviation` (folded from `Sub`, `Div`, `Mul` and `Add` by constants).
struct InputAffine: Equatable {
    var mean: [Double]
    var deviation: [Double]

    init(features: Int) {
        mean = .init(repeating: 0, count: features)
        deviation = .init(repeating: 1, count: features)
    }

    var isIdentity: Bool { mean.allSatisfy { $0 == 0 } && deviation.allSatisfy { $0 == 1 } }
}

/// The value carrying the samples, from the graph input to the logits.
struct DataValue {
    /// How far along the model the value is.
    enum Stage: Equatable {
        /// Every step of the input (`layers` 0) or of the last of `layers` recurrent layers.
        case sequence(layers: Int)
        /// The last step's hidden state after `layers` recurrent layers.
        case last(layers: Int)
        /// An LSTM's final cell state (which the head cannot read).
        case cellState
        /// The head's output.
        case logits
    }

    var axes: [Axis]
    var stage: Stage
    /// The time axis holds only the last step (after a `Slice` of the last step).
    var timeSelected = false
    /// The input preprocessing folded so far (stage `.sequence(layers: 0)` only).
    var affine: InputAffine?
    /// The head, once read: `units x classes` and `classes`.
    var head: (kernel: [Float], bias: [Float])?
    /// One pass of a bidirectional layer's output, selected from its direction axis (0 forward, 1 reverse).
    var pass: Int?
    /// How a bidirectional layer's passes were merged into this value (nil while they are apart).
    var merge: LayerMerge?
    /// The value is one step selected from a layer's sequence `Y` (not its final state `Y_h`).
    var selectedFromSequence = false

    var roles: [AxisRole] { axes.map(\.role) }

    /// The axes, e.g. `[batch, time, feature]`, for messages.
    var layout: String { "[" + axes.map { "\($0.role)" }.joined(separator: ", ") + "]" }
}

/// The abstract value of a tensor name in the graph.
enum GraphValue {
    /// A constant (initializer, `Constant`, or folded).
    case constant(ONNXTensor)
    /// A 1-D integer tensor some of whose elements depend on the input's open dimensions (from `Shape`).
    case dims([Dimension])
    /// An all-zero tensor of a shape that may depend on the batch (an initial state).
    case zeros
    /// The samples.
    case data(DataValue)
}
