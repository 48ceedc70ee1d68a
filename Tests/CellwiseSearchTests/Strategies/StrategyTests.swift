import CellwiseCKKS
import CellwiseCore
import Testing

@testable import CellwiseSearch

@Suite struct StrategyTests {
    /// 7 loses 0.005 and 3 loses 0.03 in any cell: under the parent rule with tolerance 0.02
    /// every chain of 7s is accepted (even 4 of them, 0.02 below the reference), no 3.
    static var scripted: SyntheticSearch.AdditiveOracle {
        SyntheticSearch.AdditiveOracle(cells: 4, losses: Array(repeating: [7: 0.005, 3: 0.03], count: 4))
    }

    @Test func dfsFollowsThePapersParentRule() throws {
        let result = try Search.run(strategy: "dfs", setup: SyntheticSearch.setup(Self.scripted, budget: 1000))
        #expect(result.accepted.count == 15)  // every non-empty set of 7s
        #expect(result.accepted.allSatisfy { !$0.activations.contains(.polynomial(degree: 3)) })
        // Depth-first order: cell 0 to 7, then cell 1 to 7 from there, then cell 2 ...
        let order = result.trace.prefix(6).map { $0.score.plan.description }
        #expect(order == ["17*4", "7,17*3", "7*2,17*2", "7*3,17", "7*4", "7*3,3"])
        // The chain of four 7s drifts 0.02 below the reference: accepted, but not the best.
        let allSevens = try ActivationPlan(parsing: "7*4")
        #expect(result.accepted.contains(allSevens))
        #expect(result.best.counts == [0, 3, 1])
        let reference = try Search.run(
            strategy: "dfs", options: StrategyOptions(["rule": "reference"]),
            setup: SyntheticSearch.setup(Self.scripted, budget: 1000))
        #expect(reference.accepted.count == 14)  // at most three 7s
    }

    /// On additive problems the DP's prediction is exact, and it finds the exhaustive optimum.
    @Test(arguments: 0..<6)
    func dpFindsTheExhaustiveOptimumWhenLossesAreAdditive(seed: Int) throws {
        let oracle = SyntheticSearch.randomOracle(cells: 7, seed: UInt64(100 + seed))
        for placement in PlacementStrategy.allCases {
            let truth = try Search.run(
                strategy: "exhaustive",
                setup: SyntheticSearch.setup(oracle, budget: 3000, tolerance: 0.03, placement: placement))
            let dp = try Search.run(
                strategy: "dp",
                setup: SyntheticSearch.setup(oracle, budget: 3000, tolerance: 0.03, placement: placement))
            #expect(
                abs(dp.best.score.latencySeconds - truth.best.score.latencySeconds) < 1e-9,
                "seed \(seed) \(placement): dp \(dp.best.score.plan) vs \(truth.best.score.plan)")
            #expect(dp.evaluations < 60)
        }
    }

    @Test func greedyKeepsOnlyVerifiedLowerings() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 8, seed: 3)
        let result = try Search.run(strategy: "greedy", setup: SyntheticSearch.setup(oracle, budget: 500))
        #expect(!result.budgetExhausted)
        #expect(result.evaluations <= 1 + 16 + 16)
        #expect(result.best.score.accuracy >= 0.98 * result.reference.score.accuracy)
        #expect(result.best.score.latencySeconds < result.reference.score.latencySeconds)
    }

    @Test func randomStopsWhenASmallSpaceIsExhausted() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 3, seed: 3)
        let result = try Search.run(strategy: "random", setup: SyntheticSearch.setup(oracle, budget: 10_000))
        #expect(result.evaluations == 27)
        #expect(!result.budgetExhausted)
    }

    @Test func gaStopsWhenItRunsOutOfNewPlans() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 3, seed: 3)
        let result = try Search.run(strategy: "ga", setup: SyntheticSearch.setup(oracle, budget: 10_000))
        #expect(result.evaluations <= 27)
        #expect(!result.budgetExhausted)
    }
}
