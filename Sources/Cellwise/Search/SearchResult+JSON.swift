/// The JSON form of a search result (`cellwise search --json`; the runs of `cellwise compare`).
public struct SearchResultJSON: Encodable, Sendable {
    /// A plan with its figures.
    public struct Plan: Encodable, Sendable {
        var plan: [Int]
        var planText: String
        var valAccuracy: Double
        var testAccuracy: Double?
        var latencySeconds: Double
        var bootstraps: Int
        var counts: [Int]?
    }

    /// One evaluation of the trace.
    public struct Evaluation: Encodable, Sendable {
        var index: Int
        var plan: String
        var valAccuracy: Double
        var latencySeconds: Double
        var bootstraps: Int
        var elapsedSeconds: Double
    }

    var strategy: String
    var seed: UInt64
    var budget: Int?
    var budgetSeconds: Double?
    var tolerance: Double
    var toleranceMode: String
    var degrees: [Int]
    var evaluations: Int
    var wallSeconds: Double
    var budgetExhausted: Bool
    var partial: Bool
    var reference: Plan
    var best: Plan
    var validationDrop: Double
    var testDrop: Double?
    var pareto: [Plan]
    var accepted: Int
    var trace: [Evaluation]?

    /// The JSON form of `result`; the full trace only when `includeTrace`.
    public init(_ result: SearchResult, includeTrace: Bool = false) {
        func plan(_ score: PlanScore, test: Double? = nil, counts: [Int]? = nil) -> Plan {
            Plan(plan: score.plan.codes, planText: score.plan.description, valAccuracy: score.accuracy, testAccuracy: test,
                 latencySeconds: score.latencySeconds, bootstraps: score.bootstraps, counts: counts)
        }
        strategy = result.strategy
        seed = result.seed
        budget = result.budget.evaluations
        budgetSeconds = result.budget.seconds
        tolerance = result.tolerance.value
        toleranceMode = result.tolerance.mode.rawValue
        degrees = result.degrees
        evaluations = result.evaluations
        wallSeconds = result.wallSeconds
        budgetExhausted = result.budgetExhausted
        partial = result.interrupted
        reference = plan(result.reference.score, test: result.reference.testAccuracy, counts: result.reference.counts)
        best = plan(result.best.score, test: result.best.testAccuracy, counts: result.best.counts)
        validationDrop = result.validationDrop
        testDrop = result.testDrop
        pareto = result.pareto.map { plan($0) }
        accepted = result.accepted.count
        trace = includeTrace ? result.trace.map {
            Evaluation(index: $0.index, plan: $0.score.plan.description, valAccuracy: $0.score.accuracy,
                       latencySeconds: $0.score.latencySeconds, bootstraps: $0.score.bootstraps, elapsedSeconds: $0.elapsedSeconds)
        } : nil
    }
}
