import CellwiseCKKS
import CellwiseCore

/// The JSON form of a search result (`cellwise search --json`): the run's figures in the same
/// records as a comparison's `run.json`, plus the reference and the validation and test drops.
public struct SearchResultJSON: Encodable, Sendable {
    var strategy: String
    var seed: UInt64
    var budget: Int?
    var budgetSeconds: Double?
    var tolerance: Double
    var toleranceMode: String
    var candidates: [String]
    var evaluations: Int
    var wallSeconds: Double
    var budgetExhausted: Bool
    var partial: Bool
    var reference: PlanRecord
    var best: PlanRecord
    var validationDrop: Double
    var testDrop: Double?
    var pareto: [PlanRecord]
    var accepted: Int
    var trace: [TraceRecord]?
    /// The best plan's fits with their coefficients (set by the caller that has the fits).
    public var bestCandidates: [CandidateSpec]?
    /// The model file searched and the SHA-256 of its bytes (set by the caller that read it).
    public var model: String?
    public var modelSha256: String?

    /// The JSON form of `result`; the full trace only when `includeTrace`.
    public init(_ result: SearchResult, includeTrace: Bool = false) {
        let candidates = result.candidates
        strategy = result.strategy
        seed = result.seed
        budget = result.budget.evaluations
        budgetSeconds = result.budget.seconds
        tolerance = result.tolerance.value
        toleranceMode = result.tolerance.mode.rawValue
        self.candidates = candidates.map(\.description)
        evaluations = result.evaluations
        wallSeconds = result.wallSeconds
        budgetExhausted = result.budgetExhausted
        partial = result.interrupted
        reference = .init(result.reference.score, testAccuracy: result.reference.testAccuracy, candidates: candidates)
        best = .init(result.best.score, testAccuracy: result.best.testAccuracy, candidates: candidates)
        validationDrop = result.validationDrop
        testDrop = result.testDrop
        pareto = result.pareto.map { .init($0, candidates: candidates) }
        accepted = result.accepted.count
        trace = includeTrace ? result.trace.map(TraceRecord.init) : nil
    }
}
