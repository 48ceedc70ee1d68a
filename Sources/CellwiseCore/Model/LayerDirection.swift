/// Which way a layer runs over the time steps, as ONNX's `direction` attribute says.
///
/// A `bidirectional` layer has two passes, each with its own weights: one forward, one from the
/// last step back to the first (PyTorch's `bidirectional=True`, Keras's `Bidirectional`). Its
/// output at each step is the two passes' states there, merged by the layer's ``LayerMerge``.
public enum LayerDirection: String, Hashable, Sendable, CaseIterable, Codable {
    /// From the first step to the last.
    case forward
    /// From the last step to the first (Keras's `go_backwards`).
    case reverse
    /// Both, with separate weights.
    case bidirectional

    /// The passes a layer runs, in site and weight order: forward first.
    public var passes: [PassDirection] {
        switch self {
        case .forward: [.forward]
        case .reverse: [.backward]
        case .bidirectional: [.forward, .backward]
        }
    }
}

/// The direction of one pass of a layer over the time steps.
public enum PassDirection: String, Hashable, Sendable, CaseIterable, Codable {
    /// Step `s` of the pass reads time step `s`.
    case forward
    /// Step `s` of the pass reads time step `T - 1 - s`.
    case backward

    /// The time step that step `step` of a pass over `timeSteps` steps reads.
    @inline(__always)
    public func position(ofStep step: Int, timeSteps: Int) -> Int {
        self == .forward ? step : timeSteps - 1 - step
    }
}

/// How a bidirectional layer combines its two passes' states into its output: side by side
/// (`concat`: PyTorch, and Keras's default `merge_mode`) or added (`sum`: Keras `merge_mode="sum"`).
public enum LayerMerge: String, Hashable, Sendable, CaseIterable, Codable {
    /// `[h_forward | h_backward]`, twice the units.
    case concat
    /// `h_forward + h_backward`.
    case sum
}

extension LayerDirection: ConfigurationChoice {}
extension LayerMerge: ConfigurationChoice {}
