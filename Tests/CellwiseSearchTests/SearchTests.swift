import CellwiseCKKS
import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

@Suite struct SearchTests {
    @Test func theRegistryHoldsExactlyTheDocumentedStrategies() throws {
        let names = StrategyRegistry.builtIn.names
        #expect(names == ["dfs", "dp", "ga", "greedy", "random", "window", "exhaustive", "external"])
        // docs/strategies.md has one table row per strategy: | `name` | ...
        let docs = TestData.repositoryRoot
            .appendingPathComponent("docs/strategies.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let documented = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
        #expect(Set(documented) == Set(names))
        let error = #expect(throws: SearchError.self) { try StrategyRegistry.builtIn.strategy(named: "annealing") }
        #expect(error == .unknownStrategy("annealing", known: names))
    }

    /// The options a strategy needs in these tests: the external one runs the scripted fake strategy
    /// that asks for plans until it is stopped.
    static func options(_ strategy: String) -> StrategyOptions {
        guard strategy == ExternalStrategy.name else { return StrategyOptions() }
        let fake = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fake_strategy.py").path
        return StrategyOptions(["command": "[\"python3\", \"\(fake)\", \"overspend\"]"])
    }

    /// No strategy spends more than its budget, whatever the budget (an external one included).
    @Test(arguments: StrategyRegistry.builtIn.names)
    func noStrategyExceedsItsBudget(strategy: String) throws {
        var generator = SeededGenerator(seed: 77)
        for trial in 0..<12 {
            let oracle = SyntheticSearch.randomOracle(cells: 6, seed: UInt64(trial))
            let budget = 1 + Int(generator.next() % 150)
            let result = try Search.run(
                strategy: strategy, options: Self.options(strategy),
                setup: SyntheticSearch.setup(oracle, budget: budget, seed: UInt64(trial)))
            #expect(result.evaluations <= budget, "\(strategy) budget \(budget)")
            #expect(oracle.calls == result.evaluations, "every oracle call is a counted evaluation")
            #expect(result.trace.count == result.evaluations)
            #expect(Set(result.trace.map(\.score.plan)).count == result.trace.count, "no plan is evaluated twice")
            let reference = try ActivationPlan(parsing: "17*6")
            #expect(result.trace.first?.score.plan == reference, "the reference comes first")
        }
    }

    /// Over candidates (several per degree, weighted and minimax), no strategy overspends either,
    /// and every evaluated plan is made of the space's candidates.
    @Test(arguments: StrategyRegistry.builtIn.names.filter { $0 != "exhaustive" })
    func noStrategyExceedsItsBudgetOverCandidates(strategy: String) throws {
        let candidates = ["3", "3w", "7", "7w", "9m", "17", "17w"]
        let space = try candidates.map { try Candidate(parsing: $0) }
        for budget in [1, 7, 60, 300] {
            let oracle = FunctionOracle(cells: 6) { plan in
                0.9 - plan.activations.reduce(0) { $0 + 0.004 * Double(17 - ($1.degree ?? 17)) }
            }
            let result = try Search.run(
                strategy: strategy, options: Self.options(strategy),
                setup: SyntheticSearch.setup(oracle, budget: budget, candidates: candidates))
            #expect(result.evaluations <= budget, "\(strategy) budget \(budget)")
            #expect(result.trace.first?.score.plan.description == "17w*6", "the reference is the most expensive")
            #expect(result.trace.allSatisfy { $0.score.plan.activations.allSatisfy { space.contains($0.candidate!) } })
        }
    }

    @Test(arguments: ["ga", "random", "dfs", "dp", "greedy", "window"])
    func theSameSeedGivesTheSameSearch(strategy: String) throws {
        func run(_ seed: UInt64) throws -> [String] {
            let oracle = SyntheticSearch.randomOracle(cells: 10, seed: 5)
            return try Search.run(strategy: strategy, setup: SyntheticSearch.setup(oracle, budget: 300, seed: seed))
                .trace.map { $0.score.plan.description }
        }
        let (a, b) = (try run(3), try run(3))
        #expect(a == b)
        if ["ga", "random", "window"].contains(strategy) { #expect(try run(4) != a) }
    }

    @Test func theBestPlanIsTheFastestWithinToleranceOfTheReference() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 6, seed: 9)
        let result = try Search.run(strategy: "exhaustive", setup: SyntheticSearch.setup(oracle, budget: 1000))
        #expect(result.evaluations == 729)
        #expect(!result.budgetExhausted)
        let threshold = 0.98 * result.reference.score.accuracy
        let within = result.trace.map(\.score).filter { $0.accuracy >= threshold - 1e-12 }
        #expect(result.best.score.latencySeconds == within.map(\.latencySeconds).min())
        #expect(result.accepted.count == within.count - 1)  // the reference is not an accepted lowering
        #expect(result.best.counts.reduce(0, +) == 6)
    }

