/// The activation one site applies: the exact function or a polynomial candidate.
public enum Activation: Hashable, Sendable, CustomStringConvertible {
    /// The exact function (plaintext only: it has no CKKS depth). Written `t`.
    case exact
    /// A polynomial approximation.
    case approximation(Candidate)

    /// The highest polynomial degree Cellwise fits.
    public static let maximumDegree = 63

    /// The paper's activation: tanh by uniform least squares of `degree` on the default interval.
    public static func polynomial(degree: Int) -> Activation {
        .approximation(Candidate(degree: degree))
    }

    /// The plan-syntax token: `t` or the candidate's token.
    public var description: String {
        switch self {
        case .exact: "t"
        case .approximation(let candidate): candidate.description
        }
    }

    /// The polynomial degree, or nil for the exact function.
    public var degree: Int? {
        if case .approximation(let candidate) = self { candidate.degree } else { nil }
    }

    /// The candidate, or nil for the exact function.
    public var candidate: Candidate? {
        if case .approximation(let candidate) = self { candidate } else { nil }
    }
}
