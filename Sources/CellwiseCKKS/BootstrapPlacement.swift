import CellwiseCore

/// Where bootstraps go along the chain of cells, and at which level each element runs.
public enum PlacementStrategy: String, CaseIterable, Sendable, Codable {
    /// Bootstrap just before an element that does not fit in the levels left; every element runs
    /// at the level it finds. Minimises the number of bootstraps on a chain.
    case greedy
    /// Dynamic program over (element, levels left) minimising total latency: where to bootstrap,
    /// and whether to drop levels (a free modulus switch) so that an element runs at a lower,
    /// cheaper level. Never slower than greedy.
    case optimal
    /// Per ciphertext (``CiphertextPlacement``): each state (`h`, an LSTM's `c`) and each
    /// intermediate value is refreshed on its own, at least latency, on the cells' operation
    /// graph (``CiphertextGraph``). The same as the chain for one state (a one-layer SimpleRNN).
    case ciphertexts
    /// Per ciphertext, and several live ciphertexts may be packed side by side in one before a
    /// bootstrap (``CiphertextPlacement/packed(_:model:)``): one bootstrap refreshes them all.
    case packed
}

/// A placement and its latency.
public struct BootstrapSchedule: Sendable, Equatable {
    /// Indices of the elements preceded by a bootstrap (cells 0..<n, the Dense layer n).
    public var bootstrapBefore: [Int]
    /// The levels left when each element starts (after any bootstrap or level drop).
    public var entryLevels: [Int]
    /// Total seconds: bootstraps plus every element's operations.
    public var seconds: Double
}

/// Greedy and latency-optimal bootstrap placement.
public enum BootstrapPlacement {
    /// Places bootstraps along `chain`.
    ///
    /// - Throws: ``CostModelError/cellTooDeep(cell:degree:depth:available:)`` for an element
    ///   deeper than a bootstrap's levels.
    public static func place(_ chain: [CostModel.Element], model: CostModel, strategy: PlacementStrategy) throws
        -> BootstrapSchedule
    {
        let top = model.profile.parameters.levelsAfterBootstrap
        for (index, element) in chain.enumerated() where element.depth > top {
            throw CostModelError.cellTooDeep(cell: index, degree: element.degree, depth: element.depth, available: top)
        }
        switch strategy {
        case .greedy: return greedy(chain, model: model)
        // A chain has no ciphertexts of its own: the chain's optimum (CostModel.cost prices plans per ciphertext).
        case .optimal, .ciphertexts, .packed: return optimal(chain, model: model)
        }
    }

    static func greedy(_ chain: [CostModel.Element], model: CostModel) -> BootstrapSchedule {
        let top = model.profile.parameters.levelsAfterBootstrap
        var level = model.profile.parameters.freshLevels
        var boots = [Int]()
        var entries = [Int]()
        var seconds = 0.0
        for (index, element) in chain.enumerated() {
            if level < element.depth {
                boots.append(index)
                seconds += model.bootstrapSeconds(before: element)
                level = top
            }
            entries.append(level)
            seconds += model.seconds(of: element, atLevel: level)
            level -= element.depth
        }
        return BootstrapSchedule(bootstrapBefore: boots, entryLevels: entries, seconds: seconds)
    }

    /// best[i][l]: least seconds to finish elements i... when element i finds l levels left.
    static func optimal(_ chain: [CostModel.Element], model: CostModel) -> BootstrapSchedule {
        let top = model.profile.parameters.levelsAfterBootstrap
        let fresh = model.profile.parameters.freshLevels
        let maxLevel = max(top, fresh)
        let n = chain.count
        var best = [[Double]](repeating: [Double](repeating: .infinity, count: maxLevel + 1), count: n + 1)
        // choice[i][l] = (bootstrap first?, entry level)
        var choice = [[(Bool, Int)]](repeating: [(Bool, Int)](repeating: (false, 0), count: maxLevel + 1), count: n)
        for level in 0...maxLevel { best[n][level] = 0 }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let element = chain[i]
            // Running with r levels: cost now plus the rest from r - depth.
            func run(_ r: Int) -> Double { model.seconds(of: element, atLevel: r) + best[i + 1][r - element.depth] }
            // Best entry level reachable from a bootstrap (any r <= top after dropping).
            var afterBootstrap = (cost: Double.infinity, level: top)
            for r in stride(from: top, through: element.depth, by: -1) {
                let c = run(r)
                if c < afterBootstrap.cost { afterBootstrap = (c, r) }
            }
            for level in 0...maxLevel {
                var bestHere = (
                    cost: model.bootstrapSeconds(before: element) + afterBootstrap.cost, boot: true,
                    r: afterBootstrap.level
                )
                if level >= element.depth {
                    for r in stride(from: level, through: element.depth, by: -1) {
                        let c = run(r)
                        // Prefer not bootstrapping, then the highest level (no drop) on ties.
                        if c < bestHere.cost || (c == bestHere.cost && bestHere.boot) { bestHere = (c, false, r) }
                    }
                }
                best[i][level] = bestHere.cost
                choice[i][level] = (bestHere.boot, bestHere.r)
            }
        }
        var boots = [Int]()
        var entries = [Int]()
        var level = fresh
        for i in 0..<n {
            let (boot, r) = choice[i][level]
            if boot { boots.append(i) }
            entries.append(r)
            level = r - chain[i].depth
        }
        return BootstrapSchedule(bootstrapBefore: boots, entryLevels: entries, seconds: best[0][fresh])
    }
}

extension PlacementStrategy: ConfigurationChoice {}
