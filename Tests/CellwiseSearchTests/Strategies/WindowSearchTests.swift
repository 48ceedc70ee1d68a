import CellwiseCKKS
import CellwiseCore
import Testing

@testable import CellwiseSearch

@Suite struct WindowSearchTests {
    /// A context over `space` with an additive oracle (the DP only reads the space and the cost model).
    static func context(_ space: SearchSpace, placement: PlacementStrategy = .greedy) throws -> SearchContext {
        let oracle = SyntheticSearch.AdditiveOracle(
            cells: space.cells, losses: Array(repeating: [:], count: space.cells))
        var costModel = CostModel(profile: .heaanFGb)
        costModel.stack = space.layout.layers.map { LayerShape(cell: $0.cell, units: 32, direction: $0.direction) }
        let evaluator = BudgetedEvaluator(
            oracle: oracle, costModel: costModel, placement: placement,
            budget: try Budget(evaluations: 10, seconds: nil))
        let reference = try evaluator.evaluate(space.reference)
        return SearchContext(
            space: space, tolerance: try Tolerance(0.02), evaluator: evaluator, reference: reference, seed: 1)
    }

    /// Every plan of the space, by genes.
    static func everyPlan(_ space: SearchSpace) -> [[Int]] {
        var plans: [[Int]] = [[]]
        for _ in space.freeCells { plans = plans.flatMap { p in space.candidates.indices.map { p + [$0] } } }
        return plans
    }

    /// The DP's least predicted loss per bootstrap count is the minimum over every plan of the
    /// space with that many bootstraps under the cost model (greedy placement), for losses of any
    /// sign, for SimpleRNN, GRU and two-layer layouts.
    @Test(arguments: 0..<3)
    func leastLossIsTheMinimumOverEveryPlan(index: Int) throws {
        let layout = [
            SiteLayout(cell: .simpleRNN, layers: 1, timeSteps: 7),
            SiteLayout(cell: .simpleRNN, layers: 2, timeSteps: 4),
            SiteLayout(cell: .gru(resetAfter: true), layers: 1, timeSteps: 2),
        ][index]
        let seed = UInt64(7 + index)
        let space = try SearchSpace(layout: layout, degrees: [3, 7, 17])
        let context = try Self.context(space)
        let dp = try WindowDP(context: context)
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<3 {
            let loss = space.freeCells.map { _ in (0..<3).map { _ in generator.nextUniform(-0.002, 0.01) } }
            var truth = [Int: Double]()
            for genes in Self.everyPlan(space) {
                let bootstraps = try context.evaluator.cost(of: space.plan(genes: genes)).bootstraps
                let total = genes.enumerated().reduce(0) { $0 + loss[$1.offset][$1.element] }
                truth[bootstraps] = min(truth[bootstraps] ?? .infinity, total)
            }
            let maxBootstraps = truth.keys.max()!
            let table = dp.leastLoss(loss: loss, maxBootstraps: maxBootstraps)
            #expect(table.map(\.bootstraps) == truth.keys.sorted())
            for row in table {
                #expect(abs(row.loss - truth[row.bootstraps]!) < 1e-12, "\(layout) \(row.bootstraps) bootstraps")
                let genes = space.genes(of: row.plan)
                #expect(try context.evaluator.cost(of: row.plan).bootstraps == row.bootstraps)
                #expect(abs(genes.enumerated().reduce(0) { $0 + loss[$1.offset][$1.element] } - row.loss) < 1e-12)
            }
            // A cap drops the plans with more bootstraps and keeps the others' optima.
            let capped = dp.leastLoss(loss: loss, maxBootstraps: maxBootstraps - 1)
            #expect(capped.map(\.bootstraps) == truth.keys.sorted().dropLast())
            #expect(zip(capped, table).allSatisfy { abs($0.loss - $1.loss) < 1e-12 })
        }
    }

    /// On additive problems the centre's sensitivities predict exactly: window finds the
    /// exhaustive optimum, well within the budget.
    @Test(arguments: 0..<6)
    func windowFindsTheExhaustiveOptimumWhenLossesAreAdditive(seed: Int) throws {
        let oracle = SyntheticSearch.randomOracle(cells: 7, seed: UInt64(100 + seed))
        let setup = try SyntheticSearch.setup(oracle, budget: 3000, tolerance: 0.03)
        let truth = try Search.run(strategy: "exhaustive", setup: setup)
        var limited = setup
        limited.budget = try Budget(evaluations: 300, seconds: nil)
        let window = try Search.run(strategy: "window", setup: limited)
        #expect(
            abs(window.best.score.latencySeconds - truth.best.score.latencySeconds) < 1e-9,
            "seed \(seed): window \(window.best.score.plan) vs \(truth.best.score.plan)")
    }

    /// On a space smaller than the budget it ends when no centre is left, without repeating plans.
    @Test func windowEndsWhenNoCentreIsLeft() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 3, seed: 3)
        let result = try Search.run(strategy: "window", setup: SyntheticSearch.setup(oracle, budget: 10_000))
        #expect(!result.budgetExhausted)
        #expect(result.evaluations <= 27)
        #expect(Set(result.trace.map(\.score.plan)).count == result.evaluations)
    }

    @Test func badOptionsAreNamed() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try WindowSearch(options: StrategyOptions(["slack": "-1"]))
        }
        #expect(error?.description.contains("slack") == true)
    }
}
