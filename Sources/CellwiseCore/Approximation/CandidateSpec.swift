/// A fitted candidate as JSON outputs carry it: enough to run the plan elsewhere (a CKKS library,
/// NumPy) without Cellwise: the Chebyshev coefficients on their domain, and where it applies.
public struct CandidateSpec: Codable, Sendable, Equatable {
    /// The plan token (`17w`).
    public var token: String
    /// The cells that use this fit (a range or weighted fit belongs to one cell).
    public var cells: [Int]
    /// `tanh` or `sigmoid`.
    public var function: String
    /// `uniform`, `range`, `weighted` or `minimax`.
    public var method: String
    /// The degree.
    public var degree: Int
    /// The domain [a, b] of the Chebyshev basis: p(x) = sum_k c_k T_k((2x - a - b) / (b - a)).
    public var domain: [Double]
    /// Where the fit aims to be accurate.
    public var target: [Double]
    /// c_0 ... c_degree.
    public var chebyshev: [Double]
    /// Largest |p(x) - f(x)| on the target.
    public var maxError: Double
}

extension ApproximationLibrary {
    /// The fits `plan` uses, one entry per distinct fit, in order of first use.
    public func specs(for plan: ActivationPlan) throws -> [CandidateSpec] {
        var specs = [CandidateSpec]()
        var index = [String: Int]()
        for (cell, activation) in plan.activations.enumerated() {
            guard let candidate = activation.candidate else { continue }
            let key = candidate.isPerCell ? "\(candidate) \(cell)" : candidate.description
            if let known = index[key] {
                specs[known].cells.append(cell)
                continue
            }
            let fit = try self.fit(candidate, cell: cell)
            index[key] = specs.count
            specs.append(
                CandidateSpec(
                    token: candidate.description, cells: [cell], function: candidate.function.rawValue,
                    method: candidate.method.rawValue, degree: candidate.degree, domain: [fit.lower, fit.upper],
                    target: [fit.target.lowerBound, fit.target.upperBound], chebyshev: fit.chebyshevCoefficients,
                    maxError: fit.maxError))
        }
        return specs
    }
}
