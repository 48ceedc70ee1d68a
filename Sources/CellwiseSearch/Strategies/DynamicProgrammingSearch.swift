import CellwiseCKKS
import CellwiseCore
import Foundation

/// Dynamic programming over (cell, levels left in the bootstrap window, quantised accumulated
/// accuracy loss), in the spirit of OLA (Lee et al.): per-cell losses are measured one lowering
/// at a time and assumed additive; the DP then finds the lowest-latency plan whose predicted
/// loss fits the tolerance, deciding bootstrap placement jointly with the degrees.
///
/// Single-cell losses are noisy and interact (many lowerings that each cost nothing on their own
/// cost a lot together), so each lowering's predicted loss is its measured loss (at least 0) plus
/// `penalty x` the mean measured loss of its degree. Every DP plan is verified by a real
/// evaluation: when the true loss exceeds the tolerance the penalty is raised (the prediction is
/// tightened), when it fits the penalty is lowered; a geometric bisection on the penalty follows.
public struct DynamicProgrammingSearch: SearchStrategy {
    public static let name = "dp"
    public static let summary =
        "DP over (cell, levels left, quantised loss) on measured single-cell losses; verified and tightened."
    public static let options = [
        StrategyOption("buckets", "loss quantisation: the tolerance is split into this many steps (default 200)"),
        StrategyOption("steps", "verified DP plans after the sensitivity measurements (default 16)"),
    ]

    /// Quantisation steps of the allowance.
    public var buckets: Int
    /// Verified DP plans.
    public var steps: Int

    public init(options: StrategyOptions) throws {
        buckets = try options.int("buckets", default: 200, in: 1...100_000)
        steps = try options.int("steps", default: 16, in: 1...1000)
    }

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        // Measured losses per (free cell, gene); gains count as no loss.
        var measured = [[Double]](
            repeating: [Double](repeating: 0, count: space.candidates.count), count: space.freeCells.count)
        for s in try Sensitivity.measureAll(in: context) { measured[s.freeIndex][s.gene] = max(0, s.accuracyLoss) }
        // The mean loss of each degree over the cells: the prior every lowering pays `penalty` times.
        let prior = space.candidates.indices.map { gene in
            max(1e-4, measured.map { $0[gene] }.reduce(0, +) / Double(max(1, measured.count)))
        }
        let allowance = context.reference.accuracy - context.threshold
        let solver = try WindowDP(context: context)

        // Geometric search on the penalty: the smallest penalty whose plan verified, and the
        // largest smaller one whose plan failed.
        var passing = Double.infinity  // the reference (infinite penalty) always verifies
        var failing: Double? = nil
        var penalty = 1.0
        for _ in 0..<steps {
            let loss = measured.map { row in row.indices.map { row[$0] + penalty * prior[$0] } }
            let score = try context.evaluator.evaluate(solver.solve(loss: loss, allowance: allowance, buckets: buckets))
            if context.isWithinTolerance(score) {
                passing = min(passing, penalty)
                if let f = failing, f >= passing { failing = nil }
            } else if penalty < passing {
                failing = max(failing ?? 0, penalty)
            }
            switch (passing.isFinite, failing) {
            case (true, let f?):
                if passing / f < 1.05 { return }
                penalty = (passing * f).squareRoot()
            case (true, nil): penalty = passing / 4
            default: penalty = (failing ?? penalty) * 4
            }
        }
    }
}
