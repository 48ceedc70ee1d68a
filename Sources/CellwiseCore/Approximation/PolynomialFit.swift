import Foundation

/// The Float64 fitting algorithms behind ``PolynomialApproximation``: least squares (uniform or
/// weighted, by Householder QR, never the normal equations) and the minimax polynomial by the
/// Remez exchange, all in the Chebyshev basis of a domain mapped to [-1, 1].
///
/// With `odd` the basis is {T_1, T_3, ...} on a symmetric domain and the fit approximates
/// f(x) - f.centre, which is odd for tanh and sigmoid; the result's c_0 is the centre.
enum PolynomialFit {
    /// Least squares: minimises sum_i w_i (p(x_i) - f(x_i))^2 over `points` with `weights`.
    ///
    /// - Returns: Chebyshev coefficients c_0 ... c_degree in u = (2x - a - b) / (b - a).
    static func leastSquares(
        _ function: ActivationFunction, degree: Int, domain: ClosedRange<Double>, odd: Bool,
        points: [Double], weights: [Double]? = nil
    ) throws -> [Double] {
        let (a, b) = (domain.lowerBound, domain.upperBound)
        let terms = odd ? Array(stride(from: 1, through: degree, by: 2)) : Array(0...degree)
        let shift = odd ? function.centre : 0
        let m = points.count
        var design = [Double](repeating: 0, count: m * terms.count)
        var target = [Double](repeating: 0, count: m)
        for (i, x) in points.enumerated() {
            let w = (weights?[i] ?? 1).squareRoot()
            let t = chebyshevValues(unmap(x, a, b), through: degree)
            for (j, k) in terms.enumerated() { design[i * terms.count + j] = w * t[k] }
            target[i] = w * (function.value(x) - shift)
        }
        let solution = try LinearAlgebra.leastSquares(design, rows: m, columns: terms.count, b: target)
        var chebyshev = [Double](repeating: 0, count: degree + 1)
        for (j, k) in terms.enumerated() { chebyshev[k] = solution[j] }
        chebyshev[0] += shift
        return chebyshev
    }

    /// The minimax polynomial of `degree` on `domain` (odd: on a symmetric domain, from the odd
    /// basis), by the Remez exchange on a fine grid: the error equioscillates at n + 1 points,
    /// n the number of basis polynomials.
    static func minimax(_ function: ActivationFunction, degree: Int, domain: ClosedRange<Double>, odd: Bool) throws
        -> [Double]
    {
        let (a, b) = (domain.lowerBound, domain.upperBound)
        let terms = odd ? Array(stride(from: 1, through: degree, by: 2)) : Array(0...degree)
        let n = terms.count
        let shift = odd ? function.centre : 0
        // The error is even for an odd fit of an odd function: work on u in [0, 1].
        let gridCount = 8001
        let low = odd ? 0.0 : -1.0
        let grid = (0..<gridCount).map { low + (1 - low) * Double($0) / Double(gridCount - 1) }
        let target = grid.map { function.value(map($0, a, b)) - shift }
        let basis = grid.map { u in chebyshevValues(u, through: degree) }
        func g(_ u: Double) -> Double { function.value(map(u, a, b)) - shift }
        // Start from the extrema of the next Chebyshev polynomial (in the half range for odd fits).
        var reference: [Double] =
            odd
            ? (0...n).map { cos(Double.pi * Double(n - $0) / Double(2 * n + 1)) }
            : (0...n).map { -cos(Double.pi * Double($0) / Double(n)) }
        var coefficients = [Double](repeating: 0, count: n)
        for _ in 0..<60 {
            var system = [Double](repeating: 0, count: (n + 1) * (n + 1))
            var rhs = [Double](repeating: 0, count: n + 1)
            for (i, u) in reference.enumerated() {
                let t = chebyshevValues(u, through: degree)
                for (j, k) in terms.enumerated() { system[i * (n + 1) + j] = t[k] }
                system[i * (n + 1) + n] = i % 2 == 0 ? 1 : -1
                rhs[i] = g(u)
            }
            let solution = try LinearAlgebra.leastSquares(system, rows: n + 1, columns: n + 1, b: rhs)
            coefficients = Array(solution.prefix(n))
            let level = abs(solution[n])
            // The error on the grid and its alternating extrema.
            var extrema = [(u: Double, e: Double)]()
            var runBest: (u: Double, e: Double)?
            for (index, u) in grid.enumerated() {
                var p = 0.0
                for (j, k) in terms.enumerated() { p += coefficients[j] * basis[index][k] }
                let e = p - target[index]
                if odd && index == 0 { continue }  // u = 0: both sides are 0 for an odd fit
                if let best = runBest, (best.e >= 0) != (e >= 0) {
                    extrema.append(best)
                    runBest = (u, e)
                } else if runBest == nil || abs(e) > abs(runBest!.e) {
                    runBest = (u, e)
                }
            }
            if let best = runBest { extrema.append(best) }
            while extrema.count > n + 1 {
                if abs(extrema[0].e) < abs(extrema[extrema.count - 1].e) {
                    extrema.removeFirst()
                } else {
                    extrema.removeLast()
                }
            }
            guard extrema.count == n + 1 else { break }
            let largest = extrema.map { abs($0.e) }.max() ?? 0
            reference = extrema.map(\.u)
            if largest - level <= 1e-6 * largest { break }
        }
        var chebyshev = [Double](repeating: 0, count: degree + 1)
        for (j, k) in terms.enumerated() { chebyshev[k] = coefficients[j] }
        chebyshev[0] += shift
        return chebyshev
    }

    static func map(_ u: Double, _ a: Double, _ b: Double) -> Double { (a + b) / 2 + (b - a) / 2 * u }
    static func unmap(_ x: Double, _ a: Double, _ b: Double) -> Double { (2 * x - a - b) / (b - a) }

    /// T_0(u) ... T_n(u).
    static func chebyshevValues(_ u: Double, through n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n + 1)
        t[0] = 1
        if n >= 1 { t[1] = u }
        if n >= 2 { for k in 2...n { t[k] = 2 * u * t[k - 1] - t[k - 2] } }
        return t
    }
}
