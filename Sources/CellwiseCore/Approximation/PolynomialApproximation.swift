import Foundation
import _CellwiseKernels

/// A polynomial approximation of an activation function, and its vectorised Float32 evaluation.
///
/// Fits are computed in Float64 in the Chebyshev basis of a domain [a, b] mapped to [-1, 1]
/// (`u = (2x - a - b) / (b - a)`) by ``PolynomialFit``:
///
/// - ``uniform(_:degree:lower:upper:)``: least squares on ``fitPoints`` equally spaced points
///   of [a, b] (the paper's fit; on a symmetric interval only the odd Chebyshev polynomials are
///   used, since tanh and sigmoid are odd about their centre);
/// - ``range(_:degree:distribution:)``: the same, uniform on a cell's observed range widened by
///   ``rangeMargin`` on each side;
/// - ``weighted(_:degree:distribution:)``: least squares weighted by a cell's observed
///   pre-activations, plus a uniform floor of total weight ``weightedFloor`` over the widened
///   range, so the polynomial stays bounded between and just beyond the samples;
/// - ``minimax(_:degree:lower:upper:)``: the Remez exchange.
///
/// Range and weighted fits use the full Chebyshev basis on the widened range (observed ranges are
/// skewed, so an odd polynomial would waste half its terms: measured on the Fashion-MNIST model,
/// test accuracy with every cell the same candidate, full basis `17w` 84.6%, `17r` 82.9%, `7w`
/// 64.9%, `3w` 30.8%; odd basis on the symmetric hull 81.6%, 61.1%, 43.0%, 22.8%).
///
/// For evaluation in Float32 the fit is converted to the power basis in `u` and run by Horner's
/// rule (on `u^2` for odd fits) when its rounding error is negligible; higher degrees, whose
/// power-basis coefficients are large, use Clenshaw's recurrence (for odd fits over the odd
/// terms only, in `w = 2u^2 - 1`, with Chebyshev polynomials of the third kind).
public struct PolynomialApproximation: Sendable {
    /// Points of the least-squares grid.
    public static let fitPoints = 4097
    /// Points of the grid on which ``maxError`` and ``rmsError`` are measured.
    static let errorPoints = 20001
    /// The margin added on each side of an observed range, as a fraction of its width.
    public static let rangeMargin = 0.05
    /// The total weight of the uniform floor of a weighted fit (the samples weigh 1).
    public static let weightedFloor = 0.01

    /// Horner's rule is used when its Float32 error is at most this fraction of the fit's own
    /// maximum error (or within twice Clenshaw's): evaluation error is then negligible.
    static let evaluationTolerance = 1e-4

    /// The function approximated.
    public let function: ActivationFunction
    /// The nominal degree.
    public let degree: Int
    /// The domain [a, b] of the Chebyshev basis.
    public let lower: Double
    /// The domain [a, b] of the Chebyshev basis.
    public let upper: Double
    /// Where the fit aims to be accurate (the interval, or the widened observed range), on which
    /// ``maxError`` and ``rmsError`` are measured.
    public let target: ClosedRange<Double>
    /// Chebyshev coefficients `c_0 ... c_degree` in `u`.
    public let chebyshevCoefficients: [Double]
    /// Largest |p(x) - f(x)| on ``target`` (Float64 evaluation).
    public let maxError: Double
    /// Root-mean-square of p(x) - f(x) on ``target`` (Float64 evaluation).
    public let rmsError: Double
    /// Largest difference between the Float32 kernel and the Float64 polynomial on ``target``.
    public let float32Error: Double
    /// Which Float32 algorithm evaluates the polynomial.
    let scheme: Scheme
    /// The Float32 error Horner's rule would have (whether or not it is used).
    let hornerFloat32Error: Double

    /// The Float32 evaluation algorithm.
    enum Scheme: String, Sendable {
        /// Horner's rule in the power basis (on `u^2` for odd fits).
        case horner
        /// Clenshaw's recurrence in the Chebyshev basis.
        case clenshaw
        /// Clenshaw's recurrence over the odd terms only, in w = 2u^2 - 1 (symmetric domains).
        case clenshawOdd = "clenshaw-odd"
        /// Horner's rule on the even and odd parts in w = 2u^2 - 1 (p = E(w) + u O(w)): half of
        /// Clenshaw's work for full fits, conditioned like a polynomial of half the degree.
        case hornerSplit = "horner-split"
    }

    private let scale: Float
    private let offset: Float
    private let constant: Float
    private let hornerCoefficients: [Float]
    private let parity: Int32
    private let clenshawCoefficients: [Float]
    private let oddCoefficients: [Float]
    private let splitEven: [Float]
    private let splitOdd: [Float]

