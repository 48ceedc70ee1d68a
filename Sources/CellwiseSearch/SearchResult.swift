import CellwiseCKKS
import CellwiseCore

/// What a search found.
public struct SearchResult: Sendable {
    /// A plan's figures in a result.
    public struct Entry: Sendable, Equatable {
        /// The plan and its validation accuracy and cost.
        public var score: PlanScore
        /// Test accuracy, measured once at the end (nil without a test split).
        public var testAccuracy: Double?
        /// Cells at each candidate, in cost order (the paper's (n3, n7, n17)).
        public var counts: [Int]
    }

    /// The strategy's name.
    public var strategy: String
    /// The seed of the strategy's random generator.
    public var seed: UInt64
    /// The budget.
    public var budget: Budget
    /// The tolerance.
    public var tolerance: Tolerance
    /// The candidates, in cost order.
    public var candidates: [Candidate]
    /// Evaluations spent (the reference included).
    public var evaluations: Int
    /// Wall time of the search (the final test measurements excluded).
    public var wallSeconds: Double
    /// Whether the budget ended the search (false: the strategy finished).
    public var budgetExhausted: Bool
    /// Whether a stop request (Ctrl-C, SIGTERM) ended the search: the result is partial.
    public var interrupted: Bool
    /// The all-highest-degree plan.
    public var reference: Entry
    /// The lowest-latency evaluated plan within tolerance of the reference (ties: higher accuracy).
    public var best: Entry
    /// Non-dominated evaluated plans (validation accuracy vs latency), by latency.
    public var pareto: [PlanScore]
    /// Plans accepted: by the strategy's own rule if it has one, else the plans other than the
    /// reference within tolerance of it.
    public var accepted: [ActivationPlan]
    /// Every evaluation, in order.
    public var trace: [TraceEntry]

    /// Validation accuracy lost by the best plan, in points.
    public var validationDrop: Double { reference.score.accuracy - best.score.accuracy }
    /// Test accuracy lost by the best plan, in points (nil without a test split).
    public var testDrop: Double? {
        guard let r = reference.testAccuracy, let b = best.testAccuracy else { return nil }
        return r - b
    }
}
