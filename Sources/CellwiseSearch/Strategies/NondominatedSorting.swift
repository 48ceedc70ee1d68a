import CellwiseCKKS
import CellwiseCore

/// NSGA-II's ranking: fronts by non-dominated sorting, crowding distance within a front.
enum NondominatedSorting {
    /// Front index (0 = best) of each score: maximise accuracy, minimise latency.
    static func ranks(_ scores: [PlanScore]) -> [Int] {
        let n = scores.count
        var dominatedBy = [Int](repeating: 0, count: n)
        var dominates = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in 0..<n where i != j {
                if ParetoFront.dominates(scores[i], scores[j]) {
                    dominates[i].append(j)
                } else if ParetoFront.dominates(scores[j], scores[i]) {
                    dominatedBy[i] += 1
                }
            }
        }
        var rank = [Int](repeating: 0, count: n)
        var current = (0..<n).filter { dominatedBy[$0] == 0 }
        var front = 0
        while !current.isEmpty {
            var next = [Int]()
            for i in current {
                rank[i] = front
                for j in dominates[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next.sorted()
            front += 1
        }
        return rank
    }

    /// Crowding distance of each member of one front (indices into `scores`); the extremes get infinity.
    static func crowding(_ scores: [PlanScore], front: [Int]) -> [Int: Double] {
        var distance = [Int: Double]()
        for i in front { distance[i] = 0 }
        guard front.count > 2 else {
            for i in front { distance[i] = .infinity }
            return distance
        }
        for objective in [\PlanScore.accuracy, \PlanScore.latencySeconds] {
            let sorted = front.sorted { (scores[$0][keyPath: objective], $0) < (scores[$1][keyPath: objective], $1) }
            let span = scores[sorted[sorted.count - 1]][keyPath: objective] - scores[sorted[0]][keyPath: objective]
            distance[sorted[0]] = .infinity
            distance[sorted[sorted.count - 1]] = .infinity
            guard span > 0 else { continue }
            for k in 1..<(sorted.count - 1) {
                distance[sorted[k], default: 0] +=
                    (scores[sorted[k + 1]][keyPath: objective] - scores[sorted[k - 1]][keyPath: objective]) / span
            }
        }
        return distance
    }

    /// The `count` best of `scores` by (front, crowding distance descending), as indices.
    static func survivors(_ scores: [PlanScore], count: Int) -> (indices: [Int], rank: [Int], crowding: [Double]) {
        let rank = ranks(scores)
        var crowdingAll = [Double](repeating: 0, count: scores.count)
        var chosen = [Int]()
        let fronts = Dictionary(grouping: scores.indices, by: { rank[$0] })
        for f in fronts.keys.sorted() {
            let members = fronts[f] ?? []
            let distance = crowding(scores, front: members)
            for (i, d) in distance { crowdingAll[i] = d }
            if chosen.count + members.count <= count {
                chosen += members.sorted()
            } else {
                let ordered = members.sorted { ((distance[$0] ?? 0), -$0) > ((distance[$1] ?? 0), -$1) }
                chosen += ordered.prefix(count - chosen.count)
                break
            }
        }
        return (chosen, rank, crowdingAll)
    }
}
