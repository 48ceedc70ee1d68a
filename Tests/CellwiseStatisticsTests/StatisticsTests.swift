import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseStatistics

/// The statistics against SciPy 1.17 and statsmodels (scripts/stats/check_scipy.py, run with the
/// Python of `make test`) on seeded inputs with and without ties and zeros, and by their definitions.
@Suite struct StatisticsTests {
    static var python: String? { TestData.python }
    static var requireAllTests: Bool { ProcessInfo.processInfo.environment["CELLWISE_REQUIRE_ALL_TESTS"] == "1" }

    /// Runs the SciPy script on `cases` (JSON) and returns its answer.
    static func scipy(_ cases: [String: Any]) throws -> [String: Any] {
        let python = try #require(Self.python, "make test installs .build/python-venv")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestData.repositoryRoot.appendingPathComponent("scripts/stats/check_scipy.py").path]
        let (input, output, error) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    /// Seeded samples: latencies rounded to a grid so that ties and zero differences occur.
    static func sample(_ count: Int, _ generator: inout SeededGenerator, grid: Double) -> [Double] {
        (0..<count).map { _ in (generator.nextUniform(0, 10) / grid).rounded() * grid }
    }

    @Test(.enabled(if: python != nil || requireAllTests, "needs Python with SciPy (make test installs it)"))
    func agreesWithSciPy() throws {
        var generator = SeededGenerator(seed: 2026)
        var friedman = [[[Double]]]()
        for (n, k, grid) in [(8, 3, 0.001), (8, 7, 1.0), (12, 5, 2.0), (5, 10, 0.5), (40, 4, 0.001)] {
            friedman.append((0..<n).map { _ in Self.sample(k, &generator, grid: grid) })
        }
        var wilcoxon = [[[Double]]]()
        // Exact (no ties, no zeros), permutation (ties or zeros, n <= 13), asymptotic (n > 13 with ties, n > 50).
        for (n, grid, shift) in [
            (5, 0.0001, 0.0), (8, 0.0001, 1.0), (20, 0.0001, 0.5), (50, 0.0001, 0.3), (8, 1.0, 0.0), (13, 2.0, 1.0),
            (14, 1.0, 0.0), (30, 2.0, 1.0), (60, 0.0001, 0.2), (6, 5.0, 0.0),
        ] {
            let x = Self.sample(n, &generator, grid: grid)
            let y = x.map { ($0 + generator.nextUniform(-3, 3) + shift) }.map { (($0 / grid).rounded() * grid) }
            wilcoxon.append([x, y])
        }
        wilcoxon.append([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 9]])  // one non-zero difference
        let holm: [[Double]] = [[0.01, 0.04, 0.03, 0.5], [0.2, 0.001, 0.02, 0.02, 0.9, 0.04], [0.6], [0.3, 0.3]]
        let answer = try Self.scipy([
            "friedman": friedman, "wilcoxon": wilcoxon, "holm": holm, "studentized": Array(2...20),
            "normal_quantile": Self.quantileLevels,
        ])
        let scipyFriedman = try #require(answer["friedman"] as? [[String: Any]])
        for (matrix, reference) in zip(friedman, scipyFriedman) {
            let test = FriedmanTest(scores: matrix)
            #expect(Self.close(test.statistic, reference["statistic"] as! Double), "\(matrix)")
            #expect(Self.close(test.pValue, reference["pvalue"] as! Double, 1e-8), "\(test) vs \(reference)")
            let ranks = reference["mean_ranks"] as! [Double]
            #expect(zip(test.meanRanks, ranks).allSatisfy { Self.close($0, $1) })
        }
        let scipyWilcoxon = try #require(answer["wilcoxon"] as? [[String: Any]])
        var methods = Set<WilcoxonSignedRankTest.Method>()
        for (pair, reference) in zip(wilcoxon, scipyWilcoxon) {
            let test = WilcoxonSignedRankTest(pair[0], pair[1])
            methods.insert(test.method)
            #expect(Self.close(test.statistic, reference["statistic"] as! Double), "\(pair)")
            #expect(
                Self.close(test.pValue, reference["pvalue"] as! Double, 1e-8),
                "\(test.method) n=\(pair[0].count): \(test.pValue) vs \(reference["pvalue"]!)")
        }
        #expect(methods == [.exact, .permutation, .asymptotic], "every method is exercised")
        let statsmodelsHolm = try #require(answer["holm"] as? [[Double]])
        for (p, reference) in zip(holm, statsmodelsHolm) {
            #expect(zip(HolmCorrection.adjust(p), reference).allSatisfy { Self.close($0, $1) }, "\(p)")
        }
        let q = try #require(answer["studentized"] as? [Double])
        #expect(zip(CriticalDifference.q05, q).allSatisfy { abs($0 - $1) < 2e-6 })
        let ppf = try #require(answer["normal_quantile"] as? [Double])
        for (p, reference) in zip(Self.quantileLevels, ppf) {
            #expect(Self.close(Distributions.normalQuantile(p), reference, 1e-13), "norm.ppf(\(p))")
        }
    }

    /// Levels in every branch of the normal quantile's approximation (tails below 0.02425).
    static let quantileLevels = [
        1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999999,
    ]

    @Test func ranksAverageTies() {
        #expect(Ranking.average([3, 1, 2]) == [3, 1, 2])
        #expect(Ranking.average([5, 5, 1, 5]) == [3, 3, 1, 3])
        let (_, ties) = Ranking.averageWithTies([2, 2, 7, 1, 1, 1])
        #expect(ties.sorted() == [1, 2, 3])
    }

    @Test func distributionsMatchKnownValues() {
        // chi-squared(2) survival is exp(-x/2); the normal's at 1.959964 is 0.025.
        for x in [0.1, 1.0, 5.0, 30.0] {
            #expect(Self.close(Distributions.chiSquaredSurvival(x, degreesOfFreedom: 2), exp(-x / 2), 1e-12))
        }
        #expect(Distributions.chiSquaredSurvival(0, degreesOfFreedom: 3) == 1)
        #expect(abs(Distributions.normalSurvival(1.959964) - 0.025) < 1e-7)
        // The quantile inverts the survival function.
        for p in stride(from: 0.001, to: 1, by: 0.0137) {
            #expect(Self.close(Distributions.normalSurvival(-Distributions.normalQuantile(p)), p, 1e-13), "p \(p)")
        }
    }

    @Test func wilcoxonEdgeCasesAndEffectSize() {
        let same = WilcoxonSignedRankTest([1, 2, 3], [1, 2, 3])
        #expect(same.pValue == 1 && same.effectSize == 0 && same.nonZero == 0)
        let greater = WilcoxonSignedRankTest([2, 3, 4, 5, 6], [1, 1, 1, 1, 1])
        #expect(greater.effectSize == 1 && greater.rankSumNegative == 0)
        #expect(WilcoxonSignedRankTest([1, 1, 1, 1, 1], [2, 3, 4, 5, 6]).effectSize == -1)
        // The smallest two-sided exact p-value with 5 pairs is 2 / 32.
        #expect(greater.pValue == 0.0625 && greater.method == .exact)
    }

    @Test func holmIsMonotoneAndCapped() {
        let adjusted = HolmCorrection.adjust([0.04, 0.01, 0.03])
        #expect(zip(adjusted, [0.06, 0.03, 0.06]).allSatisfy { Self.close($0, $1, 1e-12) })
        #expect(HolmCorrection.adjust([0.9, 0.8]) == [1, 1])
    }

    @Test func criticalDifferenceFollowsDemsar() throws {
        // Demšar 2006, section 3.2.2: k = 4 classifiers over n = 14 data sets, CD = 2.569 sqrt(20 / 84) = 1.25.
        let cd = try #require(CriticalDifference.nemenyi(strategies: 4, instances: 14))
        #expect(abs(cd - 1.2536) < 1e-3)
        #expect(CriticalDifference.nemenyi(strategies: 25, instances: 8) == nil)
    }
}
