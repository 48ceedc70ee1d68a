import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// Range, weighted and minimax fits, and sigmoid: against NumPy fixtures, the Remez
/// characterisation, and the Float32 kernels against Float64.
@Suite struct CandidateFitTests {
    struct Reference: Decodable {
        struct Fit: Decodable {
            var function: String
            var degree: Int
            var weighted: [Double]
            var range: [Double]
        }
        var minimum: Double
        var maximum: Double
        var counts: [Int]
        var domain: [Double]
        var fits: [Fit]
    }

    static let reference: Reference? = try? JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: TestData.fixtures.appendingPathComponent("weighted-fits.json")))

    /// Weighted and range fits on a known distribution agree with NumPy's weighted chebfit.
    @Test func weightedAndRangeFitsMatchNumPy() throws {
        let reference = try #require(Self.reference)
        let distribution = CellDistribution(
            minimum: reference.minimum, maximum: reference.maximum, counts: reference.counts)
        #expect(reference.fits.count == 6)
        for fit in reference.fits {
            let function = try #require(ActivationFunction(rawValue: fit.function))
            let weighted = try PolynomialApproximation.weighted(
                function, degree: fit.degree, distribution: distribution)
            let range = try PolynomialApproximation.range(function, degree: fit.degree, distribution: distribution)
            for mine in [weighted, range] {
                #expect(abs(mine.lower - reference.domain[0]) < 1e-12 && abs(mine.upper - reference.domain[1]) < 1e-12)
            }
            for (mine, theirs) in zip(weighted.chebyshevCoefficients, fit.weighted) {
                #expect(abs(mine - theirs) < 1e-8, "\(fit.function) \(fit.degree)w")
            }
            for (mine, theirs) in zip(range.chebyshevCoefficients, fit.range) {
                #expect(abs(mine - theirs) < 1e-8, "\(fit.function) \(fit.degree)r")
            }
            // Weighting moves accuracy to where the data are: near the mode the weighted fit wins.
            let mode = -2.0
            #expect(
                abs(weighted.value(at: mode) - function.value(mode)) <= abs(
                    range.value(at: mode) - function.value(mode)) + 1e-3)
        }
    }

    /// The minimax error equioscillates and is below the least-squares fit's maximum error.
    @Test(arguments: [
        ("tanh", 7, -8.0, 8.0), ("tanh", 17, -8.0, 8.0), ("tanh", 6, -4.0, 6.0), ("sigmoid", 7, -8.0, 8.0),
    ])
    func minimaxEquioscillates(function name: String, degree: Int, lower: Double, upper: Double) throws {
        let function = try #require(ActivationFunction(rawValue: name))
        let minimax = try PolynomialApproximation.minimax(function, degree: degree, lower: lower, upper: upper)
        let squares = try PolynomialApproximation.uniform(function, degree: degree, lower: lower, upper: upper)
        #expect(minimax.maxError < squares.maxError, "minimax \(minimax.maxError) vs least squares \(squares.maxError)")
        // Local extrema of the error over a fine grid: the largest few are all (nearly) the maximum.
        let xs = (0...20_000).map { lower + (upper - lower) * Double($0) / 20_000 }
        let errors = xs.map { minimax.value(at: $0) - function.value($0) }
        var peaks = [Double]()
        for i in 1..<(errors.count - 1)
        where abs(errors[i]) >= abs(errors[i - 1]) && abs(errors[i]) >= abs(errors[i + 1]) {
            peaks.append(abs(errors[i]))
        }
        peaks += [abs(errors[0]), abs(errors[errors.count - 1])]
        let top = peaks.sorted(by: >)
        let symmetric = lower == -upper
        let basis = symmetric ? (degree + 1) / 2 : degree + 1
        let needed = symmetric ? 2 * (basis + 1) : basis + 1
        #expect(top.count >= needed)
        #expect(top[needed - 1] >= 0.99 * top[0], "equioscillation: \(top.prefix(needed + 1))")
    }

    /// Sigmoid is odd about 1/2, not 0: the kernels add the centre back, on symmetric and
    /// non-symmetric intervals, and agree with the Float64 polynomial.
    @Test(arguments: [(-8.0, 8.0), (-4.0, 6.0)])
    func sigmoidKernelsAgreeWithFloat64(lower: Double, upper: Double) throws {
        for degree in [3, 7, 17, 31] {
            let fit = try PolynomialApproximation.uniform(.sigmoid, degree: degree, lower: lower, upper: upper)
            #expect(abs(fit.value(at: 0) - 0.5) < 0.05, "p(0) is near sigmoid(0) = 1/2")
            let inputs = (0..<1000).map { Float(lower + (upper - lower) * Double($0) / 999) }
            var output = [Float](repeating: 0, count: inputs.count)
            fit.apply(inputs, adding: nil, into: &output, count: inputs.count)
            let worst = zip(inputs, output).map { abs(Double($1) - fit.value(at: Double($0))) }.max() ?? 1
            #expect(worst < 1e-5 * max(1, fit.maxError * 10), "degree \(degree) on [\(lower), \(upper)]: \(worst)")
            #expect(
                worst < max(fit.maxError / 100, 2e-7),
                "well below the fit's own error \(fit.maxError), or at Float32's floor")
        }
    }

    /// Range and weighted candidates need observed pre-activations; the library says so.
    @Test func perCellCandidatesNeedFittingData() throws {
        let library = try ApproximationLibrary()
        let weighted = try Candidate(parsing: "7w")
        let error = #expect(throws: ConfigurationError.self) { try library.fit(weighted, cell: 0) }
        #expect(error?.problem.contains("observed pre-activations") == true)
        let reference = try #require(Self.reference)
        let distribution = CellDistribution(
            minimum: reference.minimum, maximum: reference.maximum, counts: reference.counts)
        let shifted = CellDistribution(minimum: 0, maximum: 4, counts: reference.counts)
        let observed = try ApproximationLibrary(distributions: [distribution, shifted])
        let first = try observed.fit(weighted, cell: 0)
        let second = try observed.fit(weighted, cell: 1)
        #expect(first.target != second.target, "each cell gets its own fit")
        #expect(try observed.fit(weighted, cell: 0).chebyshevCoefficients == first.chebyshevCoefficients, "cached")
        #expect(throws: ConfigurationError.self) { try observed.fit(weighted, cell: 2) }
    }

    @Test func candidateTokensRoundTrip() throws {
        for token in ["17", "7w", "17r", "9m", "s5w", "17@-12:12", "17m@-6.5:6", "s3", "3r"] {
            #expect(try Candidate(parsing: token).description == token)
        }
        #expect(try Candidate(parsing: "17u").description == "17")
        #expect(try Candidate(parsing: "17u") == Candidate(degree: 17))
        let sorted = try ["17w", "3", "7r", "7", "17"].map { try Candidate(parsing: $0) }.sorted().map(\.description)
        #expect(sorted == ["3", "7", "7r", "17", "17w"])
    }
}

