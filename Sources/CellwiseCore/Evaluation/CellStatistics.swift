/// What one cell's activation sees: the range of its inputs and how many fall outside the
/// polynomial's fitting interval.
public struct CellStatistics: Sendable, Equatable, Codable {
    /// Smallest pre-activation value.
    public var min: Float = .infinity
    /// Largest pre-activation value.
    public var max: Float = -.infinity
    /// Values outside the fitting interval (non-finite values count as outside).
    public var outside = 0
    /// Values seen (samples x units).
    public var values = 0

    /// The share of values outside the interval.
    public var outsideFraction: Double { values == 0 ? 0 : Double(outside) / Double(values) }

    /// Creates empty statistics.
    public init() {}

    /// The observed range.
    public var range: ValueRange { ValueRange(min: min, max: max) }
}
