import CellwiseCKKS
import CellwiseCore

/// Runs a strategy on equal terms with every other: the driver evaluates the reference plan
/// first, hands the strategy a context, ends the search when the budget is spent, and builds
/// the result from the evaluator's trace.
public enum Search {
    /// Everything a search needs besides the strategy.
    public struct Setup {
        /// Validation accuracy of plans.
        public var oracle: any AccuracyOracle
        /// Test accuracy, measured once for the reference and the best plan (nil: not reported).
        public var testOracle: (any AccuracyOracle)?
        /// The plans the strategy may visit.
        public var space: SearchSpace
        /// The CKKS cost model.
        public var costModel: CostModel
        /// Bootstrap placement.
        public var placement: PlacementStrategy
        /// Tolerance against the reference.
        public var tolerance: Tolerance
        /// Budget.
        public var budget: Budget
        /// Seed of the strategy's random generator.
        public var seed: UInt64
        /// Evaluations of an interrupted run of this search, to continue it (see ``TraceLog``).
        public var replay: [TraceEntry] = []
        /// The accuracy the tolerance is measured against (nil: the reference plan's; the exact
        /// model's with `reference = "exact"`).
        public var baselineAccuracy: Double?

        /// Creates a setup.
        public init(
            oracle: any AccuracyOracle, testOracle: (any AccuracyOracle)? = nil, space: SearchSpace,
            costModel: CostModel, placement: PlacementStrategy = .greedy, tolerance: Tolerance, budget: Budget,
            seed: UInt64
        ) {
            self.oracle = oracle
            self.testOracle = testOracle
            self.space = space
            self.costModel = costModel
            self.placement = placement
            self.tolerance = tolerance
            self.budget = budget
            self.seed = seed
        }
    }

    /// Runs the strategy called `name` in `registry` with `options`.
    public static func run(
        strategy name: String, options: StrategyOptions = StrategyOptions(),
        registry: StrategyRegistry = .builtIn, setup: Setup,
        onEvaluation: ((TraceEntry) throws -> Void)? = nil, onNote: (([String: String]) throws -> Void)? = nil
    ) throws -> SearchResult {
        let (type, options) = try registry.strategy(named: name, options: options)
        try options.check(against: type)
        let strategy = try type.init(options: options)
        return try run(strategy, setup: setup, onEvaluation: onEvaluation, onNote: onNote)
    }

    /// Runs `strategy`.
    public static func run(
        _ strategy: some SearchStrategy, setup: Setup, onEvaluation: ((TraceEntry) throws -> Void)? = nil,
        onNote: (([String: String]) throws -> Void)? = nil
    ) throws -> SearchResult {
        var strategy = strategy
        guard setup.space.cells == setup.oracle.cells else {
            throw ConfigurationError(
                key: "cells",
                problem: "the search space has \(setup.space.cells) cells, the model \(setup.oracle.cells)")
        }
        let evaluator = BudgetedEvaluator(
            oracle: setup.oracle, costModel: setup.costModel, placement: setup.placement,
            budget: setup.budget, replay: setup.replay)
        evaluator.onEvaluation = onEvaluation
        evaluator.onNote = onNote
        let reference = try evaluator.evaluate(setup.space.reference)
        let context = SearchContext(
            space: setup.space, tolerance: setup.tolerance, evaluator: evaluator,
            reference: reference, seed: setup.seed, baselineAccuracy: setup.baselineAccuracy)
        var exhausted = false
        var interrupted = false
        do {
            try strategy.run(in: context)
        } catch SearchStop.budgetExhausted {
            exhausted = true
        } catch SearchStop.interrupted {
            interrupted = true
        }
        let wall = evaluator.elapsedSeconds
        let scores = evaluator.trace.map(\.score)
        let within = scores.filter { context.isWithinTolerance($0) }
        // Lowest latency within tolerance; ties: higher accuracy, then the earlier evaluation.
        let best = within.min { ($0.latencySeconds, -$0.accuracy) < ($1.latencySeconds, -$1.accuracy) } ?? reference
        func entry(_ score: PlanScore) throws -> SearchResult.Entry {
            let counts = setup.space.counts(of: score.plan)
            return SearchResult.Entry(
                score: score, testAccuracy: try setup.testOracle?.accuracy(of: score.plan), counts: counts)
        }
        return SearchResult(
            strategy: strategy.runName, seed: setup.seed, budget: setup.budget, tolerance: setup.tolerance,
            candidates: setup.space.candidates, evaluations: evaluator.used, wallSeconds: wall,
            budgetExhausted: exhausted,
            interrupted: interrupted,
            reference: try entry(reference), best: try entry(best), pareto: ParetoFront.of(scores),
            accepted: context.hasOwnAcceptanceRule
                ? context.accepted : within.map(\.plan).filter { $0 != reference.plan },
            trace: evaluator.trace)
    }
}
