/// The pre-activations one cell saw on a fitting split, as a histogram: what `range` and
/// `weighted` fits are made from.
///
/// Built from the exact model (every cell exact), so that a cell's fit does not depend on the
/// plan around it; docs/approximations.md explains the choice and measures the alternative.
public struct CellDistribution: Sendable, Equatable, Codable {
    /// The smallest value seen.
    public let minimum: Double
    /// The largest value seen.
    public let maximum: Double
    /// Counts of equal-width bins over [minimum, maximum].
    public let counts: [Int]

    /// Bins of the histograms Cellwise builds.
    public static let binCount = 2048

    /// A histogram from its parts (e.g. a known distribution in tests).
    public init(minimum: Double, maximum: Double, counts: [Int]) {
        self.minimum = minimum
        self.maximum = maximum
        self.counts = counts
    }

    /// The number of values.
    public var total: Int { counts.reduce(0, +) }

    /// The centre of bin `index`.
    public func centre(of index: Int) -> Double {
        minimum + (maximum - minimum) * (Double(index) + 0.5) / Double(counts.count)
    }

    /// The share of the values outside [lower, upper] (bins counted by their centres).
    public func fractionOutside(_ lower: Double, _ upper: Double) -> Double {
        let total = self.total
        guard total > 0 else { return 0 }
        var outside = 0
        for (index, count) in counts.enumerated() {
            let x = centre(of: index)
            if x < lower || x > upper { outside += count }
        }
        return Double(outside) / Double(total)
    }
}
