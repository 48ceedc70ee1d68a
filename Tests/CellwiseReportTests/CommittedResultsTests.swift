import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseReport

/// The results committed under `results/` are what the current code writes: every run.json reads,
/// and every table, plot and notebook beside it is its export, byte for byte (snapshot tests).
/// An older run.json format still reads.
@Suite struct CommittedResultsTests {
    static let results = TestData.repositoryRoot.appendingPathComponent("results")

    static var committedRuns: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: results.appendingPathComponent("\($0)/run.json").path)
        }.sorted()
    }

    @Test func everyCommittedComparisonIsFound() {
        #expect(
            Self.committedRuns == [
                "external-mnist5k", "fashion", "mnist5k-weighted", "paper-mnist5k", "vowels-gru", "vowels-gru-pytorch",
                "vowels-lstm", "vowels-lstm-keras",
            ])
    }

    @Test(arguments: committedRuns)
    func committedFilesAreTheExportsOfTheirRunJSON(name: String) throws {
        let directory = Self.results.appendingPathComponent(name)
        let record = try ComparisonWriter.read(directory.appendingPathComponent("run.json").path)
        #expect(record.version == ComparisonRecord.currentVersion)
        #expect(record.config.name == name)
        #expect(!record.partial && record.runs.allSatisfy { !$0.partial })
        let files: [(String, ComparisonWriter.Format, ComparisonWriter.Plot)] = [
            ("comparison.md", .md, .pareto), ("comparison.csv", .csv, .pareto), ("comparison.tex", .tex, .pareto),
            ("pareto.svg", .svg, .pareto), ("cells.svg", .svg, .cells), ("anytime.svg", .svg, .anytime),
            ("\(name).ipynb", .ipynb, .pareto),
        ]
        for (file, format, plot) in files {
            let committed = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let exported = try ComparisonWriter.export(record, format: format, plot: plot, runPath: "run.json")
            #expect(exported == committed, "results/\(name)/\(file) is not the export of its run.json")
        }
        // The result was made from the shipped model file it names, byte for byte.
        let modelPath = TestData.repositoryRoot.appendingPathComponent(record.config.modelFile).path
        let model = try ModelFile.load(from: modelPath)
        #expect(model.metadata.dataset == record.config.dataset)
        #expect(record.model.sha256 != nil, "results/\(name)/run.json records its model's SHA-256")
        #expect(record.model.sha256 == model.fileSHA256, "results/\(name) was made from another \(record.model.file)")
        #expect(record.config.modelSha256 == model.fileSHA256, "its config names the shipped model")
    }

    /// Every suite report lists the SHA-256 of each model it was made from: the shipped file's.
    @Test(arguments: ["default", "held-out", "best-known"])
    func suiteReportsNameTheShippedModels(suite: String) throws {
        let report = try String(
            contentsOf: Self.results.appendingPathComponent("suites/\(suite)/report.md"), encoding: .utf8)
        let section = try #require(report.components(separatedBy: "## Models\n").dropFirst().first, "no Models section")
        let rows = section.split(separator: "\n").prefix { $0.hasPrefix("|") }.dropFirst(2)
        #expect(!rows.isEmpty)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let path = TestData.repositoryRoot.appendingPathComponent(cells[0]).path
            #expect(cells[1] == "`\(ModelFile.sha256(ofFileAt: path) ?? "missing")`", "\(suite): \(cells[0])")
        }
    }

    /// Every encrypted run's report names the shipped model it ran.
    @Test func encryptedReportsNameTheShippedModels() throws {
        let root = Self.results.appendingPathComponent("ckks")
        let runs = try FileManager.default.contentsOfDirectory(atPath: root.path).filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/report.json").path)
        }
        #expect(runs.count == 2)
        for run in runs {
            let data = try Data(contentsOf: root.appendingPathComponent("\(run)/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let model = try #require(report["model"] as? String, "\(run) names its model")
            let path = TestData.repositoryRoot.appendingPathComponent(model).path
            #expect(report["model_sha256"] as? String == ModelFile.sha256(ofFileAt: path), "\(run): \(model)")
        }
    }

    @Test func aVersionOneRunReadsAndRegeneratesItsTable() throws {
        let fixtures = TestData.repositoryRoot.appendingPathComponent("Tests/CellwiseReportTests/Fixtures")
        // Its traces were cut to three evaluations (Fixtures/README.md): read without the completeness check,
        // which refuses such a file everywhere else.
        let path = fixtures.appendingPathComponent("paper-mnist5k-v1.json").path
        #expect(throws: DataError.self) { try ComparisonWriter.read(path) }
        let record = try ComparisonWriter.read(path, checkingCompleteness: false)
        #expect(record.version == 1)
        #expect(!record.partial && record.runs.allSatisfy { !$0.partial })
        let table = try String(contentsOf: fixtures.appendingPathComponent("paper-mnist5k-v1.md"), encoding: .utf8)
        // Today's table is the old one with the exact model's row after the reference, followed
        // by the anytime table (made from the traces the old file already holds).
        let markdown = ComparisonTable(record).markdown.split(separator: "\n", omittingEmptySubsequences: false)
        let blank = try #require(markdown.firstIndex(of: ""))
        var lines = Array(markdown[..<blank])
        #expect(lines[3] == "| exact model (t*28) | - | - | - | - | - | - | 0.8700 | 0.8600 | - | - |")
        lines.remove(at: 3)
        #expect(lines.joined(separator: "\n") + "\n" == table)
        #expect(markdown[blank + 1].hasPrefix("Best latency within tolerance (s) after n evaluations"))
        #expect(markdown[blank + 3] == "| strategy | 16 | 64 | 256 | 1024 | 2048 |")
    }
}
