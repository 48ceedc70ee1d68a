import CellwiseCKKS
import CellwiseCore

/// The plans no other plan beats on both accuracy (higher) and latency (lower).
public enum ParetoFront {
    /// The non-dominated scores, by increasing latency (one per distinct (latency, accuracy)).
    public static func of(_ scores: [PlanScore]) -> [PlanScore] {
        // The non-dominated (latency, accuracy) pairs first; among the plans of each, the one with the
        // least text. Plan texts are made only for those plans: a GRU's or LSTM's is not cheap.
        let sorted = scores.sorted {
            ($0.latencySeconds, -$0.accuracy) < ($1.latencySeconds, -$1.accuracy)
        }
        var front = [PlanScore]()
        var bestAccuracy = -Double.infinity
        var index = 0
        while index < sorted.count {
            var end = index + 1
            while end < sorted.count && sorted[end].latencySeconds == sorted[index].latencySeconds
                && sorted[end].accuracy == sorted[index].accuracy
            {
                end += 1
            }
            if sorted[index].accuracy > bestAccuracy {
                let tied = sorted[index..<end]
                front.append(
                    tied.count == 1
                        ? sorted[index] : tied.map { ($0, $0.plan.description) }.min { $0.1 < $1.1 }!.0)
                bestAccuracy = sorted[index].accuracy
            }
            index = end
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
