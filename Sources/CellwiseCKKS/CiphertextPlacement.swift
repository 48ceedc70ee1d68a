import CellwiseCore

/// A bootstrap placement on individual ciphertexts: which ciphertext is refreshed before which
/// operation of a ``CiphertextGraph``.
public struct CiphertextSchedule: Sendable, Equatable {
    /// One bootstrap: `ciphertext` refreshed just before operation `operation`.
    public struct Refresh: Sendable, Equatable, Hashable {
        public var operation: Int
        public var ciphertext: Int
    }

    /// Several ciphertexts packed into one and refreshed by a single bootstrap just before
    /// `operation`: each is rotated beside the ones before it in the window (its features,
    /// ``CiphertextGraph/widths``) and added; after the bootstrap each is rotated back. A member that
    /// is not zero past its width (a sigmoid gate, ``CiphertextGraph/zeroPadded``) is masked to it
    /// first, so it needs a level left, and comes back at the top with its neighbours' values past
    /// its width (which only products with zero-padded values read). A zero-padded member needs no
    /// mask before and is masked again after, coming back a level below the top.
    public struct Pack: Sendable, Equatable, Hashable {
        public var operation: Int
        /// The members, in slot order (the first at feature 0).
        public var ciphertexts: [Int]
    }

    /// The single refreshes, in order.
    public var refreshes: [Refresh]
    /// The packed refreshes (``CiphertextPlacement/packed(_:model:)``), in order.
    public var packs: [Pack] = []
    /// Total seconds: one bootstrap per refresh and per pack, packing's masks and rotations, and
    /// every operation at the level it runs.
    public var seconds: Double

    /// Bootstraps: single refreshes and packs.
    public var bootstraps: Int { refreshes.count + packs.count }
}

/// Bootstrap placement per ciphertext, where the chain placement (``BootstrapPlacement``)
/// refreshes every state together: a bootstrap refreshes one ciphertext to the profile's
/// `levelsAfterBootstrap`; an operation runs at the lowest level its inputs allow.
///
/// ``optimal(_:model:)`` is a dynamic program over the levels of the live ciphertexts (exact:
/// the state after an operation is the level of every ciphertext still to be read, and costs
/// add up); ``greedy(_:model:)`` refreshes, just before an operation that does not fit, the input
/// with the fewest levels until it fits.
///
/// The program's states multiply with the ciphertexts live at once. A model whose every layer
/// runs forward keeps a few (each layer's states); a layer above a backward pass waits for the
/// whole sequence below, which stays live meanwhile. So that such a model is still priced in
/// seconds, not hours, the program keeps at most ``stateLimit`` states per operation, the cheapest
/// so far (a bound no forward model reaches: its placement stays exact).
public enum CiphertextPlacement {
    /// The most states ``optimal(_:model:)`` keeps after an operation.
    public static let stateLimit = 1_000

    /// The least-latency placement.
    ///
    /// - Throws: ``CostModelError/shape(_:)`` when an operation needs more levels than a bootstrap gives.
    public static func optimal(_ graph: CiphertextGraph, model: CostModel) throws -> CiphertextSchedule {
        try program(graph, model: model, packing: false)
    }

    /// The least-latency placement when live ciphertexts may also be packed side by side into one
    /// before a bootstrap (``CiphertextSchedule/Pack``): the program's transitions before an
    /// operation add every pack of at least two live ciphertexts (one of them the operation's
    /// input) that fits the window, priced with its masks, rotations and additions. Never slower
    /// than ``optimal(_:model:)``: packing is one more choice.
    ///
    /// - Throws: ``CostModelError/shape(_:)`` when an operation needs more levels than a bootstrap gives.
    public static func packed(_ graph: CiphertextGraph, model: CostModel) throws -> CiphertextSchedule {
        try program(graph, model: model, packing: true)
    }

