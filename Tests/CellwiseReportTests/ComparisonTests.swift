import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTestSupport
import CellwiseTraining
import Foundation
import Testing

@testable import CellwiseReport

@Suite(.serialized) struct ComparisonTests {
    /// A small comparison: a CSV data set, a model trained on demand, three strategies.
    static func config(in directory: URL, budget: Int = 30) throws -> ComparisonConfig {
        let data = try TestData.write(
            Array(TestData.csv(TestData.images(count: 150)).utf8), to: "data.csv", in: directory)
        let text = TestData.comparisonConfig(
            name: "tiny", seed: 3, model: directory.appendingPathComponent("model.json").path, dataset: data,
            training: "epochs = 2\nbatch_size = 32", budget: budget, strategies: ["dfs", "ga", "greedy"])
        return try ComparisonConfig(contentsOf: TestData.write(Array(text.utf8), to: "tiny.toml", in: directory))
    }

    /// The record without its timings.
    static func withoutTimings(_ record: ComparisonRecord) -> ComparisonRecord {
        var record = record
        record.totalSeconds = 0
        for i in record.runs.indices {
            record.runs[i].wallSeconds = 0
            for j in record.runs[i].trace.indices { record.runs[i].trace[j].elapsedSeconds = 0 }
        }
        return record
    }

    @Test func runsEveryStrategyAndSeedIndependentlyOfTheJobCount() throws {
        let directory = try TestData.directory()
        let config = try Self.config(in: directory)
        #expect(!FileManager.default.fileExists(atPath: config.modelFile))
        let model = try Comparison.prepareModel(config)
        #expect(FileManager.default.fileExists(atPath: config.modelFile), "the trained model is cached")
        let one = try Comparison.run(config, model: model, jobs: 1)
        let two = try Comparison.run(config, model: model, jobs: 2)
        #expect(one.runs.map { "\($0.strategy)#\($0.seed)" } == ["dfs#3", "ga#1", "ga#2", "greedy#3"])
        #expect(one.runs.allSatisfy { $0.evaluations <= 30 && $0.trace.count == $0.evaluations })
        #expect(Self.withoutTimings(one) == Self.withoutTimings(two))
        #expect(one.reference.plan == "17*28")

        // Files: written, readable, and regenerated identically from run.json.
        let results = directory.appendingPathComponent("results").path
        let written = try ComparisonWriter.write(one, resultsDirectory: results)
        #expect(written.count == 8)
        let runPath = directory.appendingPathComponent("results/tiny/run.json").path
        let reread = try ComparisonWriter.read(runPath)
        #expect(reread == one)
        let markdown = try String(
            contentsOfFile: directory.appendingPathComponent("results/tiny/comparison.md").path, encoding: .utf8)
        #expect(try ComparisonWriter.export(reread, format: .md, runPath: runPath) == markdown)
        let notebook = try String(
            contentsOfFile: directory.appendingPathComponent("results/tiny/tiny.ipynb").path, encoding: .utf8)
        #expect(notebook.contains("Path(\\\"run.json\\\")"), "the notebook reads the run.json beside it")
    }

    @Test func tablesHaveOneRowPerStrategyInEveryFormat() throws {
        let directory = try TestData.directory()
        let config = try Self.config(in: directory, budget: 20)
        let record = try Comparison.run(config, model: Comparison.prepareModel(config))
        let table = ComparisonTable(record)
        #expect(table.rows.map(\.strategy) == ["reference (17*28)", "dfs", "ga", "greedy"])
        #expect(table.rows[2].runs == 2)
        let lines = table.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        let markdown = lines.prefix { !$0.isEmpty }
        #expect(markdown.count == 2 + 4 + 1, "the reference, the exact model, three strategies")
        // Then the anytime table: a sentence, a header and a rule, one row per strategy.
        let anytime = lines.dropFirst(markdown.count + 1).filter { !$0.isEmpty }
        #expect(anytime.count == 1 + 2 + 3 && anytime[1] == "| strategy | 16 | 20 |")
        #expect(markdown[0].contains("(n3, n7, n17)"))
        #expect(markdown[3].hasPrefix("| exact model (t*28) | - |"))
        let csv = table.csv.split(separator: "\n")
        #expect(csv.count == 6)
        #expect(csv[0].hasPrefix("strategy,runs,evaluations_mean"))
        #expect(
            csv.dropFirst().allSatisfy {
                $0.split(separator: ",", omittingEmptySubsequences: false).count == csv[0].split(separator: ",").count
            })
        let latex = table.latex
        for rule in ["\\toprule", "\\midrule", "\\bottomrule", "\\begin{tabular}"] { #expect(latex.contains(rule)) }
        #expect(latex.contains("17$\\times$28"))
    }

    @Test func plotsAreWellFormedSVGWithOneSeriesPerStrategy() throws {
        let directory = try TestData.directory()
        let config = try Self.config(in: directory, budget: 20)
        let record = try Comparison.run(config, model: Comparison.prepareModel(config))
        for svg in [ComparisonPlots.pareto(record), ComparisonPlots.cells(record)] {
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(svg.hasSuffix("</svg>\n"))
            #expect(svg.components(separatedBy: "<text").count == svg.components(separatedBy: "</text>").count)
            for name in config.strategies { #expect(svg.contains(">\(name)")) }
        }
        #expect(ComparisonPlots.pareto(record).contains("reference 17*28"))
    }

    @Test func badRunFilesAreNamedErrors() throws {
        let directory = try TestData.directory()
        let empty = try TestData.write([], to: "run.json", in: directory)
        #expect(throws: DataError(empty, "file is empty", reason: .empty)) { try ComparisonWriter.read(empty) }
        let other = try TestData.write(Array("{\"format\": \"x\"}".utf8), to: "other.json", in: directory)
        let error = #expect(throws: DataError.self) { try ComparisonWriter.read(other) }
        #expect(error?.problem.contains("not a cellwise run file") == true)
    }
}
