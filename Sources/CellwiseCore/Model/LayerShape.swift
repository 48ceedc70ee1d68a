/// The shape of one recurrent layer without its weights: cell kind, units per pass, direction
/// and (for a bidirectional layer) merge. A list of them, with the input's width, makes a model
/// (``RecurrentModel/init(stack:inputSize:classes:timeSteps:input:)``).
///
/// ```swift
/// let stack = [LayerShape(cell: .gru(resetAfter: true), units: 32, direction: .bidirectional),
///              LayerShape(cell: .lstm, units: 16)]
/// ```
public struct LayerShape: Hashable, Sendable {
    /// The cell kind.
    public var cell: RecurrentCell
    /// Hidden units per pass.
    public var units: Int
    /// Which way it runs.
    public var direction: LayerDirection
    /// How a bidirectional layer's passes combine.
    public var merge: LayerMerge

    /// A layer of `units` `cell`s.
    public init(cell: RecurrentCell, units: Int, direction: LayerDirection = .forward, merge: LayerMerge = .concat) {
        self.cell = cell
        self.units = units
        self.direction = direction
        self.merge = merge
    }
}
