import CellwiseCKKS
import CellwiseCore
import Testing

@testable import CellwiseSearch

@Suite struct BudgetedEvaluatorTests {
    @Test func cacheHitsAreFreeAndTheBudgetIsNeverExceeded() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 6, seed: 1)
        let evaluator = BudgetedEvaluator(
            oracle: oracle, costModel: CostModel(profile: .heaanFGb), placement: .greedy,
            budget: try Budget(evaluations: 3))
        let a = try ActivationPlan(parsing: "17*6")
        let b = try ActivationPlan(parsing: "7,17*5")
        let c = try ActivationPlan(parsing: "3,17*5")
        let first = try evaluator.evaluate(a)
        #expect(try evaluator.evaluate(a) == first)
        #expect(evaluator.used == 1 && oracle.calls == 1)
        _ = try evaluator.evaluate(b)
        _ = try evaluator.evaluate(c)
        #expect(throws: SearchStop.budgetExhausted) { try evaluator.evaluate(ActivationPlan(parsing: "3*6")) }
        let cached = try evaluator.evaluate(b).accuracy  // cached plans still answer
        #expect(cached == (try oracle.accuracy(of: b)))
        #expect(evaluator.used == 3)
        #expect(oracle.calls == 4)
        #expect(evaluator.trace.map(\.index) == [1, 2, 3])
        #expect(evaluator.trace[1].score.plan == b)
        #expect(evaluator.trace[1].score.bootstraps == 5)
    }

    @Test func aTimeBudgetStopsTheSearch() throws {
        let oracle = FunctionOracle(cells: 8) { _ in
            var x = 0.0
            for i in 0..<20_000 { x += Double(i).squareRoot() }  // a slow oracle
            return x > 0 ? 0.9 : 0
        }
        let result = try Search.run(
            strategy: "random", setup: SyntheticSearch.setup(oracle, budget: nil, seconds: 0.05))
        #expect(result.budgetExhausted)
        #expect(result.evaluations >= 1)
        #expect(result.trace.dropLast().allSatisfy { $0.elapsedSeconds < 0.05 })
    }

    @Test func budgetsAndTolerancesAreValidated() {
        #expect(throws: ConfigurationError.self) { try Budget() }
        #expect(throws: ConfigurationError.self) { try Budget(evaluations: 0) }
        #expect(throws: ConfigurationError.self) { try Tolerance(1.5) }
        let relative = try? Tolerance(0.02)
        let absolute = try? Tolerance(0.02, mode: .absolute)
        #expect(relative?.threshold(reference: 0.9) == 0.9 * 0.98)
        #expect(absolute?.threshold(reference: 0.9) == 0.9 - 0.02)
    }
}
