import CellwiseCKKS
import CellwiseCore

/// What a strategy works with: the space of plans, the cost model, the tolerance, a seeded
/// random generator, the budget-enforcing evaluator and the reference plan.
public final class SearchContext {
    /// The plans the strategy may visit.
    public let space: SearchSpace
    /// How close to the reference a plan must stay.
    public let tolerance: Tolerance
    /// The only way to measure plans.
    public let evaluator: BudgetedEvaluator
    /// The all-highest-degree plan, evaluated by the driver before the strategy starts.
    public let reference: PlanScore
    /// The strategy's random numbers (seeded; the same seed gives the same search).
    public var random: SeededGenerator
    /// The seed of ``random`` (what an external strategy receives).
    public let seed: UInt64
    /// Plans the strategy declared accepted by its own rule (e.g. DFS's parent rule). Without
    /// such a rule (``hasOwnAcceptanceRule`` false) the accepted plans are those within tolerance
    /// of the reference.
    public private(set) var accepted: [ActivationPlan] = []
    /// Whether the strategy reports accepted plans itself (set by ``markAccepted(_:)``'s caller).
    public var hasOwnAcceptanceRule = false
    private var acceptedSet: Set<ActivationPlan> = []

    /// The accuracy the tolerance is measured against: the reference plan's (the default) or the
    /// exact model's (``Search/Setup/baselineAccuracy``).
    public let baselineAccuracy: Double

    /// Creates a context; the tolerance is measured against `baselineAccuracy` (default: the
    /// reference plan's accuracy).
    public init(
        space: SearchSpace, tolerance: Tolerance, evaluator: BudgetedEvaluator, reference: PlanScore, seed: UInt64,
        baselineAccuracy: Double? = nil
    ) {
        self.space = space
        self.tolerance = tolerance
        self.evaluator = evaluator
        self.reference = reference
        self.random = SeededGenerator(seed: seed)
        self.seed = seed
        self.baselineAccuracy = baselineAccuracy ?? reference.accuracy
    }

    /// The lowest accuracy within tolerance (of ``baselineAccuracy``).
    public var threshold: Double { tolerance.threshold(reference: baselineAccuracy) }

    /// The number of cells.
    public var cells: Int { space.cells }
    /// The candidates, in cost order.
    public var candidates: [Candidate] { space.candidates }
    /// The cost model.
    public var costModel: CostModel { evaluator.costModel }

    /// Whether `score` is within tolerance of the reference.
    public func isWithinTolerance(_ score: PlanScore) -> Bool {
        tolerance.accepts(score.accuracy, reference: baselineAccuracy)
    }

    /// Records `plan` as accepted by the strategy's own rule.
    public func markAccepted(_ plan: ActivationPlan) {
        if acceptedSet.insert(plan).inserted { accepted.append(plan) }
    }
}
