import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

/// GRU and LSTM models on the shipped JapaneseVowels series, end to end: train, evaluate, cost,
/// search, and the errors a wrong plan gets.
@Suite struct RecurrentModelCommandTests {
    typealias CLI = CommandLineTests

    @Test(arguments: ["gru", "lstm"])
    func trainsEvaluatesPricesAndSearchesSeriesModels(cell: String) throws {
        let directory = try CommandLineTests.temporaryDirectory()
        let model = directory.appendingPathComponent("\(cell).json").path
        let train = try CommandLineTests.run([
            "train", "--dataset", "JapaneseVowels", "--cell", cell, "--layers", "2", "--units", "8", "--epochs", "3",
            "--out", model, "--quiet",
        ])
        #expect(train.status == 0, "\(train.error)")
        let json = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any])
        let architecture = try #require(json["architecture"] as? [String: Any])
        #expect(architecture["cell"] as? String == cell.uppercased())
        #expect(architecture["units"] as? [Int] == [8, 8])
        #expect(architecture["time_steps"] as? Int == 29)
        #expect((json["input"] as? [String: Any])?["mean"] as? [Double] != nil)

        // Every plan form evaluates; the gate form keeps the gates at degree 3.
        let gates = cell == "gru" ? "z=3;r=3;h=17" : "i=3;f=3;g=17;o=3;c=17"
        let evaluate = try CommandLineTests.run(["evaluate", "--model", model, "--plan", "17", "--plan", gates])
        #expect(evaluate.status == 0, "\(evaluate.error)")
        #expect(evaluate.output.contains(gates))

        let cost = try CommandLineTests.run(["cost", "--model", model, "--plan", gates, "--json"])
        #expect(cost.status == 0, "\(cost.error)")
        let search = try CommandLineTests.run([
            "search", "--model", model, "--strategy", "greedy", "--budget", "200", "--quiet", "--trace-file",
            directory.appendingPathComponent("trace.jsonl").path,
        ])
        #expect(search.status == 0, "\(search.error)")
        #expect(search.output.contains("best"))

        let sites = cell == "gru" ? 29 * 2 * 3 : 29 * 2 * 5
        let wrong = try CommandLineTests.run(["evaluate", "--model", model, "--plan", "3,7"])
        #expect(wrong.status == 1)
        #expect(wrong.error.contains("the model has \(sites) sites"), "\(wrong.error)")
        let sigmoidAtTanh = try CommandLineTests.run([
            "evaluate", "--model", model, "--plan", cell == "gru" ? "z=3;r=3;h=s7" : "i=3;f=3;g=s7;o=3;c=7",
        ])
        #expect(sigmoidAtTanh.status == 1)
        #expect(sigmoidAtTanh.error.contains("it computes tanh"), "\(sigmoidAtTanh.error)")
    }

    /// `train --direction bidirectional` trains both passes into a version-3 file whose training
    /// configuration records the direction; evaluate, cost and search read it; a direction or merge
    /// that is not one is refused in one line.
    @Test func trainsEvaluatesPricesAndSearchesABidirectionalModel() throws {
        let directory = try CLI.temporaryDirectory()
        let model = directory.appendingPathComponent("bigru.json").path
        let train = try CLI.run([
            "train", "--dataset", "JapaneseVowels", "--cell", "gru", "--direction", "bidirectional", "--merge", "sum",
            "--units", "6", "--epochs", "3", "--out", model, "--quiet",
        ])
        #expect(train.status == 0, "\(train.error)")
        let file = try ModelFile.load(from: model)
        #expect(file.model.layers[0].direction == .bidirectional && file.model.layers[0].merge == .sum)
        #expect(file.metadata.training?.direction == .bidirectional && file.metadata.training?.merge == .sum)
        #expect(file.model.sites.count == 2 * 29 * 3 && !file.model.sites.isStepMajor)
        for arguments in [
            ["evaluate", "--model", model, "--plan", "z=3;r=3;h=17"], ["cost", "--model", model, "--plan", "7"],
            ["search", "--model", model, "--strategy", "ga", "--budget", "40", "--quiet"],
        ] {
            let run = try CLI.run(arguments)
            #expect(run.status == 0, "\(arguments): \(run.error)")
        }
        for (option, value) in [("--direction", "sideways"), ("--merge", "mean")] {
            let run = try CLI.run(["train", "--dataset", "JapaneseVowels", option, value, "--out", model + ".x"])
            #expect(run.status == 1 && run.error.split(separator: "\n").count == 1, "\(run.error)")
            #expect(run.error.contains("\(option): is \"\(value)\""), "\(run.error)")
        }
    }

    /// `train --cell FILE.json` trains a cell of one's own from its graph (the minimal gated unit)
    /// into a version-3 model file that the other commands read; a file that is not a graph, or a
    /// name that is no cell, is refused in one line.
    @Test func trainsACellGraphFromAFile() throws {
        let directory = try CLI.temporaryDirectory()
        let graph = directory.appendingPathComponent("mgu.json")
        try JSONEncoder().encode(TestCells.minimalGatedUnit.graph).write(to: graph)
        let model = directory.appendingPathComponent("model.json").path
        let train = try CLI.run([
            "train", "--dataset", "JapaneseVowels", "--cell", graph.path, "--units", "8", "--epochs", "3", "--out",
            model,
            "--quiet",
        ])
        #expect(train.status == 0, "\(train.error)")
        let file = try ModelFile.load(from: model)
        #expect(file.model.cell == TestCells.minimalGatedUnit)
        // The settings are recorded as for a built-in cell, the cell by its graph's name.
        let training = try #require(file.metadata.training)
        #expect(training.cellGraph == TestCells.minimalGatedUnit.name && training.units == 8 && training.epochs == 3)
        #expect(training.seed == 1)
        var gru = training
        gru.cellGraph = nil
        gru.cell = .gru
        #expect(
            TrainingConfiguration.differences(gru, training)
                == ["cell gru in the config, \(training.cellGraph!) in the model"])
        let evaluate = try CLI.run(["evaluate", "--model", model, "--plan", "f=3;h=7"])
        #expect(evaluate.status == 0, "\(evaluate.error)")
        let broken = directory.appendingPathComponent("broken.json")
        try Data(#"{"name": "X", "states": ["h"], "blocks": 1, "sites": ["h"], "nodes": [], "outputs": ["n0"]}"#.utf8)
            .write(to: broken)
        try CLI().expectOneLineError(
            ["train", "--dataset", "JapaneseVowels", "--cell", broken.path, "--out", model],
            mentions: [broken.path, "is not a cell graph"])
        try CLI().expectOneLineError(
            ["train", "--dataset", "JapaneseVowels", "--cell", "indrnn", "--out", model],
            mentions: ["--cell", "indrnn", "gru-reset-before"])
    }
}
