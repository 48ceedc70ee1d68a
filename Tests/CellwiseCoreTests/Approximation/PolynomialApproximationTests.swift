import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct PolynomialApproximationTests {
    struct Reference: Decodable {
        struct Fit: Decodable {
            var lower: Double, upper: Double, degree: Int
            var maxError: Double, rmsError: Double
            var chebyshev: [Double]

            enum CodingKeys: String, CodingKey {
                case lower, upper, degree, chebyshev
                case maxError = "max_error"
                case rmsError = "rms_error"
            }
        }
        var fits: [Fit]
    }

    static let references: [Reference.Fit] = {
        let url = TestData.fixtures.appendingPathComponent("tanh-fits.json")
        guard let data = try? Data(contentsOf: url),
            let reference = try? JSONDecoder().decode(Reference.self, from: data)
        else { return [] }
        return reference.fits
    }()

    /// Fits, errors and coefficients agree with NumPy's independent SVD-based fit (fixture).
    @Test func matchesNumPyReferenceFits() throws {
        #expect(Self.references.count == 9)
        for reference in Self.references {
            let fit = try PolynomialApproximation(
                degree: reference.degree, lower: reference.lower, upper: reference.upper)
            #expect(
                abs(fit.maxError - reference.maxError) <= 1e-9 * max(1, reference.maxError),
                "degree \(reference.degree)")
            #expect(
                abs(fit.rmsError - reference.rmsError) <= 1e-9 * max(1, reference.rmsError),
                "degree \(reference.degree)")
            for (mine, theirs) in zip(fit.chebyshevCoefficients, reference.chebyshev) {
                #expect(abs(mine - theirs) < 1e-9, "degree \(reference.degree)")
            }
        }
    }

    /// An independent fit by modified Gram-Schmidt on the monomials of u (Float64) agrees.
    @Test(arguments: [3, 7, 17])
    func matchesAGramSchmidtFit(degree: Int) throws {
        let fit = try PolynomialApproximation(degree: degree)
        let m = PolynomialApproximation.fitPoints
        let us = (0..<m).map { -1 + 2 * Double($0) / Double(m - 1) }
        let y = us.map { tanh(8 * $0) }
        var basis = [[Double]]()
        var projection = [Double](repeating: 0, count: m)
        for k in 0...degree {
            var v = us.map { pow($0, Double(k)) }
            for q in basis {
                let dot = zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<m { v[i] -= dot * q[i] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let q = v.map { $0 / norm }
            basis.append(q)
            let coefficient = zip(q, y).reduce(0) { $0 + $1.0 * $1.1 }
            for i in 0..<m { projection[i] += coefficient * q[i] }
        }
        for i in stride(from: 0, to: m, by: 97) {
            #expect(abs(fit.value(at: 8 * us[i]) - projection[i]) < 1e-8)
        }
    }

    @Test func errorsShrinkWithDegreeAndEvenCoefficientsVanishOnSymmetricIntervals() throws {
        var previous = Double.infinity
        for degree in [1, 3, 7, 17, 31, 63] {
            let fit = try PolynomialApproximation(degree: degree)
            #expect(fit.maxError < previous)
            previous = fit.maxError
            #expect(fit.rmsError < fit.maxError)
            for k in stride(from: 0, through: degree, by: 2) { #expect(fit.chebyshevCoefficients[k] == 0) }
        }
    }

    /// The Float32 kernels stay within 1e-5 of the Float64 polynomial for every degree and
    /// within 1e-4 of the fit's own error (or at the Float32 floor): evaluation error is negligible.
    @Test func float32EvaluationIsAccurateAtEveryDegree() throws {
        for degree in 1...Activation.maximumDegree {
            let fit = try PolynomialApproximation(degree: degree)
            #expect(fit.float32Error < 1e-5, "degree \(degree) (\(fit.scheme))")
            #expect(fit.float32Error <= max(1e-4 * fit.maxError, 1e-6), "degree \(degree) (\(fit.scheme))")
        }
        let asymmetric = try PolynomialApproximation(degree: 17, lower: -4, upper: 6)
        #expect(asymmetric.float32Error <= max(1e-4 * asymmetric.maxError, 1e-6))
        #expect(asymmetric.scheme == .hornerSplit, "a full fit: E(w) + u O(w), half of Clenshaw's work")
        #expect(try PolynomialApproximation(degree: 3).scheme == .horner)
    }

    @Test func rejectsBadDegreesAndIntervals() {
        #expect(throws: ConfigurationError.self) { try PolynomialApproximation(degree: 0) }
        #expect(throws: ConfigurationError.self) { try PolynomialApproximation(degree: 64) }
        #expect(throws: ConfigurationError.self) { try PolynomialApproximation(degree: 3, lower: 1, upper: 1) }
        #expect(throws: ConfigurationError.self) { try ApproximationLibrary(lower: .nan, upper: 1) }
    }
}

/// Every instruction set's polynomial kernels give the same bits, for every scheme and fit shape
/// (odd tanh and sigmoid fits, full fits on an asymmetric range), with and without the vector
/// blocks' remainder: what makes evaluation the same on a machine without AVX-512.
@Suite struct PolynomialKernelInstructionSetTests {
    @Test(arguments: [
        (ActivationFunction.tanh, -8.0, 8.0), (.sigmoid, -8.0, 8.0), (.tanh, -3.0, 5.0), (.sigmoid, -6.0, 2.5),
    ])
    func everyInstructionSetGivesTheSameBits(function: ActivationFunction, lower: Double, upper: Double) throws {
        var generator = SeededGenerator(seed: 7)
        let x = (0..<1000).map { _ in Float.random(in: Float(lower - 1)...Float(upper + 1), using: &generator) }
        let odd = lower == -upper
        let schemes: [PolynomialApproximation.Scheme] =
            odd ? [.horner, .clenshawOdd] : [.horner, .clenshaw, .hornerSplit]
        for degree in [1, 2, 3, 7, 8, 15, 27, 40] {
            let fit = try PolynomialApproximation.uniform(function, degree: degree, lower: lower, upper: upper)
            for scheme in schemes {
                for count in [1000, 64, 63] {
                    let input = Array(x.prefix(count))
                    let results = InstructionSet.allCases.compactMap { fit.evaluate(input, scheme: scheme, on: $0) }
                    #expect(results.count == InstructionSet.allCases.filter(\.isSupported).count)
                    for other in results.dropFirst() {
                        #expect(
                            other.map(\.bitPattern) == results[0].map(\.bitPattern),
                            "\(function) degree \(degree) \(scheme) count \(count)")
                    }
                }
            }
        }
    }
}