/// The split Horner form p(u) = E(w) + u O(w), w = 2u^2 - 1, used for full (non-odd) fits.
@Suite struct SplitHornerTests {
    @Test func evenAndOddPartsInWRebuildTheChebyshevSeries() {
        var generator = SeededGenerator(seed: 3)
        for degree in [1, 2, 5, 16, 17, 31] {
            let c = (0...degree).map { _ in generator.nextUniform(-1, 1) }
            let even = PolynomialApproximation.powerBasis(stride(from: 0, through: degree, by: 2).map { c[$0] })
            let odd = PolynomialApproximation.thirdKindPowerBasis(stride(from: 1, through: degree, by: 2).map { c[$0] })
            for u in stride(from: -1.0, through: 1.0, by: 0.01) {
                let w = 2 * u * u - 1
                let e = even.reversed().reduce(0) { $0 * w + $1 }
                let o = odd.reversed().reduce(0) { $0 * w + $1 }
                #expect(abs(e + u * o - PolynomialApproximation.clenshaw(c, u)) < 1e-9, "degree \(degree) at \(u)")
            }
        }
    }

    /// Weighted fits on a skewed distribution are full fits; whichever kernel is chosen stays
    /// within the acceptance bound (1e-4 of the fit's error, or twice Clenshaw's).
    @Test func fullFitsChooseAnAccurateKernel() throws {
        let reference = try #require(CandidateFitTests.reference)
        let distribution = CellDistribution(
            minimum: reference.minimum, maximum: reference.maximum, counts: reference.counts)
        for degree in [7, 17, 31] {
            let fit = try PolynomialApproximation.weighted(.tanh, degree: degree, distribution: distribution)
            #expect(fit.scheme != .clenshawOdd)
            let inputs = (0..<2001).map {
                Float(fit.target.lowerBound + (fit.target.upperBound - fit.target.lowerBound) * Double($0) / 2000)
            }
            var output = [Float](repeating: 0, count: inputs.count)
            fit.apply(inputs, adding: nil, into: &output, count: inputs.count)
            let worst = zip(inputs, output).map { abs(Double($1) - fit.value(at: Double($0))) }.max() ?? 1
            #expect(worst <= max(1e-4 * fit.maxError, 2e-5), "degree \(degree) (\(fit.scheme)): \(worst)")
        }
    }
}
