import CellwiseCKKS
import CellwiseCore

/// A plan with its figures, as `run.json`, `search --json` and the tables record it.
public struct PlanRecord: Codable, Sendable, Equatable {
    /// The plan in text form.
    public var plan: String
    /// Validation accuracy.
    public var valAccuracy: Double
    /// Test accuracy (measured once, for reference and best plans).
    public var testAccuracy: Double?
    /// Latency under the cost model.
    public var latencySeconds: Double
    /// Bootstraps.
    public var bootstraps: Int
    /// Sites at each candidate (whatever their function), in cost order.
    public var counts: [Int]

    /// The record of `score`, with its counts of each of `candidates`.
    public init(_ score: PlanScore, testAccuracy: Double? = nil, candidates: [Candidate]) {
        plan = score.plan.description
        valAccuracy = score.accuracy
        self.testAccuracy = testAccuracy
        latencySeconds = score.latencySeconds
        bootstraps = score.bootstraps
        counts = candidates.map { candidate in
            score.plan.activations.filter { $0.candidate?.with(function: .tanh) == candidate }.count
        }
    }
}
