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
