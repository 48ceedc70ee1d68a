/// Holm's step-down correction of p-values for multiple comparisons (as statsmodels'
/// `multipletests(method="holm")`): the i-th smallest p-value is multiplied by m - i + 1, and
/// the adjusted values are made monotone and capped at 1.
public enum HolmCorrection {
    /// The adjusted p-values, in the order of `pValues`.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (position, index) in order.enumerated() {
            running = max(running, min(1, Double(m - position) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
