import CellwiseCKKS
import CellwiseCore

/// The plans no other plan beats on both accuracy (higher) and latency (lower).
public enum ParetoFront {
    /// The non-dominated scores, by increasing latency (one per distinct (latency, accuracy)).
    public static func of(_ scores: [PlanScore]) -> [PlanScore] {
        // Plan texts (the tie-break) are made once each: a GRU's or LSTM's is not cheap.
        let sorted = scores.map { (score: $0, text: $0.plan.description) }.sorted {
            ($0.score.latencySeconds, -$0.score.accuracy, $0.text) < (
                $1.score.latencySeconds, -$1.score.accuracy, $1.text
            )
        }.map(\.score)
        var front = [PlanScore]()
        var bestAccuracy = -Double.infinity
        for score in sorted where score.accuracy > bestAccuracy {
            front.append(score)
            bestAccuracy = score.accuracy
        }
        return front
    }

    /// Whether `a` dominates `b`: no worse on both objectives and better on one.
    public static func dominates(_ a: PlanScore, _ b: PlanScore) -> Bool {
        a.accuracy >= b.accuracy && a.latencySeconds <= b.latencySeconds
            && (a.accuracy > b.accuracy || a.latencySeconds < b.latencySeconds)
    }

    /// The hypervolume of a front against a reference point (accuracy floor, latency ceiling):
    /// the area of the (latency, accuracy) region the front dominates, in accuracy x seconds.
    public static func hypervolume(of scores: [PlanScore], accuracyFloor: Double, latencyCeiling: Double) -> Double {
        let front = of(scores).filter { $0.accuracy > accuracyFloor && $0.latencySeconds < latencyCeiling }
        var volume = 0.0
        for (index, point) in front.enumerated() {
            let nextLatency = index + 1 < front.count ? front[index + 1].latencySeconds : latencyCeiling
            volume += (nextLatency - point.latencySeconds) * (point.accuracy - accuracyFloor)
        }
        return volume
    }
}
