import CellwiseCKKS
import CellwiseCore

extension WindowDP {
    /// The plan with the least predicted loss for one number of bootstraps.
    struct LeastLoss {
        /// Bootstraps of the plan on the chain (the Dense layer's included).
        var bootstraps: Int
        /// The summed predicted loss.
        var loss: Double
        /// The chain's seconds for the plan (ties in loss go to fewer seconds).
        var seconds: Double
        /// The plan.
        var plan: ActivationPlan
    }

    /// For every number of bootstraps up to `maxBootstraps`, the plan whose summed predicted
    /// losses (`loss[free cell][gene]`, any sign) are least: a DP over (cell, levels left in the
    /// window, bootstraps so far). This is the question a black box cannot ask: "what is the
    /// safest way to save one more bootstrap?".
    func leastLoss(loss: [[Double]], maxBootstraps: Int) -> [LeastLoss] {
        let maxLevel = max(model.profile.parameters.levelsAfterBootstrap, model.profile.parameters.freshLevels)
        let layout = space.layout
        let width = maxBootstraps + 1
        let states = (maxLevel + 1) * width
        struct Value {
            var loss: Double
            var seconds: Double
            func isBetter(than other: Value) -> Bool {
                loss < other.loss - 1e-12 || (loss <= other.loss + 1e-12 && seconds < other.seconds)
            }
        }
        let unreached = Value(loss: .infinity, seconds: .infinity)
        let stages: [[Double]] = cellOptions.map { options in
            options.map { option in option.free.reduce(0) { $0 + loss[$1.freeIndex][option.genes[$1.offset]] } }
        }
        var best = [Value](repeating: unreached, count: states)
        best[model.profile.parameters.freshLevels * width] = Value(loss: 0, seconds: 0)
        var parents = [[(Int, Int)]](
            repeating: [(Int, Int)](repeating: (-1, -1), count: states), count: layout.cells)
        for cell in 0..<layout.cells {
            var next = [Value](repeating: unreached, count: states)
            let table = transitions[layout.cell(cell).layer]
            for state in 0..<states where best[state].loss.isFinite {
                let (level, used) = (state / width, state % width)
                for (index, option) in cellOptions[cell].enumerated() {
                    for way in table[option.code][level] where used + way.bootstraps <= maxBootstraps {
                        let value = Value(
                            loss: best[state].loss + stages[cell][index], seconds: best[state].seconds + way.seconds)
                        let target = way.level * width + used + way.bootstraps
                        if value.isBetter(than: next[target]) {
                            next[target] = value
                            parents[cell][target] = (state, index)
                        }
                    }
                }
            }
            best = next
        }
        // Close with the Dense layer; keep the best end state per total bootstraps.
        var ends = [Int: (value: Value, state: Int)]()
        for state in 0..<states where best[state].loss.isFinite {
            let (level, used) = (state / width, state % width)
            for entry in entries(level: level, depth: dense.depth) {
                let total = used + (entry.bootstrap ? 1 : 0)
                let seconds =
                    (entry.bootstrap ? model.bootstrapSeconds(before: dense) : 0)
                    + model.seconds(of: dense, atLevel: entry.r)
                let value = Value(loss: best[state].loss, seconds: best[state].seconds + seconds)
                if total <= maxBootstraps, ends[total].map({ value.isBetter(than: $0.value) }) ?? true {
                    ends[total] = (value, state)
                }
            }
        }
        return ends.keys.sorted().map { total in
            let end = ends[total]!
            return LeastLoss(
                bootstraps: total, loss: end.value.loss, seconds: end.value.seconds,
                plan: plan(endingAt: end.state, parents: parents) {
                    cellOptions[$0][$1].genes
                })
        }
    }
}
