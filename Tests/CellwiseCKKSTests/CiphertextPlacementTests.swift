import CellwiseCore
import Testing

@testable import CellwiseCKKS

/// Per-ciphertext bootstrap placement against brute force on small graphs.
@Suite struct CiphertextPlacementTests {
    /// HEaAN FGb's costs with few levels, so that small graphs need bootstraps in many places.
    func model(_ model: RecurrentModel, top: Int, fresh: Int) -> CostModel {
        var profile = CostProfile.heaanFGb
        profile.parameters.levelsAfterBootstrap = top
        profile.parameters.freshLevels = fresh
        return CostModel(profile: profile, shapeOf: model)
    }

    /// The least seconds over every subset of inputs refreshed before every operation.
    func bruteForce(_ graph: CiphertextGraph, _ model: CostModel) -> (seconds: Double, bootstraps: Int)? {
        let plan = CiphertextPlacement.Plan(graph, model)
        var best: (seconds: Double, bootstraps: Int)?
        var levels = [Int: Int]()
        func level(_ id: Int) -> Int { graph.fresh.contains(id) ? plan.freshLevel : levels[id]! }
        func visit(_ k: Int, _ seconds: Double, _ bootstraps: Int) {
            if k == graph.operations.count {
                if best == nil || seconds < best!.seconds { best = (seconds, bootstraps) }
                return
            }
            let operation = graph.operations[k]
            var candidates = [Int]()
            for input in operation.inputs where !graph.fresh.contains(input.ciphertext) {
                if !candidates.contains(input.ciphertext) { candidates.append(input.ciphertext) }
            }
            let saved = levels
            for mask in 0..<(1 << candidates.count) {
                levels = saved
                var refreshed = 0
                for (bit, id) in candidates.enumerated() where mask & (1 << bit) != 0 {
                    levels[id] = plan.top
                    refreshed += 1
                }
                let pre = operation.inputs.map { level($0.ciphertext) - $0.lead }.min()!
                guard pre - operation.polynomialDepth >= 0 else { continue }
                levels[operation.output] = pre - operation.polynomialDepth
                visit(
                    k + 1, seconds + Double(refreshed) * plan.bootstrap + plan.seconds(of: operation, pre: pre),
                    bootstraps + refreshed)
            }
            levels = saved
        }
        visit(0, 0, 0)
        return best
    }

    static let cases: [(RecurrentCell, Int, Int, String, Int, Int)] = [
        // cell, layers, steps, plan, top, fresh
        (.simpleRNN, 1, 4, "7,3,15,3", 6, 5),
        (.simpleRNN, 2, 2, "3,7,7,3", 6, 6),
        (.gru(resetAfter: true), 1, 2, "z=3;r=7;h=3", 7, 6),
        (.gru(resetAfter: false), 1, 2, "z=7;r=3;h=7", 8, 5),
        (.gru(resetAfter: true), 2, 1, "z=3;r=3;h=7", 7, 7),
        (.lstm, 1, 2, "i=3;f=7;g=3;o=3;c=7", 7, 6),
        (.lstm, 1, 1, "i=15;f=3;g=3;o=7;c=15", 7, 7),
    ]

    @Test(arguments: 0..<cases.count)
    func optimalMatchesBruteForce(index: Int) throws {
        let (cell, layers, steps, text, top, fresh) = Self.cases[index]
        let shape = RecurrentModel(
            cell: cell, inputSize: 3, units: Array(repeating: 4, count: layers), classes: 2, timeSteps: steps,
            input: InputTransform(layout: .series))
        let pricing = model(shape, top: top, fresh: fresh)
        let plan = try ActivationPlan(parsing: text, layout: shape.sites)
        let graph = try CiphertextGraph(plan: plan, model: pricing)
        let optimal = try CiphertextPlacement.optimal(graph, model: pricing)
        let greedy = try CiphertextPlacement.greedy(graph, model: pricing)
        let brute = try #require(bruteForce(graph, pricing))
        #expect(abs(optimal.seconds - brute.seconds) < 1e-9 * brute.seconds, "\(cell) \(text)")
        #expect(greedy.seconds >= optimal.seconds - 1e-9)
        #expect(optimal.bootstraps > 0, "the case should need bootstraps")
        // The schedule's own accounting: replaying its refreshes gives its seconds.
        #expect(abs(replay(graph, pricing, optimal) - optimal.seconds) < 1e-9 * optimal.seconds)
    }

