import CellwiseCKKS
import CellwiseCore

/// Sensitivity ranking, the cell-wise analogue of DeepReDuce: measure every single-cell lowering
/// of the reference, rank them by accuracy lost per second of latency saved, then lower cells in
/// that order, keeping each lowering whose plan (with all lowerings kept so far) stays within
/// tolerance of the reference.
public struct GreedySensitivitySearch: SearchStrategy {
    public static let name = "greedy"
    public static let summary =
        "Rank single-cell lowerings by accuracy lost per second saved; apply them in order, verifying each."

    public init(options: StrategyOptions) throws {}

    public mutating func run(in context: SearchContext) throws {
        let ranked = try Sensitivity.measureAll(in: context).sorted { a, b in
            let ka = a.accuracyLoss / max(a.secondsSaved, 1e-9)
            let kb = b.accuracyLoss / max(b.secondsSaved, 1e-9)
            return (ka, a.freeIndex, a.gene) < (kb, b.freeIndex, b.gene)
        }
        let top = context.space.candidates.count - 1
        var current = [Int](repeating: top, count: context.space.freeCells.count)
        for step in ranked where step.gene < current[step.freeIndex] {
            var candidate = current
            candidate[step.freeIndex] = step.gene
            let score = try context.evaluator.evaluate(context.space.plan(genes: candidate))
            if context.isWithinTolerance(score) { current = candidate }
        }
    }
}
