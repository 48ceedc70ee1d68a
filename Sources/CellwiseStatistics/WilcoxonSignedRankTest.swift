/// The Wilcoxon signed-rank test of paired samples, two-sided, computed as
/// `scipy.stats.wilcoxon(x, y)` does by default (SciPy 1.17): zero differences dropped, ranks of
/// the absolute differences with ties averaged; the exact null distribution when there are no ties
/// or zeros (and at most 50 pairs), the exact permutation distribution of the signs when there are
/// (and at most 13 pairs), otherwise the normal approximation with the tie correction.
public struct WilcoxonSignedRankTest: Sendable, Equatable {
    /// How the p-value was computed.
    public enum Method: String, Sendable {
        case exact, permutation, asymptotic
    }

    /// The sum of the ranks of the positive differences (x > y).
    public var rankSumPositive: Double
    /// The sum of the ranks of the negative differences.
    public var rankSumNegative: Double
    /// The two-sided p-value.
    public var pValue: Double
    /// The method used.
    public var method: Method
    /// Non-zero differences.
    public var nonZero: Int

    /// SciPy's statistic: the smaller rank sum.
    public var statistic: Double { min(rankSumPositive, rankSumNegative) }

    /// The matched-pairs rank-biserial correlation (Kerby 2014), in [-1, 1]: positive when x tends
    /// to exceed y; 0 when every difference is zero.
    public var effectSize: Double {
        let total = rankSumPositive + rankSumNegative
        return total > 0 ? (rankSumPositive - rankSumNegative) / total : 0
    }

    /// Tests `x` against `y`, pair by pair.
    ///
    /// - Precondition: `x` and `y` have the same, non-zero length.
    public init(_ x: [Double], _ y: [Double]) {
        precondition(x.count == y.count && !x.isEmpty, "paired samples of the same, non-zero length")
        let differences = zip(x, y).map { $0 - $1 }
        let nonZeroDifferences = differences.filter { $0 != 0 }
        let (ranks, ties) = Ranking.averageWithTies(nonZeroDifferences.map(abs))
        rankSumPositive = zip(nonZeroDifferences, ranks).filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }
        rankSumNegative = zip(nonZeroDifferences, ranks).filter { $0.0 < 0 }.reduce(0) { $0 + $1.1 }
        nonZero = nonZeroDifferences.count
        let hasTies = ties.contains { $0 > 1 }
        let hasZeros = nonZero < differences.count
        if differences.count <= 50 && !hasTies && !hasZeros {
            method = .exact
            pValue = Self.exactPValue(rankSumPositive, n: nonZero)
        } else if differences.count <= 13 {
            method = .permutation
            pValue = Self.permutationPValue(ranks: ranks, observed: rankSumPositive)
        } else {
            method = .asymptotic
            let n = Double(nonZero)
            let tieTerm = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let variance = (n * (n + 1) * (2 * n + 1) - tieTerm / 2) / 24
            if variance > 0 {
                let z = (rankSumPositive - n * (n + 1) / 4) / variance.squareRoot()
                pValue = min(1, 2 * Distributions.normalSurvival(abs(z)))
            } else {
                pValue = 1
            }
        }
    }

    /// Two-sided p-value from the exact distribution of the positive rank sum for `n` untied ranks.
    static func exactPValue(_ observed: Double, n: Int) -> Double {
        guard n > 0 else { return 1 }
        let total = n * (n + 1) / 2
        // counts[s]: subsets of {1, ..., n} summing to s.
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        for rank in 1...n {
            for s in stride(from: total, through: rank, by: -1) { counts[s] += counts[s - rank] }
        }
        let all = counts.reduce(0, +)
        let low = Int(observed.rounded(.down))
        let high = Int(observed.rounded(.up))
        let atLeast = counts[max(0, low)...].reduce(0, +) / all
        let atMost = counts[...min(total, high)].reduce(0, +) / all
        return min(1, 2 * min(atLeast, atMost))
    }

    /// Two-sided p-value of the sign-flip permutation distribution of the positive rank sum.
    static func permutationPValue(ranks: [Double], observed: Double) -> Double {
        guard !ranks.isEmpty else { return 1 }
        let tolerance = abs(observed) * 1e-14 + 1e-12
        var (less, greater) = (0, 0)
        let combinations = 1 << ranks.count
        for mask in 0..<combinations {
            var sum = 0.0
            for (bit, rank) in ranks.enumerated() where mask & (1 << bit) != 0 { sum += rank }
            if sum <= observed + tolerance { less += 1 }
            if sum >= observed - tolerance { greater += 1 }
        }
        return min(1, 2 * Double(min(less, greater)) / Double(combinations))
    }
}