    static func program(_ graph: CiphertextGraph, model: CostModel, packing: Bool) throws -> CiphertextSchedule {
        let plan = Plan(graph, model)
        struct Entry {
            var seconds: Double
            var parent: [Int]
            var refreshed: [Int]
            var packed: [Int]
        }
        var table: [[Int]: Entry] = [[]: Entry(seconds: 0, parent: [], refreshed: [], packed: [])]
        var history = [[[Int]: Entry]]()
        for k in graph.operations.indices {
            var next = [[Int]: Entry]()
            for (levels, entry) in table {
                plan.transitions(at: k, from: levels, packing: packing) { refreshed, packed, after, seconds in
                    let total = entry.seconds + seconds
                    if let known = next[after], known.seconds <= total { return }
                    next[after] = Entry(seconds: total, parent: levels, refreshed: refreshed, packed: packed)
                }
            }
            guard !next.isEmpty else { throw plan.tooDeep(k) }
            if next.count > stateLimit {
                // The cheapest states so far; ties broken by the levels, so the result does not depend
                // on the dictionary's order.
                let kept = next.sorted {
                    $0.value.seconds != $1.value.seconds
                        ? $0.value.seconds < $1.value.seconds : $0.key.lexicographicallyPrecedes($1.key)
                }.prefix(stateLimit)
                next = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
            }
            history.append(next)
            table = next
        }
        // Back from the cheapest final state.
        guard var key = table.min(by: { $0.value.seconds < $1.value.seconds })?.key else {
            return .init(refreshes: [], seconds: 0)
        }
        let seconds = table[key]!.seconds
        var refreshes = [CiphertextSchedule.Refresh]()
        var packs = [CiphertextSchedule.Pack]()
        for k in stride(from: graph.operations.count - 1, through: 0, by: -1) {
            let entry = history[k][key]!
            refreshes += entry.refreshed.map { CiphertextSchedule.Refresh(operation: k, ciphertext: $0) }
            if !entry.packed.isEmpty { packs.append(.init(operation: k, ciphertexts: entry.packed)) }
            key = entry.parent
        }
        return CiphertextSchedule(refreshes: refreshes.reversed(), packs: packs.reversed(), seconds: seconds)
    }

    /// Refresh, before an operation that does not fit, its input with the fewest levels left until it fits.
    public static func greedy(_ graph: CiphertextGraph, model: CostModel) throws -> CiphertextSchedule {
        let plan = Plan(graph, model)
        var levels = [Int: Int]()
        var refreshes = [CiphertextSchedule.Refresh]()
        var seconds = 0.0
        for (k, operation) in graph.operations.enumerated() {
            func level(_ id: Int) -> Int { graph.fresh.contains(id) ? plan.freshLevel : levels[id]! }
            func pre() -> Int { operation.inputs.map { level($0.ciphertext) - $0.lead }.min()! }
            while pre() - operation.polynomialDepth < 0 {
                guard
                    let lowest = operation.inputs.filter({
                        !graph.fresh.contains($0.ciphertext) && level($0.ciphertext) < plan.top
                    }).min(by: { level($0.ciphertext) - $0.lead < level($1.ciphertext) - $1.lead })
                else { throw plan.tooDeep(k) }
                levels[lowest.ciphertext] = plan.top
                refreshes.append(.init(operation: k, ciphertext: lowest.ciphertext))
                seconds += plan.bootstrap
            }
            seconds += plan.seconds(of: operation, pre: pre())
            levels[operation.output] = pre() - operation.polynomialDepth
        }
        return CiphertextSchedule(refreshes: refreshes, seconds: seconds)
    }

    /// The levels, costs and liveness both placements share.
    struct Plan {
        let graph: CiphertextGraph
        let model: CostModel
        let top: Int
        let freshLevel: Int
        let bootstrap: Double
        /// `live[k]`: the ciphertexts (not fresh) defined before operation k and read at k or later, ascending.
        let live: [[Int]]

        init(_ graph: CiphertextGraph, _ model: CostModel) {
            self.graph = graph
            self.model = model
            top = model.profile.parameters.levelsAfterBootstrap
            freshLevel = model.profile.parameters.freshLevels
            bootstrap = model.profile.costs.bootstrap
            var lastUse = [Int: Int]()
            for (k, operation) in graph.operations.enumerated() {
                for input in operation.inputs where !graph.fresh.contains(input.ciphertext) {
                    lastUse[input.ciphertext] = k
                }
            }
            var live = [[Int]]()
            var current = [Int]()
            for (k, operation) in graph.operations.enumerated() {
                current = current.filter { lastUse[$0]! >= k }
                live.append(current)
                if let last = lastUse[operation.output], last > k { current = (current + [operation.output]).sorted() }
            }
            live.append([])
            self.live = live
        }

        /// Seconds of `operation` whose polynomial starts at level `pre`: the products at `pre + 1`,
        /// the polynomial at the mean level of its span (as ``CostModel/seconds(of:atLevel:)``).
        func seconds(of operation: CiphertextGraph.Operation, pre: Int) -> Double {
            let costs = model.profile.costs
            var seconds = costs.seconds(of: operation.linear) * model.profile.levelFactor(Double(pre + 1))
            if operation.polynomialDepth > 0 {
                let mean = Double(pre) - Double(operation.polynomialDepth - 1) / 2
                seconds += costs.seconds(of: operation.polynomial) * model.profile.levelFactor(mean)
            }
            return seconds
        }

        /// The most live ciphertexts a pack chooses its members from (the operation's inputs
        /// first, then the others by fewest levels): bounds the program's work where a layer
        /// above a backward pass keeps a whole sequence live.
        static let packPool = 10

