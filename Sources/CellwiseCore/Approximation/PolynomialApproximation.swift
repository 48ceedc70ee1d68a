import Foundation
import _CellwiseKernels

/// A least-squares polynomial fit of tanh on an interval, and its vectorised Float32 evaluation.
///
/// The fit is computed in Float64 in the Chebyshev basis of the interval mapped to [-1, 1]
/// (`u = (2x - a - b) / (b - a)`), on ``fitPoints`` equally spaced points, by a Householder QR
/// solve (LAPACK `dgels`); the normal equations are never formed. On a symmetric interval
/// only the odd Chebyshev polynomials are used (tanh is odd, so the even coefficients of the
/// full fit are zero), which halves the evaluation work.
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

    /// Horner's rule is used when its Float32 error is at most this fraction of the fit's own
    /// maximum error (or within twice Clenshaw's): evaluation error is then negligible.
    static let evaluationTolerance = 1e-4

    /// The nominal degree.
    public let degree: Int
    /// The fitting interval [a, b].
    public let lower: Double
    /// The fitting interval [a, b].
    public let upper: Double
    /// Chebyshev coefficients `c_0 ... c_degree` in `u`.
    public let chebyshevCoefficients: [Double]
    /// Largest |p(x) - tanh(x)| on the interval (Float64 evaluation).
    public let maxError: Double
    /// Root-mean-square of p(x) - tanh(x) on the interval (Float64 evaluation).
    public let rmsError: Double
    /// Largest difference between the Float32 kernel and the Float64 polynomial on the interval.
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
        /// Clenshaw's recurrence over the odd terms only, in w = 2u^2 - 1 (symmetric intervals).
        case clenshawOdd = "clenshaw-odd"
    }

    private let scale: Float
    private let offset: Float
    private let hornerCoefficients: [Float]
    private let parity: Int32
    private let clenshawCoefficients: [Float]
    private let oddCoefficients: [Float]

    /// Fits tanh on [lower, upper] with a polynomial of `degree`.
    ///
    /// - Throws: ``ConfigurationError`` for a degree outside 1-63 or an empty interval.
    public init(degree: Int, lower: Double = -8, upper: Double = 8) throws {
        guard (1...Activation.maximumDegree).contains(degree) else {
            throw ConfigurationError(key: "degree", problem: "must be 1-\(Activation.maximumDegree), got \(degree)")
        }
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw ConfigurationError(
                key: "interval", problem: "must be a finite [a, b] with a < b, got [\(lower), \(upper)]")
        }
        self.degree = degree
        self.lower = lower
        self.upper = upper
        let symmetric = lower == -upper
        let terms = symmetric ? Array(stride(from: 1, through: degree, by: 2)) : Array(0...degree)

        // Least squares in the Chebyshev basis by QR.
        let m = Self.fitPoints
        var design = [Double](repeating: 0, count: m * terms.count)
        var target = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let u = -1 + 2 * Double(i) / Double(m - 1)
            let t = Self.chebyshevValues(u, through: degree)
            for (j, k) in terms.enumerated() { design[i * terms.count + j] = t[k] }
            target[i] = Foundation.tanh(Self.map(u, lower, upper))
        }
        let solution = try LinearAlgebra.leastSquares(design, rows: m, columns: terms.count, b: target)
        var chebyshev = [Double](repeating: 0, count: degree + 1)
        for (j, k) in terms.enumerated() { chebyshev[k] = solution[j] }
        chebyshevCoefficients = chebyshev

        // Power basis in u.
        let power = Self.powerBasis(chebyshev)
        if symmetric {
            parity = Int32(CELLWISE_PARITY_ODD.rawValue)
            hornerCoefficients = stride(from: 1, through: degree, by: 2).map { Float(power[$0]) }
        } else {
            parity = Int32(CELLWISE_PARITY_NONE.rawValue)
            hornerCoefficients = power.map { Float($0) }
        }
        clenshawCoefficients = chebyshev.map { Float($0) }
        oddCoefficients = symmetric ? stride(from: 1, through: degree, by: 2).map { Float(chebyshev[$0]) } : []
        scale = Float(2 / (upper - lower))
        offset = Float(-(upper + lower) / (upper - lower))

        // Accuracy of the fit (Float64) and of each Float32 kernel.
        let n = Self.errorPoints
        let xs = (0..<n).map { lower + (upper - lower) * Double($0) / Double(n - 1) }
        var maxError = 0.0
        var sumSquares = 0.0
        let exact = xs.map { Self.clenshaw(chebyshev, Self.unmap($0, lower, upper)) }
        for (x, p) in zip(xs, exact) {
            let e = p - Foundation.tanh(x)
            maxError = Swift.max(maxError, abs(e))
            sumSquares += e * e
        }
        self.maxError = maxError
        self.rmsError = (sumSquares / Double(n)).squareRoot()
        let inputs = xs.map { Float($0) }
        // Compare against the polynomial at the Float32 inputs, so only evaluation error counts.
        let reference = inputs.map { Self.clenshaw(chebyshev, Self.unmap(Double($0), lower, upper)) }
        let (scale, offset, parity) = (self.scale, self.offset, self.parity)
        let (horner, clenshaw, odd) = (hornerCoefficients, clenshawCoefficients, oddCoefficients)
        func error(of scheme: Scheme) -> Double {
            var output = [Float](repeating: 0, count: n)
            Self.run(
                scheme, inputs, &output, scale: scale, offset: offset, horner: horner, parity: parity,
                clenshaw: clenshaw, odd: odd)
            return zip(output, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        }
        let hornerError = error(of: .horner)
        let stable: Scheme = symmetric ? .clenshawOdd : .clenshaw
        let stableError = error(of: stable)
        hornerFloat32Error = hornerError
        if hornerError.isFinite && hornerError <= Swift.max(2 * stableError, Self.evaluationTolerance * maxError) {
            scheme = .horner
            float32Error = hornerError
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
        Self.apply(
            scheme, z, addend, out, count, scale: scale, offset: offset, horner: hornerCoefficients, parity: parity,
            clenshaw: clenshawCoefficients, odd: oddCoefficients)
    }

    private static func apply(
        _ scheme: Scheme, _ z: UnsafePointer<Float>, _ addend: UnsafePointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ count: Int, scale: Float, offset: Float,
        horner: [Float], parity: Int32, clenshaw: [Float], odd: [Float]
    ) {
        switch scheme {
        case .horner:
            cellwise_horner(z, addend, out, count, scale, offset, horner, Int32(horner.count), parity)
        case .clenshaw:
            cellwise_clenshaw(z, addend, out, count, scale, offset, clenshaw, Int32(clenshaw.count))
        case .clenshawOdd:
            cellwise_clenshaw_odd(z, addend, out, count, scale, odd, Int32(odd.count))
        }
    }

    private static func run(
        _ scheme: Scheme, _ x: [Float], _ out: inout [Float], scale: Float, offset: Float,
        horner: [Float], parity: Int32, clenshaw: [Float], odd: [Float]
    ) {
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                apply(
                    scheme, x.baseAddress!, nil, out.baseAddress!, x.count, scale: scale, offset: offset,
                    horner: horner, parity: parity, clenshaw: clenshaw, odd: odd)
            }
        }
    }

    // MARK: - Helpers

    private static func map(_ u: Double, _ a: Double, _ b: Double) -> Double { (a + b) / 2 + (b - a) / 2 * u }
    private static func unmap(_ x: Double, _ a: Double, _ b: Double) -> Double { (2 * x - a - b) / (b - a) }

    /// T_0(u) ... T_n(u).
    static func chebyshevValues(_ u: Double, through n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n + 1)
        t[0] = 1
        if n >= 1 { t[1] = u }
        if n >= 2 { for k in 2...n { t[k] = 2 * u * t[k - 1] - t[k - 2] } }
        return t
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