    /// Seconds of `schedule` replayed operation by operation: each single refresh returns its
    /// ciphertext to the top; each pack costs one bootstrap and its masks, and its members come back
    /// at the top, or a level below when zero-padded (masked after).
    func replay(_ graph: CiphertextGraph, _ model: CostModel, _ schedule: CiphertextSchedule) -> Double {
        let plan = CiphertextPlacement.Plan(graph, model)
        var levels = [Int: Int]()
        var seconds = Double(schedule.bootstraps) * plan.bootstrap
        for (k, operation) in graph.operations.enumerated() {
            for pack in schedule.packs where pack.operation == k {
                #expect(pack.ciphertexts.count >= 2)
                #expect(pack.ciphertexts.map { graph.widths[$0] }.reduce(0, +) <= graph.window)
                for id in pack.ciphertexts {
                    let padded = graph.zeroPadded[id]
                    #expect(
                        levels[id]! >= (padded ? 0 : 1), "a member that is not zero-padded needs a level for its mask")
                    levels[id] = padded ? plan.top - 1 : plan.top
                }
                seconds += plan.packingSeconds(pack.ciphertexts.count)
            }
            for refresh in schedule.refreshes where refresh.operation == k { levels[refresh.ciphertext] = plan.top }
            let pre = operation.inputs.map {
                (graph.fresh.contains($0.ciphertext) ? plan.freshLevel : levels[$0.ciphertext]!) - $0.lead
            }.min()!
            #expect(pre >= operation.polynomialDepth, "\(operation.label) runs out of levels")
            seconds += plan.seconds(of: operation, pre: pre)
            levels[operation.output] = pre - operation.polynomialDepth
        }
        return seconds
    }

    @Test(arguments: 0..<cases.count)
    func packingIsNeverSlowerAndReplays(index: Int) throws {
        let (cell, layers, steps, text, top, fresh) = Self.cases[index]
        let shape = RecurrentModel(
            cell: cell, inputSize: 3, units: Array(repeating: 4, count: layers), classes: 2, timeSteps: steps,
            input: InputTransform(layout: .series))
        let pricing = model(shape, top: top, fresh: fresh)
        let graph = try CiphertextGraph(
            plan: ActivationPlan(parsing: text, layout: shape.sites), model: pricing)
        let optimal = try CiphertextPlacement.optimal(graph, model: pricing)
        let packed = try CiphertextPlacement.packed(graph, model: pricing)
        #expect(packed.seconds <= optimal.seconds + 1e-9 * optimal.seconds, "\(cell) \(text)")
        #expect(abs(replay(graph, pricing, packed) - packed.seconds) < 1e-9 * packed.seconds)
    }

    /// Two stacked GRU(32) layers on 12 features (two 32-feature values fit a 64-slot window) under
    /// HEaaN FGb: each layer's h needs a refresh about every step, at nearly the same time; packed,
    /// one bootstrap refreshes both (57 bootstraps alone, 30 packed, for the shipped vowels-gru2).
    @Test func packingRefreshesStackedStatesTogether() throws {
        let shape = RecurrentModel(
            cell: .gru(resetAfter: true), inputSize: 12, units: [32, 32], classes: 9, timeSteps: 12,
            input: InputTransform(layout: .series))
        let pricing = CostModel(profile: .heaanFGb, shapeOf: shape)
        let graph = try CiphertextGraph(
            plan: ActivationPlan(parsing: "z=3;r=3;h=7", layout: shape.sites), model: pricing)
        #expect(graph.window == 64)
        let optimal = try CiphertextPlacement.optimal(graph, model: pricing)
        let packed = try CiphertextPlacement.packed(graph, model: pricing)
        #expect(
            Double(packed.bootstraps) <= 0.7 * Double(optimal.bootstraps),
            "\(packed.bootstraps) vs \(optimal.bootstraps)")
        #expect(packed.seconds < optimal.seconds)
        #expect(abs(replay(graph, pricing, packed) - packed.seconds) < 1e-9 * packed.seconds)
        // Sigmoid gates are not zero past their units; tanh outputs and states are.
        let kinds = Dictionary(graph.operations.map { ($0.output, $0.kind) }, uniquingKeysWith: { a, _ in a })
        for (id, kind) in kinds where ["z", "r"].contains(kind) { #expect(!graph.zeroPadded[id]) }
        for (id, kind) in kinds where ["h~", "h"].contains(kind) { #expect(graph.zeroPadded[id]) }
    }

    @Test func oneStateMatchesTheChainPlacement() throws {
        // A one-layer SimpleRNN has one state: refreshing it before a cell is the chain's bootstrap.
        let shape = RecurrentModel(timeSteps: 28)
        let pricing = CostModel(profile: .heaanFGb, shapeOf: shape)
        for text in ["17*28", "7*4,17*24", "3*28", "15,3*10,7*17"] {
            let plan = try ActivationPlan(parsing: text, layout: shape.sites)
            let chain = try pricing.cost(of: plan, placement: .greedy)
            let greedy = try CiphertextPlacement.greedy(CiphertextGraph(plan: plan, model: pricing), model: pricing)
            #expect(greedy.bootstraps == chain.bootstraps)
            #expect(abs(greedy.seconds - chain.latencySeconds) < 1e-9 * chain.latencySeconds, "\(text)")
        }
    }

    @Test func anOperationDeeperThanABootstrapIsNamed() throws {
        let shape = RecurrentModel(
            cell: .lstm, inputSize: 3, units: [4], classes: 2, timeSteps: 1, input: .init(layout: .series))
        let pricing = model(shape, top: 4, fresh: 4)
        let graph = try CiphertextGraph(
            plan: ActivationPlan(parsing: "i=63;f=3;g=3;o=3;c=3", layout: shape.sites), model: pricing)
        #expect(throws: CostModelError.self) { try CiphertextPlacement.optimal(graph, model: pricing) }
        #expect(throws: CostModelError.self) { try CiphertextPlacement.greedy(graph, model: pricing) }
    }
}
