/// Ranks with ties averaged, as `scipy.stats.rankdata(method="average")` gives them.
public enum Ranking {
    /// The 1-based ranks of `values` (smallest first); tied values share the mean of their ranks.
    public static func average(_ values: [Double]) -> [Double] {
        averageWithTies(values).ranks
    }

    /// The ranks and the sizes of the groups of tied values (groups of one included).
    public static func averageWithTies(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
        let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var ties = [Int]()
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            ties.append(end - start + 1)
            start = end + 1
        }
        return (ranks, ties)
    }
}
