import Foundation
import Testing

/// `Examples/custom-strategy` is a package of its own that depends on Cellwise by path and adds a
/// strategy (simulated annealing) without editing any Cellwise file. Build it as a user would and
/// run its strategy in a `compare` next to built-in ones.
@Suite(.serialized) struct ExamplePackageTests {
    typealias CLI = CommandLineTests

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `arguments` (through /usr/bin/env) in `directory`.
    static func run(_ arguments: [String], in directory: URL) throws -> CLI.Run {
        try CLI.launch(URL(fileURLWithPath: "/usr/bin/env"), arguments, in: directory)
    }

    @Test(.timeLimit(.minutes(15)))
    func theExamplePackageRunsItsOwnStrategyInACompare() throws {
        let example = Self.root.appendingPathComponent("Examples/custom-strategy")
        let scratch = Self.root.appendingPathComponent(".build/examples/custom-strategy").path
        let build = try Self.run(
            ["swift", "build", "--package-path", example.path, "--scratch-path", scratch], in: example)
        try #require(build.status == 0, "swift build of the example failed: \(build.error.suffix(2000))")
        let binPath = try Self.run(
            ["swift", "build", "--package-path", example.path, "--scratch-path", scratch, "--show-bin-path"],
            in: example
        ).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let executable = URL(fileURLWithPath: binPath).appendingPathComponent("cellwise-annealing").path

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
}
