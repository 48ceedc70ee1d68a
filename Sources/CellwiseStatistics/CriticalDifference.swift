/// The Nemenyi critical difference of mean ranks (Demšar 2006): two of k strategies ranked over
/// n instances differ significantly at level 0.05 when their mean ranks differ by more than
/// `q * sqrt(k (k + 1) / (6 n))`, q the studentized range quantile over sqrt(2).
public enum CriticalDifference {
    /// q_0.05 for k = 2 ... 20 (`scipy.stats.studentized_range.ppf(0.95, k, inf) / sqrt(2)`; k = 2-10
    /// are Demšar's Table 5a).
    public static let q05: [Double] = [
        1.959964, 2.343701, 2.569032, 2.727774, 2.849705, 2.948320, 3.030878, 3.101730, 3.163684, 3.218654,
        3.268004, 3.312739, 3.353618, 3.391230, 3.426041, 3.458425, 3.488685, 3.517073, 3.543799,
    ]

    /// The critical difference for `k` strategies over `n` instances at level 0.05, nil beyond the table.
    public static func nemenyi(strategies k: Int, instances n: Int) -> Double? {
        guard k >= 2, k - 2 < q05.count, n >= 1 else { return nil }
        let (kd, nd) = (Double(k), Double(n))
        return q05[k - 2] * (kd * (kd + 1) / (6 * nd)).squareRoot()
    }
}
