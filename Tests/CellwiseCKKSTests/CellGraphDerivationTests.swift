import CellwiseCore
import CellwiseTestSupport
import Testing

@testable import CellwiseCKKS

/// The cost model's stages and the ciphertext graph, derived from each cell's ``CellGraph``, equal
/// the hand-written versions they replaced (LegacyCellDefinitions.swift) for every cell kind, layer
/// count, width, degree mix and profile: so every committed table and encrypted job stays the same.
@Suite struct CellGraphDerivationTests {
    static let cells: [RecurrentCell] = [.simpleRNN, .gru(resetAfter: true), .gru(resetAfter: false), .lstm]

    static func model(_ cell: RecurrentCell, layers: [Int], profile: CostProfile, rule: DepthRule) -> CostModel {
        CostModel(
            profile: profile, depthRule: rule, inputSize: 12, stack: layers.map { LayerShape(cell: cell, units: $0) },
            classes: 9)
    }

    @Test(arguments: cells)
    func stagesAndGraphsEqualTheHandWrittenOnes(cell: RecurrentCell) throws {
        var generator = SeededGenerator(seed: 11)
        let degrees = [1, 2, 3, 5, 7, 9, 13, 17, 27, 31, 63]
        for layers in [[32], [16, 24], [8, 8, 20]] {
            for (profile, rule) in [(CostProfile.heaanFGb, DepthRule.ideal), (.heaanFGbUncalibrated, .openfhe)] {
                let model = Self.model(cell, layers: layers, profile: profile, rule: rule)
                let layout = SiteLayout(cell: cell, layers: layers.count, timeSteps: 4)
                for _ in 0..<20 {
                    let plan = ActivationPlan(
                        (0..<layout.count).map { _ in .polynomial(degree: degrees.randomElement(using: &generator)!) },
                        layout: layout)
                    for (index, layer) in (0..<layout.cells).map({ ($0, $0 % layers.count) }) {
                        let perCell = cell.sites.count
                        let sites = plan.activations[(index * perCell)..<((index + 1) * perCell)].map { $0.degree! }
                        #expect(
                            model.cellStages(degrees: sites, layer: layer)
                                == model.legacyCellStages(degrees: sites, layer: layer), "\(cell) \(layers) \(sites)")
                    }
                    var derived = try CiphertextGraph(plan: plan, model: model)
                    for index in derived.operations.indices { derived.operations[index].node = nil }
                    let legacy = try CiphertextGraph(legacyPlan: plan, model: model)
                    #expect(derived == legacy, "\(cell) \(layers)")
                    #expect(try model.elements(of: plan).count == layout.cells * CostModel.stagesPerCell(cell) + 1)
                }
            }
        }
    }

    /// What the graphs say, spelt out: GRU stages read the gates, the candidate (one level more
    /// with the reset before the product) and the update; LSTM's bootstraps between stages
    /// refresh 5, 2 and 3 values.
    @Test func theDerivedStructureIsTheDocumentedOne() {
        let gru = RecurrentCell.gru(resetAfter: true).graph
        #expect(gru.operations.map(\.label) == ["z", "r", "h~", "h"])
        #expect(gru.operations.map(\.stage) == [0, 0, 1, 2])
        #expect(gru.operations[2].inputs.map(\.lead) == [1, 1, 2])
        #expect(RecurrentCell.gru(resetAfter: false).graph.operations[2].inputs.map(\.lead) == [1, 2, 2])
        #expect(gru.stages.map(\.live.count) == [0, 4, 3])
        let lstm = CellGraph.lstm
        #expect(lstm.operations.map(\.label) == ["i", "f", "g", "o", "c", "tanh(c)", "h"])
        #expect(lstm.stages.map(\.live.count) == [0, 5, 2, 3])
        #expect(lstm.operations[5].inputs.map(\.value) == [.node(lstm.operations[4].node)])
        #expect(lstm.operations[5].inputs.map(\.lead) == [0])
        #expect(CellGraph.simpleRNN.stageCount == 1)
    }
}
