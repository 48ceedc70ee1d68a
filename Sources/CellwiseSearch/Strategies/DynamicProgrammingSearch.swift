import CellwiseCKKS
import CellwiseCore
import Foundation

/// Dynamic programming over (cell, levels left in the bootstrap window, quantised accumulated
/// accuracy loss), in the spirit of OLA (Lee et al.): per-cell losses are measured one lowering
/// at a time and assumed additive; the DP then finds the lowest-latency plan whose predicted
/// loss fits the tolerance, deciding bootstrap placement jointly with the degrees.
///
/// Single-cell losses are noisy and interact (many lowerings that each cost nothing on their own
/// cost a lot together), so each lowering's predicted loss is its measured loss (at least 0) plus
/// `penalty x` the mean measured loss of its degree. Every DP plan is verified by a real
/// evaluation: when the true loss exceeds the tolerance the penalty is raised (the prediction is
/// tightened), when it fits the penalty is lowered; a geometric bisection on the penalty follows.
public struct DynamicProgrammingSearch: SearchStrategy {
    public static let name = "dp"
    public static let summary =
        "DP over (cell, levels left, quantised loss) on measured single-cell losses; verified and tightened."
    public static let options = [
        StrategyOption("buckets", "loss quantisation: the tolerance is split into this many steps (default 200)"),
        StrategyOption("steps", "verified DP plans after the sensitivity measurements (default 16)"),
    ]

    /// Quantisation steps of the allowance.
    public var buckets: Int
    /// Verified DP plans.
    public var steps: Int

    public init(options: StrategyOptions) throws {
        buckets = try options.int("buckets", default: 200, in: 1...100_000)
        steps = try options.int("steps", default: 16, in: 1...1000)
    }

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        // Measured losses per (free cell, gene); gains count as no loss.
        var measured = [[Double]](
            repeating: [Double](repeating: 0, count: space.candidates.count), count: space.freeCells.count)
        for s in try Sensitivity.measureAll(in: context) { measured[s.freeIndex][s.gene] = max(0, s.accuracyLoss) }
        // The mean loss of each degree over the cells: the prior every lowering pays `penalty` times.
        let prior = space.candidates.indices.map { gene in
            max(1e-4, measured.map { $0[gene] }.reduce(0, +) / Double(max(1, measured.count)))
        }
        let allowance = context.reference.accuracy - context.threshold
        let solver = try Solver(context: context)