    @Test func exhaustiveRefusesLargeSpacesClearly() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 28, seed: 1)
        let error = #expect(throws: ConfigurationError.self) {
            try Search.run(strategy: "exhaustive", setup: SyntheticSearch.setup(oracle, budget: 100))
        }
        #expect(error?.description.contains("3^28") == true)
        #expect(error?.description.contains("limit of 531441") == true)
        // Freeing fewer cells makes it possible.
        let small = try Search.run(
            strategy: "exhaustive",
            setup: SyntheticSearch.setup(oracle, budget: 100, degrees: [7, 17], freeCells: [0, 1, 26, 27]))
        #expect(small.evaluations == 16)
    }

    @Test func unknownOptionsAreRejected() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 6, seed: 1)
        let error = #expect(throws: ConfigurationError.self) {
            try Search.run(
                strategy: "dfs", options: StrategyOptions(["depth": "3"]), setup: SyntheticSearch.setup(oracle))
        }
        #expect(error?.description.contains("is not an option of strategy dfs") == true)
        #expect(throws: ConfigurationError.self) {
            try Search.run(
                strategy: "ga", options: StrategyOptions(["population": "one"]), setup: SyntheticSearch.setup(oracle))
        }
    }

    @Test func paretoFrontsAreNonDominatedAndCoverTheTrace() throws {
        let oracle = SyntheticSearch.randomOracle(cells: 10, seed: 4)
        let result = try Search.run(strategy: "ga", setup: SyntheticSearch.setup(oracle, budget: 400))
        for a in result.pareto {
            for b in result.pareto { #expect(!ParetoFront.dominates(a, b)) }
        }
        for point in result.trace.map(\.score) {
            #expect(
                result.pareto.contains {
                    $0 == point || ParetoFront.dominates($0, point)
                        || ($0.accuracy == point.accuracy && $0.latencySeconds == point.latencySeconds)
                })
        }
        let volume = ParetoFront.hypervolume(of: result.pareto, accuracyFloor: 0.5, latencyCeiling: 700)
        #expect(volume > 0)
        #expect(
            volume
                >= ParetoFront.hypervolume(of: Array(result.pareto.prefix(1)), accuracyFloor: 0.5, latencyCeiling: 700))
    }
}

/// A resumed search equals the uninterrupted one, wherever it was interrupted.
@Suite struct ResumedSearchTests {
    /// Runs `strategy` in full, then again from every cut of its trace, and compares.
    ///
    /// The budgets are large enough for the stops that used to fire early on replayed
    /// evaluations: ga's "50 generations without a new plan" (80 offspring each) and random's
    /// "10,000 draws without a new plan".
    @Test(arguments: [
        ("ga", 12, 6000), ("random", 12, 14000), ("dfs", 8, 900), ("dp", 10, 400), ("greedy", 10, 400),
        ("window", 10, 500), ("window", 10, 5000), ("exhaustive", 6, 900),
    ])
    func aResumedRunEqualsTheUninterruptedOne(strategy: String, cells: Int, budget: Int) throws {
        let oracle = SyntheticSearch.randomOracle(cells: cells, seed: 21)
        let setup = try SyntheticSearch.setup(oracle, budget: budget, seed: 4)
        let full = try Search.run(strategy: strategy, setup: setup)
        for cut in Set([1, 2, full.evaluations / 3, full.evaluations / 2, full.evaluations - 1, full.evaluations])
        where cut >= 1 {
            var resumed = setup
            resumed.replay = Array(full.trace.prefix(cut))
            let again = try Search.run(strategy: strategy, setup: resumed)
            #expect(again.evaluations == full.evaluations, "\(strategy) resumed after \(cut)")
            let sameTrace = again.trace.map(\.score) == full.trace.map(\.score)
            #expect(sameTrace, "\(strategy) resumed after \(cut): the same evaluations in the same order")
            #expect(again.best.score == full.best.score)
            #expect(again.budgetExhausted == full.budgetExhausted)
        }
    }
}
