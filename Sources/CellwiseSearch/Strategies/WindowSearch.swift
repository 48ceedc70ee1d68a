import CellwiseCKKS
import CellwiseCore
import Foundation

/// A search that uses what a black-box optimizer cannot see: the bootstrap windows of the cost
/// model and the plan's own single-site sensitivities.
///
/// It works around a centre plan (first the reference). It measures every single-site change of
/// the centre (its sensitivities: the accuracy each change costs *in the company of the centre's
/// other lowerings*, which single-site losses from the reference miss). Then, in up to `trials`
/// rounds, a DP over (cell, levels left in the bootstrap window, bootstraps so far) finds for
/// every number of bootstraps the plan with the least predicted loss (the centre's sensitivities,
/// randomly rescaled and jittered each round, assumed additive); it asks for those with fewer
/// bootstraps than the best plan whose predicted loss fits `slack` times the centre's margin to
/// the tolerance, those with as many predicted within the margin, the fastest plan predicted
/// within the margin (the `dp` strategy's solver: fewer bootstraps or cheaper operations), and
/// `moves` random changes of one to three sites that add no bootstrap. When a round improves the
/// best plan, the best plan becomes the centre; when no round does, the next centre is the most
/// accurate plan within tolerance not yet a centre, among those with the fewest bootstraps (a
/// sideways move that buys margin). It ends when the budget is spent or no centre is left.
public struct WindowSearch: SearchStrategy {
    public static let name = "window"
    public static let summary =
        "Least-loss DP over the bootstrap windows on the best plan's own sensitivities; re-centred on each improvement."
    public static let options = [
        StrategyOption("trials", "DP rounds around a centre before moving to another (default 30)"),
        StrategyOption(
            "slack", "a proposal's predicted loss may reach this many times the centre's margin (default 1.5)"),
        StrategyOption("moves", "random changes of 1-3 sites of the centre per round (default 8)"),
    ]
    public static let isStochastic = true

    /// DP rounds per centre.
    public var trials: Int
    /// Predicted-loss slack for plans with fewer bootstraps.
    public var slack: Double
    /// Random moves per round.
    public var moves: Int

    public init(options: StrategyOptions) throws {
        trials = try options.int("trials", default: 30, in: 1...10_000)
        slack = try options.double("slack", default: 1.5, in: 0...100)
        moves = try options.int("moves", default: 8, in: 0...1000)
    }

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        guard !space.freeCells.isEmpty, space.candidates.count > 1 else { return }
        var walk = Walk(context: context, dp: try WindowDP(context: context))
        var centre = context.reference
        var idleCentres = 0
        while true {
            let before = context.evaluator.distinctPlans
            try walk.explore(around: centre, trials: trials, slack: slack, moves: moves)
            idleCentres = context.evaluator.distinctPlans == before ? idleCentres + 1 : 0
            if idleCentres >= 3 { return }
            if let next = walk.nextCentre() {
                centre = next
            } else {
                return
            }
        }
    }

    /// The state of a search: the best plan, the plans within tolerance, the centres used.
    struct Walk {
        let context: SearchContext
        let dp: WindowDP
        /// The lowest-latency plan within tolerance so far.
        var best: PlanScore?
        /// Every plan within tolerance measured, in order.
        var feasible: [PlanScore] = []
        var centred: Set<ActivationPlan> = []

        init(context: SearchContext, dp: WindowDP) {
            self.context = context
            self.dp = dp
            note(context.reference)
        }

        /// Scores `plans`, recording the new ones within tolerance.
        mutating func evaluate(_ plans: [ActivationPlan]) throws -> [PlanScore] {
            try plans.map { plan in
                let isNew = context.evaluator.knownScore(of: plan) == nil
                let score = try context.evaluator.evaluate(plan)
                if isNew { note(score) }
                return score
            }
        }

        mutating func note(_ score: PlanScore) {
            guard context.isWithinTolerance(score) else { return }
            feasible.append(score)
            if best.map({ (score.latencySeconds, -score.accuracy) < ($0.latencySeconds, -$0.accuracy) }) ?? true {
                best = score
            }
        }

        /// The most accurate plan within tolerance not yet a centre, among those with the fewest bootstraps.
        func nextCentre() -> PlanScore? {
            feasible.filter { !centred.contains($0.plan) }
                .min {
                    ($0.bootstraps, -$0.accuracy, $0.latencySeconds) < ($1.bootstraps, -$1.accuracy, $1.latencySeconds)
                }
        }

        /// The fewest bootstraps of a plan within tolerance so far.
        var fewestBootstraps: Int? { feasible.map(\.bootstraps).min() }

        /// Measures the centre's sensitivities, then proposes plans in up to `trials` rounds,
        /// until a plan within tolerance saves a bootstrap.
        mutating func explore(around centre: PlanScore, trials: Int, slack: Double, moves: Int) throws {
            centred.insert(centre.plan)
            let space = context.space
            let choices = space.candidates.count
            let genes = space.genes(of: centre.plan)
            // Sensitivities, site by site (consecutive plans share long prefixes).
            var delta = [[Double]](repeating: [Double](repeating: 0, count: choices), count: genes.count)
            for site in genes.indices {
                for gene in stride(from: choices - 1, through: 0, by: -1) where gene != genes[site] {
                    var changed = genes
                    changed[site] = gene
                    delta[site][gene] = centre.accuracy - (try evaluate([space.plan(genes: changed)])[0].accuracy)
                }
            }
            let margin = centre.accuracy - context.threshold
            for _ in 0..<trials {
                let fewest = fewestBootstraps
                let scale = Foundation.exp(Double.random(in: -0.7...0.7, using: &context.random))
                let jitter = Double.random(in: 0...1, using: &context.random)
                let loss = delta.indices.map { site in
                    (0..<choices).map { gene in
                        gene == genes[site]
                            ? 0
                            : delta[site][gene] * scale
                                * (1 + jitter * Double.random(in: 0...1, using: &context.random))
                    }
                }
                let target = best?.bootstraps ?? centre.bootstraps
                var batch = dp.leastLoss(loss: loss, maxBootstraps: max(target, centre.bootstraps))
                    .filter {
                        ($0.bootstraps < target && $0.loss <= slack * margin)
                            || ($0.bootstraps == target && $0.loss <= margin)
                    }
                    .map(\.plan)
                // The fastest plan predicted within the margin (fewer bootstraps or cheaper operations).
                if margin > 0 { batch.append(dp.solve(loss: loss, allowance: margin, buckets: 100)) }
                for _ in 0..<moves {
                    var changed = genes
                    let count = [1, 2, 2, 3][Int.random(in: 0..<4, using: &context.random)]
                    for _ in 0..<min(count, genes.count) {
                        changed[Int.random(in: 0..<genes.count, using: &context.random)] =
                            Int.random(in: 0..<choices, using: &context.random)
                    }
                    let plan = space.plan(genes: changed)
                    if try context.evaluator.cost(of: plan).bootstraps <= target { batch.append(plan) }
                }
                var seen = Set<ActivationPlan>()
                let fresh = batch.filter { context.evaluator.knownScore(of: $0) == nil && seen.insert($0).inserted }
                _ = try evaluate(fresh)
                if let now = fewestBootstraps, now < fewest ?? .max { return }
            }
        }
    }
}