        /// The level a member of a pack comes back at: a zero-padded one is masked after the bootstrap.
        func packedLevel(_ id: Int) -> Int { graph.zeroPadded[id] ? top - 1 : top }

        /// Seconds of packing `members` into one and unpacking them after the bootstrap: one mask
        /// per member (before or after), a rotation on each side and an addition for every member
        /// but the first (priced at the top level, an upper bound).
        func packingSeconds(_ members: Int) -> Double {
            let count = Double(members)
            let counts = OperationCounts(
                multiplications: 0, plaintextMultiplications: count, rotations: 2 * (count - 1), additions: count - 1)
            return model.profile.costs.seconds(of: counts) * model.profile.levelFactor(Double(top))
        }

        /// The packs possible before operation `k` from `levels`: sets of at least two live
        /// ciphertexts, at least one an input of the operation, each below the level it comes back
        /// at (with a level for its mask when it is not zero-padded), whose widths fit the window.
        func packs(at k: Int, from levels: [Int]) -> [[Int]] {
            let ids = live[k]
            let inputs = Set(graph.operations[k].inputs.map(\.ciphertext))
            let eligible = ids.indices.filter {
                let id = ids[$0]
                return levels[$0] >= (graph.zeroPadded[id] ? 0 : 1) && levels[$0] < packedLevel(id)
            }.map { ids[$0] }
            guard eligible.count >= 2, eligible.contains(where: inputs.contains) else { return [] }
            let level = Dictionary(uniqueKeysWithValues: zip(ids, levels))
            let pool = eligible.sorted {
                (inputs.contains($0) ? 0 : 1, level[$0]!, $0) < (inputs.contains($1) ? 0 : 1, level[$1]!, $1)
            }.prefix(Self.packPool)
            var found = [[Int]]()
            func extend(_ chosen: [Int], from start: Int, width: Int) {
                if chosen.count >= 2 && chosen.contains(where: inputs.contains) { found.append(chosen) }
                for index in start..<pool.count {
                    let id = pool[pool.startIndex + index]
                    let total = width + graph.widths[id]
                    if total <= graph.window { extend(chosen + [id], from: index + 1, width: total) }
                }
            }
            extend([], from: 0, width: 0)
            return found
        }

        /// Every choice of inputs to refresh before operation `k` from `levels` (aligned with
        /// `live[k]`) that lets it run, and with `packing` every pack (``packs(at:from:)``) with
        /// the single refreshes of the inputs left out of it: the refreshed ciphertexts, the
        /// pack's members (empty for none), the levels after, the seconds.
        func transitions(at k: Int, from levels: [Int], packing: Bool, _ visit: ([Int], [Int], [Int], Double) -> Void) {
            let operation = graph.operations[k]
            let ids = live[k]
            func level(_ id: Int, _ current: [Int]) -> Int {
                graph.fresh.contains(id) ? freshLevel : current[ids.firstIndex(of: id)!]
            }
            for pack in [[]] + (packing ? packs(at: k, from: levels) : []) {
                var packed = levels
                for id in pack { packed[ids.firstIndex(of: id)!] = packedLevel(id) }
                let fixed = pack.isEmpty ? 0 : bootstrap + packingSeconds(pack.count)
                var candidates = [Int]()
                for input in operation.inputs where !graph.fresh.contains(input.ciphertext) {
                    let id = input.ciphertext
                    if !candidates.contains(id) && !pack.contains(id) && level(id, packed) < top {
                        candidates.append(id)
                    }
                }
                for mask in 0..<(1 << candidates.count) {
                    var current = packed
                    var refreshed = [Int]()
                    for (bit, id) in candidates.enumerated() where mask & (1 << bit) != 0 {
                        current[ids.firstIndex(of: id)!] = top
                        refreshed.append(id)
                    }
                    let pre = operation.inputs.map { level($0.ciphertext, current) - $0.lead }.min()!
                    let out = pre - operation.polynomialDepth
                    guard out >= 0 else { continue }
                    var after = [Int]()
                    for id in live[k + 1] {
                        after.append(id == operation.output ? out : current[ids.firstIndex(of: id)!])
                    }
                    visit(
                        refreshed, pack, after,
                        fixed + Double(refreshed.count) * bootstrap + seconds(of: operation, pre: pre))
                }
            }
        }

        func tooDeep(_ k: Int) -> CostModelError {
            let operation = graph.operations[k]
            let needed = (operation.inputs.map(\.lead).max() ?? 0) + operation.polynomialDepth
            return .shape(
                "\(operation.label) needs \(needed) levels, more than the \(top) available after a bootstrap")
        }
    }
}
