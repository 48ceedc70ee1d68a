import Foundation
import _CellwiseKernels

/// The activations of a plan, fitted and ready for the evaluator: uniform and minimax fits on
/// their interval (by default [lower, upper]), range and weighted fits from each cell's observed
/// pre-activations (``distributions``).
///
/// Fits are computed on first use and shared; the library is safe to use from several threads.
public final class ApproximationLibrary: @unchecked Sendable {
    /// The default interval's lower end (uniform and minimax fits without their own interval).
    public let lower: Double
    /// The default interval's upper end.
    public let upper: Double
    /// Where range and weighted fits get each cell's observed pre-activations (called once, on
    /// the first such fit).
    private let observe: (@Sendable () throws -> [CellDistribution])?
    private var observed: [CellDistribution]?
    /// A description of the fitting data (e.g. "train split"), recorded in outputs.
    public let fittingData: String?
    private var fits: [FitKey: PolynomialApproximation] = [:]
    private let lock = NSLock()

    private struct FitKey: Hashable {
        var candidate: Candidate
        var cell: Int
    }

    /// The largest magnitude of an interval's ends. tanh is within 1e-800 of ±1 far before it,
    /// and a wider interval leaves no Float32 resolution to the polynomial's input.
    public static let maximumBound = 1000.0

    /// Creates a library with the default interval [lower, upper] (default [-8, 8], as in the
    /// paper) and, for range and weighted fits, each cell's observed pre-activations.
    ///
    /// - Throws: ``ConfigurationError`` (key `interval`) unless `lower < upper`, both within
    ///   ±``maximumBound``.
    public convenience init(
        lower: Double = -8, upper: Double = 8, distributions: [CellDistribution]? = nil, fittingData: String? = nil
    ) throws {
        let observe: (@Sendable () throws -> [CellDistribution])? = distributions.map { known in { @Sendable in known }
        }
        try self.init(lower: lower, upper: upper, fittingData: fittingData, observe: observe)
    }

    /// Creates a library whose range and weighted fits observe the pre-activations they need on
    /// first use, by calling `observe` (e.g. running the exact model on the training split).
    public init(
        lower: Double = -8, upper: Double = 8, fittingData: String?,
        observe: (@Sendable () throws -> [CellDistribution])?
    ) throws {
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
        self.fittingData = fittingData
        self.observe = observe
    }

    /// Each cell's observed pre-activations on the fitting data, observed on first use (nil when
    /// the library has no fitting data).
    public func distributions() throws -> [CellDistribution]? {
        lock.lock()
        defer { lock.unlock() }
        return try distributionsLocked()
    }

    private func distributionsLocked() throws -> [CellDistribution]? {
        if observed == nil, let observe { observed = try observe() }
        return observed
    }

    /// The paper's fit of `degree` (tanh, uniform least squares on the default interval).
    public func polynomial(degree: Int) throws -> PolynomialApproximation {
        try fit(Candidate(degree: degree), cell: 0)
    }

    /// The fit of `candidate` for `cell` (the same for every cell unless it is a range or
    /// weighted candidate), computed once.
    ///
    /// - Throws: ``ConfigurationError`` when a range or weighted candidate has no observed
    ///   pre-activations for the cell, or the fit fails.
    public func fit(_ candidate: Candidate, cell: Int) throws -> PolynomialApproximation {
        let key = FitKey(candidate: candidate, cell: candidate.isPerCell ? cell : -1)
        lock.lock()
        defer { lock.unlock() }
        if let fit = fits[key] { return fit }
        let interval = candidate.interval ?? lower...upper
        let fit: PolynomialApproximation
        switch candidate.method {
        case .uniform:
            fit = try .uniform(
                candidate.function, degree: candidate.degree, lower: interval.lowerBound,
                upper: interval.upperBound)
        case .minimax:
            fit = try .minimax(
                candidate.function, degree: candidate.degree, lower: interval.lowerBound,
                upper: interval.upperBound)
        case .range, .weighted:
            guard let distributions = try distributionsLocked(), distributions.indices.contains(cell) else {
                throw ConfigurationError(
                    key: "candidate \(candidate)",
                    problem: "a \(candidate.method.rawValue) fit needs each cell's observed pre-activations "
                        + "(observe them on a fitting split first, e.g. --fit-split train)")
            }
            fit =
                try candidate.method == .range
                ? .range(candidate.function, degree: candidate.degree, distribution: distributions[cell])
                : .weighted(candidate.function, degree: candidate.degree, distribution: distributions[cell])
        }
        fits[key] = fit
        return fit
    }

    /// A Float32 kernel per site of `plan`; site `i` computes `functions[i]`.
    ///
    /// - Throws: ``PlanError`` when a candidate approximates another function than its site's.
    func kernels(for plan: ActivationPlan, functions: [ActivationFunction]) throws -> [ActivationKernel] {
        try zip(plan.activations, functions).enumerated().map { site, pair in
            let (activation, function) = pair
            switch activation {
            case .exact:
                return function == .tanh ? .tanh : .sigmoid
            case .approximation(let candidate):
                guard candidate.function == function else {
                    throw PlanError(
                        plan: plan.description,
                        problem: "gives \(plan.layout.name(of: site)) a \(candidate.function.rawValue) candidate "
                            + "(\(candidate)); it computes \(function.rawValue)")
                }
                return .polynomial(try fit(candidate, cell: site))
            }
        }
    }
}

/// A cell's activation as the evaluator runs it.
enum ActivationKernel: Sendable {
    case tanh
    case sigmoid
    case polynomial(PolynomialApproximation)

    /// `out[i] = act(z[i] + addend[i])`.
    func apply(
        _ z: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch self {
        case .tanh: TanhKernel.apply(z, adding: addend, into: out, count: count)
        case .sigmoid: cellwise_sigmoid(z, addend, out, count)
        case .polynomial(let p): p.apply(z, adding: addend, into: out, count: count)
        }
    }
}
