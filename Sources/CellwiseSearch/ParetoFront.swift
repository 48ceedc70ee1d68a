import CellwiseCKKS
import CellwiseCore

/// The plans no other plan beats on both accuracy (higher) and latency (lower).
public enum ParetoFront {
    /// The non-dominated scores, by increasing latency (one per distinct (latency, accuracy)).
    public static func of(_ scores: [PlanScore]) -> [PlanScore] {
        let sorted = scores.sorted {
            ($0.latencySeconds, -$0.accuracy, $0.plan.description) < (
                $1.latencySeconds, -$1.accuracy, $1.plan.description
            )
        }
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
