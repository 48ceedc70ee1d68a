import CellwiseCKKS
import CellwiseCore
import Foundation

/// A plan with its validation accuracy and CKKS cost.
public struct PlanScore: Sendable, Equatable {
    /// The plan.
    public var plan: ActivationPlan
    /// Validation accuracy.
    public var accuracy: Double
    /// Latency under the cost model, in seconds.
    public var latencySeconds: Double
    /// Bootstraps under the cost model.
    public var bootstraps: Int

    /// Creates a score.
    public init(plan: ActivationPlan, accuracy: Double, latencySeconds: Double, bootstraps: Int) {
        self.plan = plan
        self.accuracy = accuracy
        self.latencySeconds = latencySeconds
        self.bootstraps = bootstraps
    }
}

/// One evaluation of a search.
public struct TraceEntry: Sendable, Equatable {
    /// 1-based evaluation number (the reference is 1).
    public var index: Int
    /// The plan and its scores.
    public var score: PlanScore
    /// Seconds since the search started.
    public var elapsedSeconds: Double
}

/// Why a search stopped early.
public enum SearchStop: Error, Equatable, CustomStringConvertible {
    /// The evaluation or time budget is spent.
    case budgetExhausted
    /// A stop was requested (Ctrl-C, SIGTERM; see ``Interruption``).
    case interrupted

    public var description: String {
        switch self {
        case .budgetExhausted: "the search budget is spent"
        case .interrupted: "the search was interrupted"
        }
    }
}

/// The only way a strategy can measure a plan: it prices the plan with the cost model, asks the
/// accuracy oracle, caches the answer, records it in the trace, and refuses once the budget is
/// spent.
///
/// A plan already evaluated is answered from the cache and costs nothing. Before every new
/// evaluation the budget is checked, so no strategy can spend more than it was given.
public final class BudgetedEvaluator {
    /// The budget.
    public let budget: Budget
    /// The cost model plans are priced with.
    public let costModel: CostModel
    /// The bootstrap placement used for pricing.
    public let placement: PlacementStrategy
    /// Every evaluation, in order.
    public private(set) var trace: [TraceEntry] = []
    /// Called after every new evaluation (e.g. to append it to a ``TraceLog``); an error it
    /// throws ends the search.
    public var onEvaluation: ((TraceEntry) throws -> Void)?
    /// Called with a note about the search that is not an evaluation (an external strategy's
    /// packages); the driver writes it to the trace.
    public var onNote: (([String: String]) throws -> Void)?

    private let oracle: any AccuracyOracle
    /// Every plan measured: in this run or in the interrupted run it continues.
    private var scores: [ActivationPlan: PlanScore] = [:]
    /// The plans this run's strategy has asked for. A plan replayed from an interrupted run is
    /// new to the strategy until it asks for it, exactly as in the uninterrupted run.
    private var visited: Set<ActivationPlan> = []
    private var costs: [ActivationPlan: CostReport] = [:]
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    /// Creates an evaluator; the clock of a time budget starts now.
    ///
    /// - Parameter replay: Evaluations of an interrupted run of the same search (from its
    ///   ``TraceLog``): they are in the trace and count against the budget, and the strategy gets
    ///   their scores from the cache, so it retraces its steps and continues where it stopped.
    public init(
        oracle: any AccuracyOracle, costModel: CostModel, placement: PlacementStrategy, budget: Budget,
        replay: [TraceEntry] = []
    ) {
        self.oracle = oracle
        self.costModel = costModel
        self.placement = placement
        self.budget = budget
        started = clock.now
        trace = replay
        offset = replay.last?.elapsedSeconds ?? 0
        for entry in replay { scores[entry.score.plan] = entry.score }
    }

    /// Seconds spent by the interrupted run this one continues.
    private let offset: Double

    /// Evaluations spent so far.
    public var used: Int { trace.count }

    /// Evaluations left (nil when only time is limited).
    public var remaining: Int? { budget.evaluations.map { max(0, $0 - used) } }

    /// Seconds the search has run (the interrupted run it continues included).
    public var elapsedSeconds: Double { offset + (clock.now - started).inSeconds }

    /// Whether another new evaluation would exceed the budget.
    public var isExhausted: Bool {
        if let limit = budget.evaluations, used >= limit { return true }
        if let seconds = budget.seconds, elapsedSeconds >= seconds { return true }
        return false
    }

    /// The score of `plan`, measuring it if it is new.
    ///
    /// - Throws: ``SearchStop/budgetExhausted`` when a new evaluation would exceed the budget;
    ///   ``PlanError`` or ``CostModelError`` for a plan the model cannot run or price.
    public func evaluate(_ plan: ActivationPlan) throws -> PlanScore {
        if let known = scores[plan] {
            visited.insert(plan)
            return known
        }
        guard plan.count == oracle.cells else {
            throw PlanError(plan: plan.description, problem: "has \(plan.count) cells, the model has \(oracle.cells)")
        }
        guard !isExhausted else { throw SearchStop.budgetExhausted }
        guard !Interruption.isRequested else { throw SearchStop.interrupted }
        let report = try cost(of: plan)
        let accuracy = try oracle.accuracy(of: plan)
        let score = PlanScore(
            plan: plan, accuracy: accuracy, latencySeconds: report.latencySeconds, bootstraps: report.bootstraps)
        scores[plan] = score
        visited.insert(plan)
        let entry = TraceEntry(index: trace.count + 1, score: score, elapsedSeconds: elapsedSeconds)
        trace.append(entry)
        try onEvaluation?(entry)
        return score
    }

    /// The score of `plan` if this search already asked for it (free).
    ///
    /// A plan the strategy has not asked for yet is unknown even when a resumed run replayed it
    /// from its trace, so a strategy that skips known plans behaves as in an uninterrupted run.
    public func knownScore(of plan: ActivationPlan) -> PlanScore? {
        visited.contains(plan) ? scores[plan] : nil
    }

    /// The number of distinct plans this search has asked for (the reference included).
    ///
    /// Use it, not ``used``, to tell whether a step of a strategy found anything new: on a
    /// resumed run ``used`` counts the replayed evaluations from the start, while this counts
    /// plans as the strategy reaches them, exactly as in the uninterrupted run.
    public var distinctPlans: Int { visited.count }

    /// The CKKS cost of `plan` (free: the cost model only, no accuracy measurement).
    public func cost(of plan: ActivationPlan) throws -> CostReport {
        if let known = costs[plan] { return known }
        let report = try costModel.cost(of: plan, placement: placement)
        costs[plan] = report
        return report
    }
}
