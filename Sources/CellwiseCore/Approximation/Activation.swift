/// The activation one RNN cell applies: the exact tanh or a polynomial fit of it.
public enum Activation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The exact hyperbolic tangent (plaintext only: it has no CKKS depth).
    case tanh
    /// The least-squares polynomial fit of tanh of this degree.
    case polynomial(degree: Int)

    /// The highest polynomial degree Cellwise fits.
    public static let maximumDegree = 63

    /// The plan-syntax token: `t` or the degree.
    public var description: String {
        switch self {
        case .tanh: "t"
        case .polynomial(let degree): String(degree)
        }
    }

    /// The JSON code: 0 for `t`, else the degree.
    public var code: Int {
        switch self {
        case .tanh: 0
        case .polynomial(let degree): degree
        }
    }

    /// The polynomial degree, or nil for the exact tanh.
    public var degree: Int? {
        if case .polynomial(let degree) = self { degree } else { nil }
    }
}