    /// The paper's fit: tanh by uniform least squares on [lower, upper].
    ///
    /// - Throws: ``ConfigurationError`` for a degree outside 1-63 or an empty interval.
    public init(degree: Int, lower: Double = -8, upper: Double = 8) throws {
        self = try Self.uniform(.tanh, degree: degree, lower: lower, upper: upper)
    }

    /// Uniform least squares on [lower, upper].
    public static func uniform(_ function: ActivationFunction, degree: Int, lower: Double, upper: Double) throws
        -> PolynomialApproximation
    {
        try check(degree: degree, lower: lower, upper: upper)
        let odd = lower == -upper
        let points = grid(lower, upper, count: fitPoints)
        let c = try PolynomialFit.leastSquares(
            function, degree: degree, domain: lower...upper, odd: odd, points: points)
        return try PolynomialApproximation(
            function: function, degree: degree, domain: lower...upper, target: lower...upper,
            chebyshev: c, odd: odd)
    }

    /// Uniform least squares on a cell's observed range, widened by ``rangeMargin``.
    public static func range(_ function: ActivationFunction, degree: Int, distribution: CellDistribution) throws
        -> PolynomialApproximation
    {
        try dataFit(function, degree: degree, distribution: distribution) { _ in ([], nil) }
    }

    /// Least squares weighted by a cell's observed pre-activations (one point per histogram bin,
    /// weighted by its share of the samples) plus a uniform floor of total weight
    /// ``weightedFloor`` over the widened range.
    public static func weighted(_ function: ActivationFunction, degree: Int, distribution: CellDistribution) throws
        -> PolynomialApproximation
    {
        try dataFit(function, degree: degree, distribution: distribution) { floor in
            let total = Double(Swift.max(1, distribution.total))
            var points = [Double]()
            var weights = [Double]()
            for (index, count) in distribution.counts.enumerated() where count > 0 {
                points.append(distribution.centre(of: index))
                weights.append(Double(count) / total)
            }
            return (points, weights + Array(repeating: weightedFloor / Double(floor.count), count: floor.count))
        }
    }

    /// A least-squares fit on a cell's widened observed range: the widened range's grid (equal
    /// weights when `samples` gives no weights), after the points and weights `samples` adds.
    private static func dataFit(
        _ function: ActivationFunction, degree: Int, distribution: CellDistribution,
        samples: (_ floor: [Double]) -> (points: [Double], weights: [Double]?)
    ) throws -> PolynomialApproximation {
        let target = widened(distribution)
        try check(degree: degree, lower: target.lowerBound, upper: target.upperBound)
        let floor = grid(target.lowerBound, target.upperBound, count: fitPoints)
        let (points, weights) = samples(floor)
        let c = try PolynomialFit.leastSquares(
            function, degree: degree, domain: target, odd: false, points: points + floor, weights: weights)
        return try PolynomialApproximation(
            function: function, degree: degree, domain: target, target: target, chebyshev: c, odd: false)
    }

    /// The minimax polynomial on [lower, upper] (Remez exchange).
    public static func minimax(_ function: ActivationFunction, degree: Int, lower: Double, upper: Double) throws
        -> PolynomialApproximation
    {
        try check(degree: degree, lower: lower, upper: upper)
        let odd = lower == -upper
        let c = try PolynomialFit.minimax(function, degree: degree, domain: lower...upper, odd: odd)
        return try PolynomialApproximation(
            function: function, degree: degree, domain: lower...upper, target: lower...upper,
            chebyshev: c, odd: odd)
    }

