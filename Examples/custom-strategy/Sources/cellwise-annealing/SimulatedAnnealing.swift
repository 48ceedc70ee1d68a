import Cellwise
import Foundation

/// Simulated annealing over per-cell degree plans.
///
/// The state is one degree per free cell, starting from the reference (all highest). A move
/// changes one random free cell by one degree, up or down. A plan's energy is its latency in
/// seconds, plus a penalty of `penalty` seconds per point of accuracy below the tolerance
/// threshold, so infeasible plans are allowed but costly. Worse moves are accepted with
/// probability exp(-increase / temperature); the temperature falls geometrically from `start`
/// (a fraction of the reference latency) by `cooling` per move.
struct SimulatedAnnealing: SearchStrategy {
    static let name = "annealing"
    static let summary =
        "Simulated annealing: one-cell moves, latency plus an infeasibility penalty, geometric cooling."
    static let isStochastic = true
    static let options = [
        StrategyOption("start", "initial temperature as a fraction of the reference latency (default 0.05)"),
        StrategyOption("cooling", "temperature factor per move (default 0.995)"),
        StrategyOption("penalty", "seconds of energy per accuracy point below the threshold (default 100)"),
    ]

    var start: Double
    var cooling: Double
    var penalty: Double

    init(options: StrategyOptions) throws {
        start = try options.double("start", default: 0.05, in: 1e-6...10)
        cooling = try options.double("cooling", default: 0.995, in: 0.5...0.999999)
        penalty = try options.double("penalty", default: 100, in: 0...1e9)
    }

    mutating func run(in context: SearchContext) throws {
        let space = context.space
        let threshold = context.threshold
        func energy(_ score: PlanScore) -> Double {
            score.latencySeconds + penalty * 100 * max(0, threshold - score.accuracy)
        }
        var genes = [Int](repeating: space.degrees.count - 1, count: space.freeCells.count)
        var current = energy(context.reference)
        var temperature = start * context.reference.latencySeconds
        // Every evaluation goes through the budgeted evaluator: when the budget is spent it
        // throws SearchStop.budgetExhausted and the driver ends the search. Plans already asked
        // for are free, so a small space could be walked forever: stop after 10,000 moves in a
        // row that found no new plan (`distinctPlans` counts plans as this run reaches them,
        // which keeps a resumed run identical to an uninterrupted one).
        var idle = 0
        while idle < 10_000 {
            var candidate = genes
            let position = Int(context.random.next() % UInt64(candidate.count))
            let step = context.random.nextUnit() < 0.5 ? -1 : 1
            candidate[position] = min(space.degrees.count - 1, max(0, candidate[position] + step))
            let before = context.evaluator.distinctPlans
            let score = try context.evaluator.evaluate(space.plan(genes: candidate))
            idle = context.evaluator.distinctPlans == before ? idle + 1 : 0
            let next = energy(score)
            if next <= current || context.random.nextUnit() < exp(-(next - current) / max(temperature, 1e-12)) {
                genes = candidate
                current = next
            }
            temperature *= cooling
        }
    }
}
