import CellwiseCore
import CellwiseSearch
import Foundation

/// The anytime performance of one search: after each evaluation, the lowest latency of a plan
/// within tolerance found so far (as IOHprofiler and COCO plot a run's best-so-far value).
public struct AnytimeCurve: Sendable, Equatable {
    /// `best[i]` is the lowest latency within tolerance after `i + 1` evaluations (infinity
    /// before the first plan within tolerance).
    public var best: [Double]

    /// Follows `trace`; `accepts` tells whether a validation accuracy is within tolerance.
    public init(trace: [TraceRecord], accepts: (Double) -> Bool) {
        var current = Double.infinity
        best = trace.sorted { $0.index < $1.index }.map { entry in
            if accepts(entry.valAccuracy) { current = min(current, entry.latencySeconds) }
            return current
        }
    }

    /// The best latency after `evaluations` evaluations; a run that stopped earlier keeps its
    /// final value (infinity when none is within tolerance, or for zero evaluations).
    public func value(after evaluations: Int) -> Double {
        guard evaluations > 0, let last = best.last else { return .infinity }
        return evaluations <= best.count ? best[evaluations - 1] : last
    }
}

/// Anytime curves of one strategy over its seeds: at each budget on a grid, the median and the
/// interquartile range of the runs' best latencies.
public struct AnytimeSummary: Sendable, Equatable {
    /// One budget of the grid.
    public struct Point: Sendable, Equatable {
        /// Evaluations spent.
        public var evaluations: Int
        /// The quartiles over the runs (linear interpolation, NumPy's default): 25%, 50%, 75%.
        /// Infinity where the quartile's runs have no plan within tolerance yet.
        public var lower, median, upper: Double
    }

    /// The strategy.
    public var strategy: String
    /// The summary at each budget of the grid.
    public var points: [Point]

    /// Summarises `curves` (one per seed) at each budget of `grid`.
    public init(strategy: String, curves: [AnytimeCurve], grid: [Int]) {
        self.strategy = strategy
        points = grid.map { evaluations in
            let values = curves.map { $0.value(after: evaluations) }.sorted()
            return Point(
                evaluations: evaluations, lower: Self.quantile(values, 0.25), median: Self.quantile(values, 0.5),
                upper: Self.quantile(values, 0.75))
        }
    }

    /// The `q` quantile of sorted `values`, interpolated linearly between order statistics
    /// (NumPy's default method); infinity when an interpolated neighbour is infinite.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .infinity }
        let position = q * Double(values.count - 1)
        let (low, high) = (Int(position.rounded(.down)), Int(position.rounded(.up)))
        if low == high || values[high] == values[low] { return values[low] }
        guard values[high].isFinite else { return .infinity }
        return values[low] + (position - Double(low)) * (values[high] - values[low])
    }

    /// Budgets 1, 2, 4, ... below `budget`, then `budget` itself.
    public static func grid(budget: Int, from first: Int = 1, factor: Int = 2) -> [Int] {
        guard budget >= 1 else { return [] }
        var grid = [Int]()
        var n = max(1, first)
        while n < budget {
            grid.append(n)
            n *= max(2, factor)
        }
        return grid + [budget]
    }
}

extension ComparisonRecord {
    /// Whether a validation accuracy is within the comparison's tolerance (of the reference plan,
    /// or of the exact model when the config says so).
    public func accepts(_ accuracy: Double) -> Bool {
        config.tolerance.accepts(accuracy, reference: toleranceBase)
    }

    /// The accuracy the tolerance is measured against.
    public var toleranceBase: Double {
        config.reference == .exact ? model.searchAccuracyTanh ?? model.validationAccuracyTanh : reference.valAccuracy
    }

    /// Each strategy's anytime summary, in config order, on `grid` (default: powers of two up to the budget).
    public func anytime(grid: [Int]? = nil) -> [AnytimeSummary] {
        let grid = grid ?? AnytimeSummary.grid(budget: config.budget)
        return config.strategies.compactMap { name in
            let runs = runs.filter { $0.strategy == name }
            guard !runs.isEmpty else { return nil }
            return AnytimeSummary(
                strategy: name, curves: runs.map { AnytimeCurve(trace: $0.trace, accepts: accepts) }, grid: grid)
        }
    }
}
