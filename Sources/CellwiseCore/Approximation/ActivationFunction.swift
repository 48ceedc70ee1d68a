import Foundation

/// A nonlinearity an RNN applies: tanh (SimpleRNN, the candidate states of GRU and LSTM) or the
/// logistic sigmoid (their gates).
///
/// Both are odd about a centre: tanh(x) = 0 + odd(x), sigmoid(x) = 1/2 + odd(x), which the fits
/// use to halve the evaluation work (``PolynomialApproximation``). Sigmoid is not odd about 0, so
/// no kernel may assume p(0) = 0.
public enum ActivationFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The hyperbolic tangent.
    case tanh
    /// The logistic sigmoid 1 / (1 + e^-x).
    case sigmoid

    /// f(x) in Float64.
    public func value(_ x: Double) -> Double {
        switch self {
        case .tanh: Foundation.tanh(x)
        case .sigmoid: x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        }
    }

    /// The value f takes at 0, about which f - centre is odd.
    public var centre: Double {
        switch self {
        case .tanh: 0
        case .sigmoid: 0.5
        }
    }
}

extension ActivationFunction: ConfigurationChoice {}
