import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTestSupport
import CellwiseTraining
import Foundation
import Testing

@testable import CellwiseReport

@Suite struct ComparisonConfigTests {
    static let configs = TestData.repositoryRoot.appendingPathComponent("configs")

    @Test func theShippedConfigsAreValid() throws {
        let paper = try ComparisonConfig(contentsOf: Self.configs.appendingPathComponent("paper-mnist5k.toml").path)
        #expect(paper.name == "paper-mnist5k")
        #expect(paper.degrees == [3, 7, 17] && paper.interval == [-8, 8])
        #expect(paper.profile == "heaan-fgb" && paper.budget == 2048)
        #expect(paper.tolerance == (try Tolerance(0.02)))
        #expect(paper.seeds == [1, 2, 3, 4, 5])
        #expect(paper.strategies == ["dfs", "dp", "ga", "greedy", "random", "window"])
        #expect(paper.training?.learningRate == 0.01)
        #expect(paper.strategyOptions["dfs"] == ["rule": "parent"])
        let fashion = try ComparisonConfig(contentsOf: Self.configs.appendingPathComponent("fashion.toml").path)
        #expect(fashion.dataset == "fashion")
        #expect(fashion.training?.learningRate == 0.001)
        let runs = try Comparison.runs(of: paper)
        #expect(runs.count == 3 + 3 * 5)
        #expect(runs.filter { $0.strategy == "ga" }.map(\.seed) == [1, 2, 3, 4, 5])
        #expect(runs.filter { $0.strategy == "dfs" }.map(\.seed) == [1])
    }

    @Test func acceptanceRulesAreRead() throws {
        func rule(_ keys: String) throws -> AcceptanceRule? {
            let path = try TestData.write(
                Array(Self.edited("tolerance = 0.02", "tolerance = 0.02\n" + keys).utf8), to: "rule.toml",
                in: TestData.directory())
            return try ComparisonConfig(contentsOf: path).acceptance
        }
        #expect(try rule("") == nil)
        #expect(try rule("acceptance = \"plain\"\nsearch_split = \"validation\"") == nil)
        #expect(try rule("acceptance = \"paired\"") == AcceptanceRule(kind: .pairedBound(confidence: 0.95)))
        #expect(
            try rule("acceptance = \"paired\"\nconfidence = 0.99\nsearch_split = \"train+validation\"")
                == AcceptanceRule(kind: .pairedBound(confidence: 0.99), split: .trainAndValidation))
        #expect(try rule("search_split = \"train+validation\"")?.description == "plain on train+validation")
    }

    static func edited(_ original: String, _ replacement: String) throws -> String {
        let text = try String(contentsOf: configs.appendingPathComponent("paper-mnist5k.toml"), encoding: .utf8)
        #expect(text.contains(original), "fixture text \(original)")
        return text.replacingOccurrences(of: original, with: replacement)
    }

    @Test(arguments: [
        ("budget = 2048", "budget = 0", "search.budget: is 0"),
        ("budget = 2048", "budget = \"lots\"", "search.budget: must be an integer"),
        ("budget = 2048", "budget = 2048\nbudjet = 5", "search.budjet: unknown key"),
        ("seed = 1  ", "seed = -1  ", "seed: must not be negative (is -1)"),
        ("seeds = [1, 2, 3, 4, 5]", "seeds = []", "search.seeds"),
        ("seeds = [1, 2, 3, 4, 5]", "seeds = [1, 1]", "search.seeds"),
        ("\"random\", \"window\"]", "\"random\", \"annealing\"]", "unknown strategy \"annealing\""),
        ("interval = [-8.0, 8.0]", "interval = [8.0, -8.0]", "approximation.interval"),
        ("interval = [-8.0, 8.0]", "interval = [-1e300, 1e300]", "approximation.interval: must lie within"),
        ("interval = [-8.0, 8.0]", "interval = [-8.0, inf]", "approximation.interval[1]: must be a finite number"),
        ("batch_size = 128", "batch_size = 0", "training.batch_size: must be at least 1"),
        ("degrees = [3, 7, 17]", "degrees = [3, 7, 99]", "approximation.degrees: degree 99"),
        (
            "degrees = [3, 7, 17]", "degrees = [3, 7, 17]\ncandidates = [\"3w\"]",
            "approximation.candidates: give degrees or candidates, not both"
        ),
        ("degrees = [3, 7, 17]", "candidates = [\"3w\", \"17q\"]", "approximation.candidates: candidate \"17q\""),
        ("placement = \"greedy\"", "placement = \"lazy\"", "cost.placement: is \"lazy\""),
        ("tolerance = 0.02", "tolerance = 2.0", "search.tolerance"),
        ("rule = \"parent\"", "rule = \"grandparent\"", "strategies.dfs.rule"),
        ("rule = \"parent\"", "depth = 3", "strategies.dfs.depth: is not an option of strategy dfs"),
        ("learning_rate = 0.01", "learning_rate = -1.0", "training.learning_rate"),
        ("[model]", "[modle]", "model: is missing"),
        ("name = \"paper-mnist5k\"", "name = \"../escape\"", "name: must be letters"),
        ("tolerance = 0.02", "tolerance = 0.02\nconfidence = 0.9", "search.confidence: only applies"),
        (
            "tolerance = 0.02", "tolerance = 0.02\nacceptance = \"paired\"\nconfidence = 1.5",
            "search.confidence: must be in [0.5, 1)"
        ),
        ("tolerance = 0.02", "tolerance = 0.02\nacceptance = \"bayes\"", "search.acceptance: is \"bayes\""),
        ("tolerance = 0.02", "tolerance = 0.02\nsearch_split = \"test\"", "search.search_split: is \"test\""),
    ])
    func malformedConfigsNameTheKey(original: String, replacement: String, expected: String) throws {
        let path = try TestData.write(
            Array(Self.edited(original, replacement).utf8), to: "bad.toml", in: TestData.directory())
        let error = #expect(throws: ConfigurationError.self) { try ComparisonConfig(contentsOf: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }
}
