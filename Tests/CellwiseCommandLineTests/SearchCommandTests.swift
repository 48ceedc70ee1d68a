import Foundation
import Testing

@Suite struct SearchCommandTests {
    typealias CLI = CommandLineTests

    @Test func strategiesListsEveryStrategy() throws {
        let run = try CLI.run(["strategies"])
        #expect(run.status == 0)
        for name in ["dfs", "dp", "ga", "greedy", "random", "exhaustive"] {
            #expect(run.output.contains("\n\(name) ") || run.output.hasPrefix("\(name) "), "\(name)")
        }
    }

    /// `search` and `compare` build their runs through one path: on a 64-unit model both price the
    /// reference at 64 units (once `search` priced every model as 32 units: 625.61 s against 688.05 s).
    @Test func searchAndCompareAgreeOnAWiderModel() throws {
        let directory = try CLI.temporaryDirectory()
        let data = try CLI.smallCSV(in: directory)
        let model = directory.appendingPathComponent("wide.json").path
        let train = try CLI.run([
            "train", "--dataset", data, "--out", model, "--units", "64", "--epochs", "1", "--quiet",
        ])
        try #require(train.status == 0, "\(train.error)")
        let search = try CLI.run([
            "search", "--model", model, "--strategy", "greedy", "--budget", "25", "--tolerance", "0.05", "--json",
            "--quiet",
            "--trace-file", directory.appendingPathComponent("t.jsonl").path,
        ])
        try #require(search.status == 0, "\(search.error)")
        let searched = try #require(JSONSerialization.jsonObject(with: Data(search.output.utf8)) as? [String: Any])
        let config = try CompareCommandTests.config(model: model, in: directory)
        let results = directory.appendingPathComponent("results").path
        let compare = try CLI.run(["compare", "--config", config, "--out", results, "--quiet"])
        try #require(compare.status == 0, "\(compare.error)")
        let record = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(results)/small/run.json")))
                as? [String: Any])
        let searchReference = try #require((searched["reference"] as? [String: Any])?["latency_seconds"] as? Double)
        let compareReference = try #require((record["reference"] as? [String: Any])?["latency_seconds"] as? Double)
        #expect(searchReference == compareReference)
        let paperShape = try CLI.run(["cost", "--plan", "17*28", "--json"])
        let paper = try #require(
            (JSONSerialization.jsonObject(with: Data(paperShape.output.utf8)) as? [String: Any])?["latency_seconds"]
                as? Double)
        #expect(searchReference > paper, "64 units cost more than the paper's 32")
    }

    @Test(arguments: ["dfs", "dp", "ga", "greedy", "random"])
    func searchPrintsTheDocumentedJSON(strategy: String) throws {
        let model = try CLI.trainedModel.get()
        let run = try CLI.run([
            "search", "--model", model, "--strategy", strategy, "--budget", "40", "--seed", "2", "--json", "--quiet",
        ])
        #expect(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(json["strategy"] as? String == strategy)
        #expect(json["seed"] as? Int == 2)
        #expect(json["budget"] as? Int == 40)
        let evaluations = try #require(json["evaluations"] as? Int)
        #expect(evaluations >= 1 && evaluations <= 40)
        #expect(json["wall_seconds"] is Double)
        let reference = try #require(json["reference"] as? [String: Any])
        #expect(reference["plan"] as? String == "17*28")
        #expect(reference["val_accuracy"] is Double && reference["latency_seconds"] is Double)
        let best = try #require(json["best"] as? [String: Any])
        for key in ["plan", "val_accuracy", "test_accuracy", "latency_seconds", "bootstraps", "counts"] {
            #expect(best[key] != nil, "best.\(key)")
        }
        #expect((best["counts"] as? [Int])?.reduce(0, +) == 28)
        let specs = try #require(json["best_candidates"] as? [[String: Any]], "the best plan's fits")
        #expect(specs.flatMap { ($0["cells"] as? [Int]) ?? [] }.sorted() == Array(0..<28))
        #expect(specs.allSatisfy { ($0["chebyshev"] as? [Double])?.isEmpty == false })
        #expect(json["pareto"] is [[String: Any]])
        #expect(json["accepted"] is Int)
    }

    @Test func badSearchArgumentsAreOneLineErrors() throws {
        let model = try CLI.trainedModel.get()
        let test = CommandLineTests()
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "annealing"], mentions: ["unknown strategy \"annealing\""])
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "ga", "--dfs-rule", "parent"], mentions: ["--dfs-rule"])
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "dfs", "--option", "speed=3"], mentions: ["speed"])
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "exhaustive"], mentions: ["3^28", "limit"])
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "dfs", "--degrees", "3,x"], mentions: ["--degrees"])
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "dfs", "--cells", "30-40"], mentions: ["cell 30"])
    }
}
