import Foundation

/// The activations of a plan, fitted on one interval and ready for the evaluator.
///
/// Fits are computed on first use and shared; the library is safe to use from several threads.
public final class ApproximationLibrary: @unchecked Sendable {
    /// The fitting interval's lower end.
    public let lower: Double
    /// The fitting interval's upper end.
    public let upper: Double
    private var fits: [Int: PolynomialApproximation] = [:]
    private let lock = NSLock()

    /// The largest magnitude of an interval's ends. tanh is within 1e-800 of ±1 far before it,
    /// and a wider interval leaves no Float32 resolution to the polynomial's input.
    public static let maximumBound = 1000.0

    /// Creates a library for the interval [lower, upper] (default [-8, 8], as in the paper).
    ///
    /// - Throws: ``ConfigurationError`` (key `interval`) unless `lower < upper`, both within
    ///   ±``maximumBound``.
    public init(lower: Double = -8, upper: Double = 8) throws {
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw ConfigurationError(
                key: "interval", problem: "must be a finite [a, b] with a < b, got [\(lower), \(upper)]")
        }
        guard abs(lower) <= Self.maximumBound, abs(upper) <= Self.maximumBound else {
            throw ConfigurationError(
                key: "interval",
                problem:
                    "must lie within [-\(Int(Self.maximumBound)), \(Int(Self.maximumBound))], got [\(lower), \(upper)]")
        }
        self.lower = lower
        self.upper = upper
    }

    /// The fit of `degree`, computed once.
    public func polynomial(degree: Int) throws -> PolynomialApproximation {
        lock.lock()
        defer { lock.unlock() }
        if let fit = fits[degree] { return fit }
        let fit = try PolynomialApproximation(degree: degree, lower: lower, upper: upper)
        fits[degree] = fit
        return fit
    }

    /// A Float32 kernel per cell of `plan`.
    func kernels(for plan: ActivationPlan) throws -> [ActivationKernel] {
        try plan.activations.map { activation in
            switch activation {
            case .tanh: .tanh
            case .polynomial(let degree): .polynomial(try polynomial(degree: degree))
            }
        }
    }
}

/// A cell's activation as the evaluator runs it.
enum ActivationKernel: Sendable {
    case tanh
    case polynomial(PolynomialApproximation)

    /// `out[i] = act(z[i] + addend[i])`.
    func apply(
        _ z: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch self {
        case .tanh: TanhKernel.apply(z, adding: addend, into: out, count: count)
        case .polynomial(let p): p.apply(z, adding: addend, into: out, count: count)
        }
    }
}