        // Geometric search on the penalty: the smallest penalty whose plan verified, and the
        // largest smaller one whose plan failed.
        var passing = Double.infinity  // the reference (infinite penalty) always verifies
        var failing: Double? = nil
        var penalty = 1.0
        for _ in 0..<steps {
            let loss = measured.map { row in row.indices.map { row[$0] + penalty * prior[$0] } }
            let score = try context.evaluator.evaluate(solver.solve(loss: loss, allowance: allowance, buckets: buckets))
            if context.isWithinTolerance(score) {
                passing = min(passing, penalty)
                if let f = failing, f >= passing { failing = nil }
            } else if penalty < passing {
                failing = max(failing ?? 0, penalty)
            }
            switch (passing.isFinite, failing) {
            case (true, let f?):
                if passing / f < 1.05 { return }
                penalty = (passing * f).squareRoot()
            case (true, nil): penalty = passing / 4
            default: penalty = (failing ?? penalty) * 4
            }
        }
    }

    /// The DP, set up once per search. Its stages are the model's cells (every layer's step, in
    /// evaluation order); a stage chooses a candidate for each free site of its cell (all
    /// combinations: 3 candidates give 1, 3 or 5 sites 3, 27 or 243 choices).
    struct Solver {
        let space: SearchSpace
        let model: CostModel
        let placement: PlacementStrategy
        /// Per layer, per combination of genes (base-`candidates` digits, site 0 lowest), per
        /// entry level: the levels the cell may end at and the least seconds to get there.
        let transitions: [[[[Transition]]]]

        /// A way through a cell: the level it ends at, its bootstrap and operation seconds.
        struct Transition {
            var level: Int
            var bootstrap: Double
            var operations: Double
            var seconds: Double { bootstrap + operations }
        }
        let dense: CostModel.Element

        init(context: SearchContext) throws {
            let (space, model) = (context.space, context.costModel)
            self.space = space
            self.model = model
            placement = context.evaluator.placement
            let perCell = space.layout.sitesPerCell
            let choices = space.candidates.count
            let combinations = Int(Foundation.pow(Double(choices), Double(perCell)))
            let maxLevel = max(model.profile.parameters.levelsAfterBootstrap, model.profile.parameters.freshLevels)
            var table = [[[[Transition]]]]()
            let placement = self.placement
            for layer in 0..<space.layout.layers {
                var byCode = [[[Transition]]]()
                for code in 0..<combinations {
                    let degrees = (0..<perCell).map { site in
                        space.candidates[code / Int(Foundation.pow(Double(choices), Double(site))) % choices].degree
                    }
                    let stages = model.cellStages(degrees: degrees, layer: layer)
                    byCode.append((0...maxLevel).map { Self.advance(from: $0, through: stages, model, placement) })
                }
                table.append(byCode)
            }
            transitions = table
            dense = model.denseElement
        }

        /// The levels a chain of stages may end at from `level`, with the least seconds for each.
        static func advance(
            from level: Int, through stages: [CostModel.Element], _ model: CostModel, _ placement: PlacementStrategy
        ) -> [Transition] {
            // A one-stage cell (SimpleRNN): every entry as it comes, the sum made as the chain DP makes it.
            var frontier: [Int: Transition] = [:]
            var paths = [Transition(level: level, bootstrap: 0, operations: 0)]
            for stage in stages {
                frontier = [:]
                var next = [Transition]()
                for path in paths {
                    for (boot, r) in entries(level: path.level, depth: stage.depth, model, placement) {
                        let step = Transition(
                            level: r - stage.depth,
                            bootstrap: path.bootstrap + (boot ? model.bootstrapSeconds(before: stage) : 0),
                            operations: path.operations + model.seconds(of: stage, atLevel: r))
                        next.append(step)
                        if step.seconds < frontier[step.level]?.seconds ?? .infinity { frontier[step.level] = step }
                    }
                }
                // Several stages: keep the cheapest way to each level.
                paths = stages.count == 1 ? next : frontier.values.sorted { $0.level < $1.level }
            }
            return paths
        }

        /// Entry levels an element may run at, given `level` left, and whether each needs a bootstrap.
        func entries(level: Int, depth: Int) -> [(bootstrap: Bool, r: Int)] {
            Self.entries(level: level, depth: depth, model, placement)
        }

        static func entries(level: Int, depth: Int, _ model: CostModel, _ placement: PlacementStrategy)
            -> [(bootstrap: Bool, r: Int)]
        {
            let top = model.profile.parameters.levelsAfterBootstrap
            switch placement {
            case .greedy:
                return level >= depth ? [(false, level)] : [(true, top)]
            // Per ciphertext: a bootstrap may come early, but levels are not dropped. The DP plans on
            // the chain (exact for one state) and every plan it proposes is priced per ciphertext.
            case .ciphertexts:
                return (level >= depth ? [(false, level)] : []) + [(true, top)]
            case .optimal:
                var options = [(bootstrap: Bool, r: Int)]()
                if level >= depth { for r in depth...level { options.append((false, r)) } }
                for r in depth...max(depth, top) where r <= top { options.append((true, r)) }
                return options
            }
        }

        /// The lowest-latency plan whose summed predicted losses (`loss[free cell][gene]`) fit `allowance`.
        func solve(loss: [[Double]], allowance: Double, buckets: Int) -> ActivationPlan {
            let maxLevel = max(model.profile.parameters.levelsAfterBootstrap, model.profile.parameters.freshLevels)
            let free = Dictionary(uniqueKeysWithValues: space.freeCells.enumerated().map { ($1, $0) })
            let unit = allowance > 0 ? allowance / Double(buckets) : 0
            func cost(_ l: Double) -> Int? {
                if l <= 1e-12 { return 0 }
                guard unit > 0 else { return nil }
                let b = Int((l / unit - 1e-9).rounded(.up))
                return b <= buckets ? b : nil
            }
            let layout = space.layout
            let perCell = layout.sitesPerCell
            let choices = space.candidates.count
            let top = choices - 1
            // Each stage's choices: (code into cellElements, genes by site, quantised loss).
            let stages: [[(code: Int, genes: [Int], extra: Int)]] = (0..<layout.cells).map { cell in
                var options: [(code: Int, genes: [Int], extra: Int)] = [(0, [], 0)]
                for offset in 0..<perCell {
                    let site = cell * perCell + offset
                    let genes = free[site].map { _ in Array(space.candidates.indices) } ?? [top]
                    var next = [(code: Int, genes: [Int], extra: Int)]()
                    let weight = Int(Foundation.pow(Double(choices), Double(offset)))
                    for option in options {
                        for gene in genes {
                            guard let extra = free[site].map({ cost(loss[$0][gene]) }) ?? 0 else { continue }
                            next.append((option.code + gene * weight, option.genes + [gene], option.extra + extra))
                        }
                    }
                    options = next
                }
                return options.filter { $0.extra <= buckets }
            }
            let states = (maxLevel + 1) * (buckets + 1)
            var best = [Double](repeating: .infinity, count: states)
            best[model.profile.parameters.freshLevels * (buckets + 1)] = 0
            // parents[cell][state] = (previous state, option index)
            var parents = [[(Int, Int)]](
                repeating: [(Int, Int)](repeating: (-1, -1), count: states), count: layout.cells)
            for cell in 0..<layout.cells {
                var next = [Double](repeating: .infinity, count: states)
                let table = transitions[cell % layout.layers]
                for state in 0..<states where best[state].isFinite {
                    let (level, used) = (state / (buckets + 1), state % (buckets + 1))
                    for (index, option) in stages[cell].enumerated() where used + option.extra <= buckets {
                        for way in table[option.code][level] {
                            let end = way.level
                            let seconds = best[state] + way.bootstrap + way.operations
                            let target = end * (buckets + 1) + used + option.extra
                            if seconds < next[target] {
                                next[target] = seconds
                                parents[cell][target] = (state, index)
                            }
                        }
                    }
                }
                best = next
            }
            // Close with the Dense layer and pick the cheapest end state.
            var end = (seconds: Double.infinity, state: -1)
            for state in 0..<states where best[state].isFinite {
                let level = state / (buckets + 1)
                let close =
                    entries(level: level, depth: dense.depth)
                    .map {
                        ($0.bootstrap ? model.bootstrapSeconds(before: dense) : 0)
                            + model.seconds(of: dense, atLevel: $0.r)
                    }
                    .min() ?? .infinity
                if best[state] + close < end.seconds { end = (best[state] + close, state) }
            }
            guard end.state >= 0 else { return space.reference }
            var genesBySite = [Int](repeating: top, count: space.cells)
            var state = end.state
            for cell in stride(from: layout.cells - 1, through: 0, by: -1) {
                let (previous, index) = parents[cell][state]
                for (offset, gene) in stages[cell][index].genes.enumerated() {
                    genesBySite[cell * perCell + offset] = gene
                }
                state = previous
            }
            return space.plan(genes: space.freeCells.map { genesBySite[$0] })
        }
    }
}
