import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// The evaluator on GRU and LSTM cells, stacked layers, mixed stacks and layers that run
/// backward or both ways, against the Float64 reference.
@Suite struct RecurrentEvaluatorTests {
    static let cells: [RecurrentCell] = [.simpleRNN, .gru(resetAfter: true), .gru(resetAfter: false), .lstm]

    /// Stacks of different kinds and directions.
    static let stacks: [[LayerShape]] = [
        [LayerShape(cell: .gru(resetAfter: true), units: 5), LayerShape(cell: .lstm, units: 4)],
        [
            LayerShape(cell: .gru(resetAfter: false), units: 4, direction: .bidirectional),
            LayerShape(cell: .simpleRNN, units: 3),
        ],
        [LayerShape(cell: .lstm, units: 4, direction: .bidirectional, merge: .sum)],
        [LayerShape(cell: .simpleRNN, units: 5, direction: .reverse)],
        [
            LayerShape(cell: TestCells.minimalGatedUnit, units: 3, direction: .bidirectional),
            LayerShape(cell: .gru(resetAfter: true), units: 4, direction: .bidirectional, merge: .sum),
            LayerShape(cell: .lstm, units: 3, direction: .reverse),
        ],
    ]

    static func split(for model: RecurrentModel, count: Int, seed: UInt64) -> DataSplit {
        let (inputs, labels) = ReferenceRecurrence.randomInputs(for: model, count: count, seed: seed)
        return DataSplit(
            name: .validation, features: inputs, labels: labels, timeSteps: model.timeSteps,
            featureCount: model.inputSize, classCount: model.classes)
    }

    @Test(arguments: cells, [[6], [5, 7]])
    func agreesWithTheReference(cell: RecurrentCell, units: [Int]) throws {
        let model = ReferenceRecurrence.randomModel(cell: cell, inputSize: 5, units: units, classes: 4, timeSteps: 7)
        try Self.checkAgainstTheReference(model)
    }

    @Test(arguments: stacks.indices)
    func stacksAgreeWithTheReference(index: Int) throws {
        let model = ReferenceRecurrence.randomModel(
            stack: Self.stacks[index], inputSize: 5, classes: 4, timeSteps: 7, seed: UInt64(30 + index))
        try Self.checkAgainstTheReference(model)
    }

