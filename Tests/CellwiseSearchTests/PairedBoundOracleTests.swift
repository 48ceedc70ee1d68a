import CellwiseCKKS
import CellwiseCore
import CellwiseStatistics
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

/// The paired lower-bound rule: Agresti and Min's interval on the discordant pairs, the reference
/// keeping its accuracy, and a search under the rule never accepting more than the plain rule's
/// threshold allows.
@Suite struct PairedBoundOracleTests {
    /// b = 30 samples only the baseline gets right, c = 10 only the plan, n = 1000, 95%: by hand
    /// (Python, float64): b' = 30.5, c' = 10.5, n' = 1002, d' = -20/1002,
    /// se = sqrt((41/1002 - d'^2) / 1002), bound = d' - 1.6448536269514722 se.
    @Test func theBoundIsAgrestiAndMinsInterval() {
        let z = 1.6448536269514722
        let bound = PairedBoundOracle.lowerBound(onlyBaseline: 30, onlyPlan: 10, samples: 1000, z: z)
        #expect(abs(bound - -0.030419962732290595) < 1e-12, "\(bound)")
        // No discordant pair: no evidence of a difference.
        #expect(PairedBoundOracle.lowerBound(onlyBaseline: 0, onlyPlan: 0, samples: 1000, z: z) == 0)
        // Below the observed difference, and closer to it with more samples at the same shares.
        for (b, c) in [(1, 0), (5, 5), (0, 3), (40, 2)] {
            let small = PairedBoundOracle.lowerBound(onlyBaseline: b, onlyPlan: c, samples: 500, z: z)
            let large = PairedBoundOracle.lowerBound(onlyBaseline: 8 * b, onlyPlan: 8 * c, samples: 4000, z: z)
            let observed = Double(c - b) / 500
            #expect(small < observed && large < observed && small < large, "b \(b) c \(c)")
        }
        // A higher confidence gives a lower bound.
        #expect(
            PairedBoundOracle.lowerBound(onlyBaseline: 12, onlyPlan: 3, samples: 800, z: 2.326)
                < PairedBoundOracle.lowerBound(onlyBaseline: 12, onlyPlan: 3, samples: 800, z: z))
    }

    static func evaluator() throws -> PlanEvaluator {
        try PlanEvaluator(
            model: RecurrentModel(kerasInitializedWithSeed: 5, units: [8]), split: TestData.split(count: 300, seed: 3),
            approximations: ApproximationLibrary(lower: -8, upper: 8))
    }

    @Test func theOracleCountsTheDiscordantSamples() throws {
        let evaluator = try Self.evaluator()
        let reference = try ActivationPlan(parsing: "17*28")
        let oracle = try PairedBoundOracle(evaluator: evaluator, baseline: reference, confidence: 0.9)
        #expect(oracle.baselineAccuracy == (try evaluator.accuracy(of: reference)))
        #expect(try oracle.accuracy(of: reference) == oracle.baselineAccuracy)
        let base = try evaluator.evaluate(reference).sampleCorrect
        for text in ["3*28", "7*28", "3*10,17*18", "17*20,3*8"] {
            let plan = try ActivationPlan(parsing: text)
            let outcome = try evaluator.evaluate(plan)
            let b = zip(base, outcome.sampleCorrect).filter { $0 && !$1 }.count
            let c = zip(base, outcome.sampleCorrect).filter { !$0 && $1 }.count
            let expected =
                oracle.baselineAccuracy
                + PairedBoundOracle.lowerBound(
                    onlyBaseline: b, onlyPlan: c, samples: 300, z: Distributions.normalQuantile(0.9))
            #expect(abs(try oracle.accuracy(of: plan) - expected) < 1e-12, "\(text)")
            #expect(try oracle.accuracy(of: plan) <= outcome.accuracy + 1e-12 || b + c == 0, "\(text)")
        }
        #expect(throws: ConfigurationError.self) {
            try PairedBoundOracle(evaluator: evaluator, baseline: reference, confidence: 1)
        }
    }

    /// Under the paired rule a search's best plan is one the plain rule would also accept on the
    /// same split, and the reference's score is its plain accuracy.
    @Test func aSearchUnderThePairedRuleIsStricter() throws {
        func problem(_ rule: AcceptanceRule) throws -> SearchProblem {
            let file = SearchProblemTests.model()
            return try SearchProblem(
                model: file, dataset: SearchProblemTests.dataset(), approximations: ApproximationLibrary(),
                costModel: CostModel(profile: .heaanFGb, shapeOf: file.model),
                space: SearchSpace(cells: 28, degrees: [3, 7, 17]), tolerance: Tolerance(0.1),
                budget: Budget(evaluations: 200), acceptance: rule)
        }
        let plain = try problem(.plain).run(strategy: "window", seed: 1)
        let paired = try problem(AcceptanceRule(kind: .pairedBound(confidence: 0.95))).run(strategy: "window", seed: 1)
        #expect(paired.reference.score.accuracy == plain.reference.score.accuracy)
        let evaluator = try PlanEvaluator(
            model: SearchProblemTests.model().model, split: SearchProblemTests.dataset().validation,
            approximations: ApproximationLibrary())
        let threshold = Tolerance(unchecked: 0.1, mode: .relative).threshold(reference: plain.reference.score.accuracy)
        #expect(try evaluator.accuracy(of: paired.best.score.plan) >= threshold - 1e-12)
        #expect(paired.best.score.plan != paired.reference.score.plan, "the rule still lets the search save")
    }
}
