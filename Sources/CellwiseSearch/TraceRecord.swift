import CellwiseCKKS
import CellwiseCore

/// One evaluation, as a trace line and `run.json` record it.
public struct TraceRecord: Codable, Sendable, Equatable {
    /// 1-based evaluation number.
    public var index: Int
    /// The plan in text form.
    public var plan: String
    /// Validation accuracy.
    public var valAccuracy: Double
    /// Latency under the cost model.
    public var latencySeconds: Double
    /// Bootstraps.
    public var bootstraps: Int
    /// Seconds since the run started (timing).
    public var elapsedSeconds: Double

    /// The record of `entry`.
    public init(_ entry: TraceEntry) {
        index = entry.index
        plan = entry.score.plan.description
        valAccuracy = entry.score.accuracy
        latencySeconds = entry.score.latencySeconds
        bootstraps = entry.score.bootstraps
        elapsedSeconds = entry.elapsedSeconds
    }

    /// The trace entry it records.
    public func entry() throws -> TraceEntry {
        TraceEntry(
            index: index,
            score: PlanScore(
                plan: try ActivationPlan(parsing: plan), accuracy: valAccuracy,
                latencySeconds: latencySeconds, bootstraps: bootstraps),
            elapsedSeconds: elapsedSeconds)
    }
}
