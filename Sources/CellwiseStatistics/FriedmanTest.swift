/// The Friedman test: do k treatments (strategies) rank differently over n blocks (instances)?
/// As `scipy.stats.friedmanchisquare`: ranks within each block (ties averaged), the chi-squared
/// statistic with the tie correction, and its p-value on k - 1 degrees of freedom.
public struct FriedmanTest: Sendable, Equatable {
    /// The chi-squared statistic.
    public var statistic: Double
    /// P(chi-squared with k - 1 degrees of freedom >= statistic).
    public var pValue: Double
    /// Each treatment's mean rank over the blocks (1 = best, i.e. the smallest value).
    public var meanRanks: [Double]
    /// Blocks.
    public var blocks: Int

    /// Runs the test on `scores[block][treatment]` (smaller is better).
    ///
    /// - Precondition: at least two blocks and three treatments, every block complete.
    public init(scores: [[Double]]) {
        let n = scores.count
        let k = scores.first?.count ?? 0
        precondition(n >= 2 && k >= 3 && scores.allSatisfy { $0.count == k }, "Friedman needs n >= 2, k >= 3")
        var sums = [Double](repeating: 0, count: k)
        var tieSum = 0.0
        for block in scores {
            let (ranks, ties) = Ranking.averageWithTies(block)
            for j in 0..<k { sums[j] += ranks[j] }
            tieSum += ties.reduce(0) { $0 + Double($1 * $1 * $1 - $1) }
        }
        let (nd, kd) = (Double(n), Double(k))
        let raw = 12 / (nd * kd * (kd + 1)) * sums.reduce(0) { $0 + $1 * $1 } - 3 * nd * (kd + 1)
        let correction = 1 - tieSum / (nd * kd * (kd * kd - 1))
        statistic = correction > 0 ? raw / correction : 0
        pValue = Distributions.chiSquaredSurvival(statistic, degreesOfFreedom: k - 1)
        meanRanks = sums.map { $0 / nd }
        blocks = n
    }
}