    /// Blocks of any multiple of 64 samples, so the automatic choice and the thread count,
    /// change nothing: each sample's logits are the bits of one block of 512, for exact
    /// activations and fits alike, with and without a scalar tail (20 units, 101 samples).
    @Test(arguments: [RecurrentCell.gru(resetAfter: true), .lstm], [false, true])
    func logitsDoNotDependOnTheBlockSize(cell: RecurrentCell, bidirectional: Bool) throws {
        let model = ReferenceRecurrence.randomModel(
            stack: [LayerShape(cell: cell, units: 20, direction: bidirectional ? .bidirectional : .forward)],
            inputSize: 6, classes: 4, timeSteps: 9, seed: 77)
        let split = Self.split(for: model, count: 101, seed: 5)
        let library = try ApproximationLibrary.observing(
            model: model, split: Self.split(for: model, count: 30, seed: 6), lower: -6, upper: 6)
        #expect(PlanEvaluator.automaticBlockSize(samples: 370, workers: 2) == 192)
        #expect(PlanEvaluator.automaticBlockSize(samples: 10_000, workers: 2) == 512)
        #expect(PlanEvaluator.automaticBlockSize(samples: 3, workers: 2) == 64)
        for text in ["t", "17", "7w"] {
            let plan = try ActivationPlan(parsing: text, layout: model.sites)
            let reference = try PlanEvaluator(
                model: model, split: split, approximations: library, workers: 1, blockSize: 512
            ).logits(of: plan)
            for (workers, blockSize) in [(1, 64), (2, 64), (2, 128), (2, nil), (1, nil)] as [(Int, Int?)] {
                let evaluator = try PlanEvaluator(
                    model: model, split: split, approximations: library, workers: workers, blockSize: blockSize)
                let logits = try evaluator.logits(of: plan)
                #expect(
                    logits.map(\.bitPattern) == reference.map(\.bitPattern),
                    "plan \(text), \(workers) workers, blocks of \(evaluator.blockSize)")
            }
        }
    }

    static func checkAgainstTheReference(_ model: RecurrentModel) throws {
        let (cell, units) = (
            model.stack.map { "\($0.cell.name) \($0.direction) \($0.merge)" }, model.stack.map(\.units)
        )
        let split = Self.split(for: model, count: 40, seed: 3)
        let library = try ApproximationLibrary.observing(
            model: model, split: Self.split(for: model, count: 30, seed: 4), lower: -6, upper: 6)
        let layout = model.sites
        for text in ["t", "17", "7w", "3,7,17" + String(repeating: ",9", count: max(0, layout.cells - 3))] {
            let plan = try ActivationPlan(parsing: text, layout: layout)
            let fits = try plan.activations.enumerated().map { site, activation in
                try activation.candidate.map { try library.fit($0, cell: site) }
            }
            let evaluator = try PlanEvaluator(model: model, split: split, approximations: library, blockSize: 16)
            let logits = try evaluator.logits(of: plan)
            let width = model.timeSteps * model.inputSize
            var worst = 0.0
            var compared = 0
            for sample in 0..<split.count {
                let reference = ReferenceRecurrence.logits(
                    model, input: split.features[(sample * width)..<((sample + 1) * width)]
                ) { site, x in
                    fits[site].map { $0.value(at: x) }
                        ?? (layout.functions[site] == .tanh ? tanh(x) : 1 / (1 + exp(-x)))
                }
                // Low degrees can diverge outside their interval; compare moderate rows.
                guard reference.allSatisfy({ abs($0) < 1e3 }) else { continue }
                compared += 1
                for k in 0..<model.classes {
                    let fast = Double(logits[sample * model.classes + k])
                    worst = max(worst, abs(fast - reference[k]) / max(1, abs(reference[k])))
                }
            }
            #expect(compared >= 20, "\(cell) \(units) plan \(text): \(compared) moderate rows")
            #expect(worst < 1e-4, "\(cell) \(units) plan \(text): largest relative difference \(worst)")
        }
    }

    @Test(arguments: cells)
    func prefixReuseIsBitIdentical(cell: RecurrentCell) throws {
        let model = ReferenceRecurrence.randomModel(cell: cell, inputSize: 3, units: [6, 4], classes: 3, timeSteps: 6)
        try Self.checkPrefixReuse(model)
    }

    @Test(arguments: stacks.indices)
    func prefixReuseIsBitIdenticalInAnyStack(index: Int) throws {
        try Self.checkPrefixReuse(
            ReferenceRecurrence.randomModel(stack: Self.stacks[index], inputSize: 3, classes: 3, timeSteps: 6))
    }

    static func checkPrefixReuse(_ model: RecurrentModel) throws {
        let split = Self.split(for: model, count: 90, seed: 5)
        let library = try ApproximationLibrary(lower: -6, upper: 6)
        let cached = try PlanEvaluator(
            model: model, split: split, approximations: library, workers: 2, blockSize: 32, cachedPlans: 3)
        let single = try PlanEvaluator(
            model: model, split: split, approximations: library, workers: 1, blockSize: 32, cachedPlans: 0)
        var generator = SeededGenerator(seed: 17)
        var plan = try ActivationPlan(parsing: "17", layout: model.sites)
        let choices = try ["3", "5", "7", "17", "t"].map { try ActivationPlan(parsing: $0, cells: 1).activations[0] }
        for _ in 0..<30 {
            let site = Int(generator.next() % UInt64(plan.count))
            var activations = plan.activations
            activations[site] = choices[Int(generator.next() % UInt64(choices.count))]
            plan = ActivationPlan(activations, layout: model.sites)
            let reused = try cached.evaluate(plan)
            let scratch = try single.evaluateFromScratch(plan)
            #expect(reused.correct == scratch.correct, "\(plan)")
            #expect(try cached.logits(of: plan) == single.logits(of: plan))
        }
        #expect(cached.statistics.cellsReused > 0)
    }

    @Test func sitesOfAnyStackAreAddressedByLayerDirectionStepAndKind() throws {
        let layout = SiteLayout(
            layers: [.init(cell: .gru(resetAfter: true), direction: .bidirectional), .init(cell: .lstm)], timeSteps: 3)
        // Layer by layer: layer 0 forward (3 steps x 3 sites), layer 0 backward, then layer 1 (5 sites).
        #expect(layout.count == 2 * 3 * 3 + 3 * 5)
        #expect(!layout.isStepMajor && layout.cell == nil && layout.sitesPerCell == nil)
        #expect(layout.site(9) == SiteLayout.Site(step: 0, layer: 0, direction: .backward, kind: .update))
        #expect(layout.index(step: 2, layer: 0, direction: .backward, kind: .hidden) == 17)
        #expect(layout.index(step: 0, layer: 1, kind: .cellState) == 22)
        #expect(layout.index(step: 0, layer: 1, direction: .backward, kind: .input) == nil)
        #expect(layout.index(step: 0, layer: 1, kind: .update) == nil)
        #expect(layout.name(of: 10) == "site 10 (step 0, layer 0, backward r)")
        for site in 0..<layout.count {
            let address = layout.site(site)
            #expect(
                layout.index(step: address.step, layer: address.layer, direction: address.direction, kind: address.kind)
                    == site)
        }
        // Plan text: per kind over every cell that has it, per step over every pass and layer.
        let byKind = try ActivationPlan(parsing: "z=3;r=5;h=7;i=9;f=9;g=13;o=9;c=17", layout: layout)
        #expect(byKind.activations[18...].map { $0.degree! } == [9, 9, 13, 9, 17, 9, 9, 13, 9, 17, 9, 9, 13, 9, 17])
        let perStep = try ActivationPlan(parsing: "3,7,17", layout: layout)
        #expect(perStep.activations[9...11].map { $0.degree! } == [3, 3, 3])  // backward step 0
        #expect(perStep.activations[18].degree == 3 && perStep.activations[33 - 1].degree == 17)
        for plan in [byKind, perStep] {
            #expect(try ActivationPlan(parsing: plan.description, layout: layout) == plan, "\(plan)")
        }
        #expect(throws: PlanError.self) { try ActivationPlan(parsing: "z=3;r=3;h=3", layout: layout) }
        // Every layer forward: step by step, as before, whatever the kinds.
        let forward = SiteLayout(layers: [.init(cell: .gru(resetAfter: true)), .init(cell: .lstm)], timeSteps: 2)
        #expect(forward.isStepMajor && forward.index(step: 1, layer: 0, kind: .update) == 8)
    }

    @Test func planFormsParseToTheSameSites() throws {
        let layout = SiteLayout(cell: .gru(resetAfter: true), layers: 2, timeSteps: 3)
        #expect(layout.count == 18)
        let all = try ActivationPlan(parsing: "7", layout: layout)
        #expect(all.activations.allSatisfy { $0.degree == 7 })
        #expect(all.activations[0].candidate?.function == .sigmoid)
        #expect(all.activations[2].candidate?.function == .tanh)
        #expect(all.description == "7")
        let perStep = try ActivationPlan(parsing: "3,7,17", layout: layout)
        #expect(perStep.activations.map { $0.degree! } == [3, 3, 3, 3, 3, 3, 7, 7, 7, 7, 7, 7, 17, 17, 17, 17, 17, 17])
        let perCell = try ActivationPlan(parsing: "3*2,7*4", layout: layout)
        #expect(perCell.activations.map { $0.degree! }.prefix(7) == [3, 3, 3, 3, 3, 3, 7])
        let byKind = try ActivationPlan(parsing: "z=3;r=s5;h=17*4,7*2", layout: layout)
        #expect(byKind.activations.map { $0.degree! } == [3, 5, 17, 3, 5, 17, 3, 5, 17, 3, 5, 17, 3, 5, 7, 3, 5, 7])
        for plan in [all, perStep, perCell, byKind] {
            #expect(try ActivationPlan(parsing: plan.description, layout: layout) == plan, "\(plan)")
            #expect(try ActivationPlan(parsing: plan.tokens.joined(separator: ","), layout: layout) == plan)
        }
        #expect(byKind.description == "z=3;r=5;h=17*4,7*2")
        for (text, problem) in [
            ("z=3;r=3", "gives no entry for h"),
            ("z=3;r=3;h=s7", "gives site 2 (step 0, layer 0, h) a sigmoid candidate (s7); it computes tanh"),
            ("q=3", "part \"q=3\" is not KIND=ENTRIES with KIND one of z, r, h (the GRU's sites)"),
            ("3,7", "has 2 entries, the model has 18 sites: give one per site (18), per cell (6), per step (3) or 1"),
        ] {
            #expect(throws: PlanError(plan: text, problem: problem)) {
                try ActivationPlan(parsing: text, layout: layout)
            }
        }
    }
}
