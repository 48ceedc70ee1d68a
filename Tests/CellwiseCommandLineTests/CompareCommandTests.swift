import CellwiseTestSupport
import Foundation
import Testing

@Suite struct CompareCommandTests {
    typealias CLI = CommandLineTests

    /// Jupyter from `make test` (CELLWISE_JUPYTER); required in CI.
    static var jupyter: String? {
        if let path = ProcessInfo.processInfo.environment["CELLWISE_JUPYTER"],
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        let local = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/python-venv/bin/jupyter").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    /// A small comparison config on `model` (the e2e model, trained on a small CSV).
    static func config(model: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("small.toml").path
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any]
        let dataset = (json?["metadata"] as? [String: Any])?["dataset"] as? String ?? "mnist5k"
        try TestData.comparisonConfig(
            name: "small", model: model, dataset: dataset, budget: 25,
            strategies: ["dfs", "dp", "ga", "greedy", "random"]
        ).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func compareWritesEverything() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let config = try Self.config(model: model, in: directory)
        let results = directory.appendingPathComponent("results").path
        let run = try CLI.run(["compare", "--config", config, "--out", results, "--jobs", "2"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.hasPrefix("| strategy | runs |"))
        #expect(run.output.contains("| ga | 2 |"))
        #expect(run.error.contains("compare: 7/7 runs done"))
        for file in [
            "comparison.md", "comparison.csv", "comparison.tex", "run.json", "pareto.svg", "cells.svg", "small.ipynb",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(results)/small/\(file)"), "\(file)")
        }
        let runJSON = "\(results)/small/run.json"
        for format in ["md", "csv", "tex", "json", "ipynb", "svg"] {
            let export = try CLI.run(["export", "--run", runJSON, "--format", format])
            #expect(export.status == 0 && !export.output.isEmpty, "\(format): \(export.error)")
        }
        let cells = try CLI.run(["export", "--run", runJSON, "--format", "svg", "--plot", "cells"])
        #expect(cells.output.contains("where accepted plans lower the degree"))

    }

    /// The exported notebook runs with Jupyter and draws both plots. Runs where Jupyter is found,
    /// and always under `make test` (which installs it); elsewhere it is reported as skipped.
    @Test(
        .enabled(
            if: jupyter != nil || CLI.requireAllTests, "needs Jupyter (make test installs it in .build/python-venv)"))
    func theExportedNotebookRuns() throws {
        let jupyter = try #require(Self.jupyter, "Jupyter is missing: run make test, which installs it")
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let config = try Self.config(model: model, in: directory)
        let results = directory.appendingPathComponent("results").path
        let run = try CLI.run(["compare", "--config", config, "--out", results, "--quiet"])
        try #require(run.status == 0, "\(run.error)")
        let notebooks = "\(results)/small"
        let notebook = "\(notebooks)/small.ipynb"
        let executed = directory.appendingPathComponent("executed.ipynb").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: jupyter)
        process.arguments = ["nbconvert", "--to", "notebook", "--execute", notebook, "--output", executed]
        process.currentDirectoryURL = URL(fileURLWithPath: notebooks)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "nbconvert: \(log)")
        let text = try String(contentsOfFile: executed, encoding: .utf8)
        #expect(text.components(separatedBy: "image/png").count - 1 >= 2, "both plots are drawn")
        #expect(!text.contains("\"output_type\": \"error\""))
    }

    @Test func badConfigsAreOneLineErrors() throws {
        let directory = try CLI.temporaryDirectory()
        let test = CommandLineTests()
        try test.expectOneLineError(
            ["compare", "--config", "/no/config.toml"], mentions: ["/no/config.toml", "no such file"])
        let bad = directory.appendingPathComponent("bad.toml").path
        try "name = \"x\"\nseed = 1\n[model]\nfile = \"\(directory.path)/missing.json\"\ndataset = \"mnist5k\"\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        try test.expectOneLineError(["compare", "--config", bad], mentions: [bad, "approximation: is missing"])
        try test.expectOneLineError(["export", "--run", bad, "--format", "md"], mentions: [bad])
    }
}