    private static func check(degree: Int, lower: Double, upper: Double) throws {
        guard (1...Activation.maximumDegree).contains(degree) else {
            throw ConfigurationError(key: "degree", problem: "must be 1-\(Activation.maximumDegree), got \(degree)")
        }
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw ConfigurationError(
                key: "interval", problem: "must be a finite [a, b] with a < b, got [\(lower), \(upper)]")
        }
    }

    private static func widened(_ distribution: CellDistribution) -> ClosedRange<Double> {
        let margin = rangeMargin * (distribution.maximum - distribution.minimum)
        return (distribution.minimum - margin)...(distribution.maximum + margin)
    }

    private static func grid(_ a: Double, _ b: Double, count: Int) -> [Double] {
        (0..<count).map { a + (b - a) * Double($0) / Double(count - 1) }
    }

    /// Prepares the kernels of a fit and measures its errors.
    private init(
        function: ActivationFunction, degree: Int, domain: ClosedRange<Double>, target: ClosedRange<Double>,
        chebyshev: [Double], odd: Bool
    ) throws {
        let (lower, upper) = (domain.lowerBound, domain.upperBound)
        self.function = function
        self.degree = degree
        self.lower = lower
        self.upper = upper
        self.target = target
        chebyshevCoefficients = chebyshev
        guard chebyshev.allSatisfy(\.isFinite) else {
            throw ConfigurationError(
                key: "fit", problem: "degree \(degree) on [\(lower), \(upper)] has no finite solution")
        }

        // Power basis in u.
        let power = Self.powerBasis(chebyshev)
        if odd {
            parity = Int32(CELLWISE_PARITY_ODD.rawValue)
            hornerCoefficients = stride(from: 1, through: degree, by: 2).map { Float(power[$0]) }
            constant = Float(chebyshev[0])
        } else {
            parity = Int32(CELLWISE_PARITY_NONE.rawValue)
            hornerCoefficients = power.map { Float($0) }
            constant = 0
        }
        clenshawCoefficients = chebyshev.map { Float($0) }
        oddCoefficients = odd ? stride(from: 1, through: degree, by: 2).map { Float(chebyshev[$0]) } : []
        // E(w) = sum_j c_2j T_j(w), O(w) = sum_j c_2j+1 V_j(w), both in the power basis of w.
        splitEven = Self.powerBasis(stride(from: 0, through: degree, by: 2).map { chebyshev[$0] }).map { Float($0) }
        splitOdd = Self.thirdKindPowerBasis(stride(from: 1, through: degree, by: 2).map { chebyshev[$0] }).map {
            Float($0)
        }
        scale = Float(2 / (upper - lower))
        offset = Float(-(upper + lower) / (upper - lower))

        // Accuracy of the fit (Float64) and of each Float32 kernel, on the target.
        let n = Self.errorPoints
        let xs = Self.grid(target.lowerBound, target.upperBound, count: n)
        var maxError = 0.0
        var sumSquares = 0.0
        for x in xs {
            let e = Self.clenshaw(chebyshev, Self.unmap(x, lower, upper)) - function.value(x)
            maxError = Swift.max(maxError, abs(e))
            sumSquares += e * e
        }
        self.maxError = maxError
        self.rmsError = (sumSquares / Double(n)).squareRoot()
        let inputs = xs.map { Float($0) }
        // Compare against the polynomial at the Float32 inputs, so only evaluation error counts.
        let reference = inputs.map { Self.clenshaw(chebyshev, Self.unmap(Double($0), lower, upper)) }
        let kernel = Kernel(
            scale: scale, offset: offset, constant: constant, horner: hornerCoefficients, parity: parity,
            clenshaw: clenshawCoefficients, odd: oddCoefficients, splitEven: splitEven, splitOdd: splitOdd)
        func error(of scheme: Scheme) -> Double {
            var output = [Float](repeating: 0, count: n)
            kernel.run(scheme, inputs, &output)
            return zip(output, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        }
        let hornerError = error(of: .horner)
        let stable: Scheme = odd ? .clenshawOdd : .clenshaw
        let stableError = error(of: stable)
        hornerFloat32Error = hornerError
        let acceptable = Swift.max(2 * stableError, Self.evaluationTolerance * maxError)
        let splitError = odd ? Double.infinity : error(of: .hornerSplit)
        if hornerError.isFinite && hornerError <= acceptable {
            scheme = .horner
            float32Error = hornerError
        } else if splitError.isFinite && splitError <= acceptable {
            scheme = .hornerSplit
            float32Error = splitError
        } else {
            scheme = stable
            float32Error = stableError
        }
    }

    /// p(x) in Float64.
    public func value(at x: Double) -> Double {
        Self.clenshaw(chebyshevCoefficients, Self.unmap(x, lower, upper))
    }

    /// Computes `out[i] = p(z[i] + addend[i])` in Float32 (`addend` may be nil; `out` may be `z`).
    func apply(
        _ z: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        kernel.apply(scheme, z, addend, out, count)
    }

    /// p at `x` in Float32 by `scheme` (default: the one this fit uses) with `isa`'s kernels
    /// (tests compare them); nil when this processor lacks it.
    func evaluate(_ x: [Float], scheme: Scheme? = nil, on isa: InstructionSet) -> [Float]? {
        guard let kernels = isa.kernels else { return nil }
        var out = [Float](repeating: 0, count: x.count)
        kernel.run(scheme ?? self.scheme, x, &out, kernels: kernels)
        return out
    }

    private var kernel: Kernel {
        Kernel(
            scale: scale, offset: offset, constant: constant, horner: hornerCoefficients, parity: parity,
            clenshaw: clenshawCoefficients, odd: oddCoefficients, splitEven: splitEven, splitOdd: splitOdd)
    }

    /// The Float32 forms of a fit, for the C kernels.
    private struct Kernel {
        var scale: Float
        var offset: Float
        var constant: Float
        var horner: [Float]
        var parity: Int32
        var clenshaw: [Float]
        var odd: [Float]
        var splitEven: [Float]
        var splitOdd: [Float]

        /// With `kernels` one instruction set's versions, otherwise the ones in use.
        func apply(
            _ scheme: Scheme, _ z: UnsafePointer<Float>, _ addend: UnsafePointer<Float>?,
            _ out: UnsafeMutablePointer<Float>, _ count: Int, kernels: UnsafePointer<cellwise_kernel_table>? = nil
        ) {
            let table = (kernels ?? cellwise_kernels_on(cellwise_isa_in_use())!).pointee
            switch scheme {
            case .horner:
                table.horner(z, addend, out, count, scale, offset, horner, Int32(horner.count), parity, constant)
            case .clenshaw:
                table.clenshaw(z, addend, out, count, scale, offset, clenshaw, Int32(clenshaw.count))
            case .clenshawOdd:
                table.clenshaw_odd(z, addend, out, count, scale, odd, Int32(odd.count), constant)
            case .hornerSplit:
                table.horner_split(
                    z, addend, out, count, scale, offset, splitEven, Int32(splitEven.count), splitOdd,
                    Int32(splitOdd.count))
            }
        }

        func run(
            _ scheme: Scheme, _ x: [Float], _ out: inout [Float], kernels: UnsafePointer<cellwise_kernel_table>? = nil
        ) {
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    apply(scheme, x.baseAddress!, nil, out.baseAddress!, x.count, kernels: kernels)
                }
            }
        }
    }

    // MARK: - Helpers

    private static func unmap(_ x: Double, _ a: Double, _ b: Double) -> Double { PolynomialFit.unmap(x, a, b) }

    /// T_0(u) ... T_n(u).
    static func chebyshevValues(_ u: Double, through n: Int) -> [Double] {
        PolynomialFit.chebyshevValues(u, through: n)
    }

    /// sum c_k T_k(u) by Clenshaw's recurrence.
    static func clenshaw(_ c: [Double], _ u: Double) -> Double {
        var b1 = 0.0
        var b2 = 0.0
        for k in stride(from: c.count - 1, through: 1, by: -1) {
            (b1, b2) = (2 * u * b1 - b2 + c[k], b1)
        }
        return u * b1 - b2 + c[0]
    }

    /// Power-basis coefficients of sum c_j V_j(w), V_j the Chebyshev polynomials of the third kind
    /// (V_0 = 1, V_1 = 2w - 1, V_j+1 = 2w V_j - V_j-1).
    static func thirdKindPowerBasis(_ c: [Double]) -> [Double] {
        guard !c.isEmpty else { return [] }
        let n = c.count - 1
        var result = [Double](repeating: 0, count: n + 1)
        var previous = [Double](repeating: 0, count: n + 1)  // V_{j-1}
        var current = [Double](repeating: 0, count: n + 1)  // V_j
        current[0] = 1
        for j in 0...n {
            for k in 0...n { result[k] += c[j] * current[k] }
            var next = [Double](repeating: 0, count: n + 1)
            if j == 0 {
                next[0] = -1
                if n >= 1 { next[1] = 2 }
            } else {
                for k in 0..<n { next[k + 1] += 2 * current[k] }
                for k in 0...n { next[k] -= previous[k] }
            }
            (previous, current) = (current, next)
        }
        return result
    }

    /// Power-basis coefficients of sum c_k T_k(u).
    static func powerBasis(_ c: [Double]) -> [Double] {
        let n = c.count - 1
        var result = [Double](repeating: 0, count: n + 1)
        var previous = [Double](repeating: 0, count: n + 1)  // T_{k-1}
        var current = [Double](repeating: 0, count: n + 1)  // T_k
        previous[0] = 1
        result[0] += c[0]
        if n >= 1 {
            current[1] = 1
            result[1] += c[1]
        }
        if n >= 2 {
            for k in 2...n {
                var next = [Double](repeating: 0, count: n + 1)
                for j in 0..<k { next[j + 1] += 2 * current[j] }
                for j in 0...n { next[j] -= previous[j] }
                for j in 0...n { result[j] += c[k] * next[j] }
                (previous, current) = (current, next)
            }
        }
        return result
    }
}
