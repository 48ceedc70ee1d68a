import CellwiseCore
import Foundation
import Testing

/// `Examples/custom-strategy` is a package of its own that depends on Cellwise by path and adds a
/// strategy (simulated annealing) without editing any Cellwise file. Build it as a user would and
/// run its strategy in a `compare` next to built-in ones.
@Suite(.serialized) struct ExamplePackageTests {
    typealias CLI = CommandLineTests

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Builds `Examples/<name>` as a user would (its own scratch folder under .build/examples) and
    /// returns the path of its executable `product`.
    static func build(_ name: String, product: String) throws -> String {
        let example = root.appendingPathComponent("Examples/\(name)")
        let arguments = [
            "swift", "build", "--package-path", example.path, "--scratch-path",
            root.appendingPathComponent(".build/examples/\(name)").path,
        ]
        let build = try run(arguments, in: example)
        try #require(build.status == 0, "swift build of \(name) failed: \(build.error.suffix(2000))")
        let binPath = try run(arguments + ["--show-bin-path"], in: example).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: binPath).appendingPathComponent(product).path
    }

    /// Runs `arguments` (through /usr/bin/env) in `directory`.
    static func run(_ arguments: [String], in directory: URL) throws -> CLI.Run {
        try CLI.launch(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: directory)
    }

    @Test(.timeLimit(.minutes(15)))
    func theExamplePackageRunsItsOwnStrategyInACompare() throws {
        let example = Self.root.appendingPathComponent("Examples/custom-strategy")
        let executable = try Self.build("custom-strategy", product: "cellwise-annealing")

        // Its command line lists the new strategy after the built-in ones.
        let strategies = try Self.run([executable, "strategies"], in: example)
        #expect(strategies.status == 0)
        let names = strategies.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map {
            $0.split(separator: " ")[0]
        }
        #expect(names == ["dfs", "dp", "ga", "greedy", "random", "window", "exhaustive", "external", "annealing"])

        // A compare of annealing, ga and greedy on equal terms.
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let config = try CompareCommandTests.config(model: model, in: directory)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(
            of: #"strategies = ["dfs", "dp", "ga", "greedy", "random"]"#,
            with: #"strategies = ["annealing", "ga", "greedy"]"# + "\n[strategies.annealing]\ncooling = 0.99")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results").path
        let compare = try Self.run(
            [executable, "compare", "--config", config, "--out", results, "--quiet"], in: directory)
        #expect(compare.status == 0, "stderr: \(compare.error)")
        let rows = compare.output.split(separator: "\n").filter { $0.hasPrefix("| annealing |") }
        // Its row in the table, then in the anytime table.
        #expect(rows.count == 2 && rows[0].hasPrefix("| annealing | 2 | 25 |"), "table: \(compare.output)")
        #expect(compare.output.contains("| ga | 2 | 25 |"))

        // The plain cellwise executable does not know the strategy and says so.
        try CLI().expectOneLineError(
            ["compare", "--config", config, "--out", results], mentions: ["unknown strategy \"annealing\""])
    }

    /// `Examples/custom-cell` defines a cell kind Cellwise does not know (the minimal gated unit,
    /// one file: its CellGraph) and, with no Cellwise file changed, trains it, saves it as a
    /// version-3 model file, searches its plans with Cellwise's strategies and cost model, and runs
    /// it encrypted under OpenFHE (N = 1024, insecure, labelled), where the decrypted classes agree
    /// with the plaintext evaluator's and the bootstraps are the predicted ones.
    @Test(
        .timeLimit(.minutes(15)),
        .enabled(
            if: CKKSCommandTests.python310Available || CLI.requireAllTests,
            "needs Python 3.10 (pyenv or PATH) for OpenFHE's wheel"))
    func theExamplePackageDefinesACellKindThatSearchesAndRunsEncrypted() throws {
        let example = Self.root.appendingPathComponent("Examples/custom-cell")
        let executable = try Self.build("custom-cell", product: "cellwise-mgu")
        let directory = try CLI.temporaryDirectory()
        let model = directory.appendingPathComponent("results/mgu.json").path
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("results"), withIntermediateDirectories: true)

        let train = try Self.run(
            [executable, "train-mgu", "--dataset", "JapaneseVowels", "--epochs", "15", "--out", model],
            in: directory)
        try #require(train.status == 0, "\(train.error)")
        let file = try ModelFile.load(from: model)
        #expect(
            file.model.cell?.name == "MGU" && file.model.cell?.isBuiltIn == false && file.model.sites.sitesPerCell == 2)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any]
        #expect(json?["version"] as? Int == 3)
        #expect(file.metadata.training?.cellGraph == "MGU" && file.metadata.training?.epochs == 15)
        // Nine classes (chance 0.11); measured here: 0.9189 after 15 epochs.
        #expect(file.metadata.testAccuracy > 0.8, "MGU(16) after 15 epochs: \(file.metadata.testAccuracy)")

        // Cellwise's own compare searches it (the example's config, a smaller budget).
        var config = try String(contentsOf: example.appendingPathComponent("mgu.toml"), encoding: .utf8)
        config = config.replacingOccurrences(of: "budget = 256", with: "budget = 64")
        try config.write(to: directory.appendingPathComponent("mgu.toml"), atomically: true, encoding: .utf8)
        let compare = try Self.run(
            [executable, "compare", "--config", "mgu.toml", "--out", "results/compare", "--quiet"], in: directory)
        #expect(compare.status == 0, "\(compare.error)")
        let gaRow = compare.output.split(separator: "\n").first { $0.hasPrefix("| ga | 2 | 64 |") }
        #expect(gaRow != nil, "\(compare.output)")

        // And runs it encrypted.
        let profile = try Self.run(
            [
                executable, "ckks", "probe", "--insecure", "--ring-dim", "1024", "--levels", "12", "--repetitions", "1",
                "--degrees", "3", "--out", "tiny.toml",
            ], in: directory)
        try #require(profile.status == 0, "\(profile.error)")
        let run = try Self.run(
            [
                executable, "ckks", "run", "--model", model, "--plan", "f=3;h=7", "--samples", "2", "--batch", "2",
                "--insecure", "--ring-dim", "1024", "--levels", "12", "--profile", "tiny.toml", "--json", "--out",
                "results/ckks",
            ], in: directory)
        #expect(run.status == 0, "\(run.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(report["agreeing_predictions"] as? Int == 2)
        #expect((report["largest_logit_difference"] as? Double ?? 1) < 0.05)
        #expect(report["measured_bootstraps"] as? Int == report["predicted_bootstraps"] as? Int)
    }
}
