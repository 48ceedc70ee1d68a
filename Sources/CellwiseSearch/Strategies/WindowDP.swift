import CellwiseCKKS
import CellwiseCore
import Foundation

/// Dynamic programs over the chain of cells and the bootstrap windows of the cost model, set up
/// once per search and shared by the `dp` and `window` strategies. Its stages are the model's
/// cells (every layer's step, in evaluation order); a stage chooses a candidate for each free
/// site of its cell (all combinations: 3 candidates give 1, 3 or 5 sites 3, 27 or 243 choices).
struct WindowDP {
    let space: SearchSpace
    let model: CostModel
    let placement: PlacementStrategy
    /// Per layer, per combination of genes (base-`candidates` digits, site 0 lowest), per
    /// entry level: the levels the cell may end at and the least seconds to get there.
    let transitions: [[[[Transition]]]]

    /// A way through a cell: the level it ends at, its bootstraps, bootstrap and operation seconds.
    struct Transition {
        var level: Int
        var bootstraps: Int
        var bootstrap: Double
        var operations: Double
        var seconds: Double { bootstrap + operations }
    }
    let dense: CostModel.Element
    /// Per cell (every layer's step), the gene combinations of its sites: the code into
    /// ``transitions``, the gene of each site, and the free-cell index of each free site.
    let cellOptions: [[CellOption]]

    /// One combination of genes for the sites of one cell.
    struct CellOption {
        var code: Int
        var genes: [Int]
        var free: [(offset: Int, freeIndex: Int)]
    }

    init(context: SearchContext) throws {
        let (space, model) = (context.space, context.costModel)
        self.space = space
        self.model = model
        placement = context.evaluator.placement
        let choices = space.candidates.count
        let maxLevel = max(model.profile.parameters.levelsAfterBootstrap, model.profile.parameters.freshLevels)
        var table = [[[[Transition]]]]()
        let placement = self.placement
        for layer in space.layout.layers.indices {
            let perCell = space.layout.layers[layer].cell.sites.count
            let combinations = Int(Foundation.pow(Double(choices), Double(perCell)))
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
        let free = Dictionary(uniqueKeysWithValues: space.freeCells.enumerated().map { ($1, $0) })
        let top = choices - 1
        cellOptions = (0..<space.layout.cells).map { cell in
            var options = [CellOption(code: 0, genes: [], free: [])]
            let first = space.layout.cell(cell).firstSite
            for offset in 0..<space.layout.cell(cell).sites.count {
                let site = first + offset
                let genes = free[site].map { _ in Array(space.candidates.indices) } ?? [top]
                let weight = Int(Foundation.pow(Double(choices), Double(offset)))
                options = options.flatMap { option in
                    genes.map { gene in
                        CellOption(
                            code: option.code + gene * weight, genes: option.genes + [gene],
                            free: option.free + (free[site].map { [(offset, $0)] } ?? []))
                    }
                }
            }
            return options
        }
    }

    /// The levels a chain of stages may end at from `level`, with the least seconds for each.
    static func advance(
        from level: Int, through stages: [CostModel.Element], _ model: CostModel, _ placement: PlacementStrategy
    ) -> [Transition] {
        // A one-stage cell (SimpleRNN): every entry as it comes, the sum made as the chain DP makes it.
        var frontier: [Int: Transition] = [:]
        var paths = [Transition(level: level, bootstraps: 0, bootstrap: 0, operations: 0)]
        for stage in stages {
            frontier = [:]
            var next = [Transition]()
            for path in paths {
                for (boot, r) in entries(level: path.level, depth: stage.depth, model, placement) {
                    let step = Transition(
                        level: r - stage.depth,
                        bootstraps: path.bootstraps + (boot ? 1 : 0),
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
        case .ciphertexts, .packed:
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
        let unit = allowance > 0 ? allowance / Double(buckets) : 0
        func cost(_ l: Double) -> Int? {
            if l <= 1e-12 { return 0 }
            guard unit > 0 else { return nil }
            let b = Int((l / unit - 1e-9).rounded(.up))
            return b <= buckets ? b : nil
        }
        let layout = space.layout
        // Each stage's choices: (code into transitions, genes by site, quantised loss).
        let stages: [[(code: Int, genes: [Int], extra: Int)]] = cellOptions.map { options in
            options.compactMap { option in
                var extra = 0
                for (offset, freeIndex) in option.free {
                    guard let c = cost(loss[freeIndex][option.genes[offset]]) else { return nil }
                    extra += c
                }
                return extra <= buckets ? (option.code, option.genes, extra) : nil
            }
        }
        let states = (maxLevel + 1) * (buckets + 1)
        var best = [Double](repeating: .infinity, count: states)
        best[model.profile.parameters.freshLevels * (buckets + 1)] = 0
        // parents[cell][state] = (previous state, option index)
        var parents = [[(Int, Int)]](
            repeating: [(Int, Int)](repeating: (-1, -1), count: states), count: layout.cells)
        for cell in 0..<layout.cells {
            var next = [Double](repeating: .infinity, count: states)
            let table = transitions[layout.cell(cell).layer]
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
        return plan(endingAt: end.state, parents: parents) { stages[$0][$1].genes }
    }

    /// The plan a DP's back-pointers lead to from its end state; `genes(cell, option)` gives the
    /// genes by site of a cell's chosen option.
    func plan(endingAt end: Int, parents: [[(Int, Int)]], genes: (Int, Int) -> [Int]) -> ActivationPlan {
        var genesBySite = [Int](repeating: space.candidates.count - 1, count: space.cells)
        var state = end
        for cell in stride(from: space.layout.cells - 1, through: 0, by: -1) {
            let (previous, index) = parents[cell][state]
            let first = space.layout.cell(cell).firstSite
            for (offset, gene) in genes(cell, index).enumerated() { genesBySite[first + offset] = gene }
            state = previous
        }
        return space.plan(genes: space.freeCells.map { genesBySite[$0] })
    }
}
