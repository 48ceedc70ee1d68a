import CellwiseCore
import CellwiseSearch
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseReport

@Suite(.serialized) struct SuiteTests {
    /// Two small instances (the same tiny model, two tolerances) and a suite over them.
    static func suite(in directory: URL, budget: Int = 25, extra: String = "") throws -> String {
        let data = try TestData.write(
            Array(TestData.csv(TestData.images(count: 150)).utf8), to: "data.csv", in: directory)
        let model = directory.appendingPathComponent("model.json").path
        for (name, tolerance) in [("loose", 0.05), ("tight", 0.01)] {
            let text = TestData.comparisonConfig(
                name: name, seed: 3, model: model, dataset: data, training: "epochs = 2\nbatch_size = 32",
                tolerance: tolerance, budget: 10, strategies: ["dfs"])
            try TestData.write(Array(text.utf8), to: "\(name).toml", in: directory)
        }
        let suite = """
            name = "small"
            budget = \(budget)
            seeds = [1, 2]
            strategies = ["dp", "ga", "greedy", "window"]
            [[instances]]
            config = "\(directory.appendingPathComponent("loose.toml").path)"
            best_plan = "17*28"
            best_latency = 1000.0
            best_found_by = "a test"
            [[instances]]
            config = "\(directory.appendingPathComponent("tight.toml").path)"
            \(extra)
            """
        return try TestData.write(Array(suite.utf8), to: "small.toml", in: directory)
    }

    /// A record without timings or the machine, which may differ between machines.
    static func comparable(_ record: ComparisonRecord) -> ComparisonRecord {
        var record = ComparisonTests.withoutTimings(record)
        record.machine = MachineDescription.current
        return record
    }

    @Test func shardsMergeToTheSingleRunAndMissingRunsAreMadeAgain() throws {
        let directory = try TestData.directory()
        let config = try SuiteConfig(contentsOf: try Self.suite(in: directory))
        #expect(config.instances.map(\.name) == ["loose", "tight"])
        #expect(config.instances.allSatisfy { $0.config.budget == 25 && $0.config.strategies.count == 4 })
        // An instance's tolerance can be replaced by the suite.
        let tighter = try SuiteConfig(
            contentsOf: try Self.suite(in: directory, extra: "tolerance = 0.005\ntolerance_mode = \"absolute\""))
        #expect(tighter.instances[1].config.tolerance == (try Tolerance(0.005, mode: .absolute)))
        #expect(tighter.instances[0].config.tolerance == config.instances[0].config.tolerance)
        let runs = try config.runs()
        #expect(runs.count == 2 * (2 + 2 * 2))  // dp, greedy once; ga, window per seed
        #expect(runs.map(\.index) == Array(runs.indices))

        let one = directory.appendingPathComponent("one").path
        let summary = try Suite.run(config, jobs: 2, results: one)
        #expect(summary == Suite.RunSummary(made: runs.count, kept: 0))
        let sharded = directory.appendingPathComponent("sharded").path
        var made = 0
        for index in 0..<3 {
            made += try Suite.run(config, shard: .init(index: index, count: 3), results: sharded).made
        }
        #expect(made == runs.count)

        let (a, missingA) = try Suite.records(config, results: one)
        let (b, missingB) = try Suite.records(config, results: sharded)
        #expect(missingA.isEmpty && missingB.isEmpty)
        #expect(a.keys.sorted() == ["loose", "tight"])
        for name in a.keys {
            #expect(Self.comparable(a[name]!) == Self.comparable(b[name]!), "\(name): shards merge to one run")
            #expect(!a[name]!.partial)
        }
        let reportA = SuiteReport(config: config, records: a, partial: false)
        let reportB = SuiteReport(config: config, records: b, partial: false)
        #expect(reportA.markdown == reportB.markdown)

        // A lost run file is made again, and only that one.
        let lost = runs[3]
        try FileManager.default.removeItem(at: Suite.file(of: lost, config, results: sharded))
        let (_, missing) = try Suite.records(config, results: sharded)
        #expect(missing == [lost])
        let again = try Suite.run(config, results: sharded)
        #expect(again == Suite.RunSummary(made: 1, kept: runs.count - 1))
        let (c, _) = try Suite.records(config, results: sharded)
        #expect(Self.comparable(c[lost.instance]!) == Self.comparable(a[lost.instance]!))

        // The report and every instance's comparison files.
        let written = try SuiteWriter.write(reportA, records: a, config: config, results: one)
        // report.md, .csv, .tex, .ipynb, ecdf.csv, ecdf.svg, ranks.svg, two instances
        #expect(written.count == 9)
        let ecdfRows = try String(contentsOfFile: one + "/suites/small/ecdf.csv", encoding: .utf8)
        #expect(ecdfRows.split(separator: "\n").count == 1 + 4 * SuiteReport.logGrid(budget: 25).count)
        let csv = try String(contentsOfFile: one + "/suites/small/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 2 * 4 + 4)
        let tex = try String(contentsOfFile: one + "/suites/small/report.tex", encoding: .utf8)
        #expect(tex.contains("\\begin{tabular}{lrrr}") && tex.contains("\\bottomrule"))
        let ranks = try String(contentsOfFile: one + "/suites/small/ranks.svg", encoding: .utf8)
        #expect(config.strategies.allSatisfy { ranks.contains(">\($0) (") }, "every strategy on the rank axis")
        let ecdf = try String(contentsOfFile: one + "/suites/small/ecdf.svg", encoding: .utf8)
        #expect(ecdf.components(separatedBy: "<path d=").count - 1 == config.strategies.count)
        #expect(FileManager.default.fileExists(atPath: one + "/suites/small/instances/tight/comparison.md"))
        // A run file made with another config is refused by name.
        var other = config
        other.instances[0].config.tolerance = try Tolerance(0.2)
        #expect(throws: DataError.self) { try Suite.records(other, results: one) }
    }

    @Test func theReportsFiguresFollowTheirDefinitions() throws {
        let directory = try TestData.directory()
        let config = try SuiteConfig(contentsOf: try Self.suite(in: directory))
        let results = directory.appendingPathComponent("r").path
        _ = try Suite.run(config, jobs: 2, results: results)
        let (records, _) = try Suite.records(config, results: results)
        let report = SuiteReport(config: config, records: records, partial: false)
        // The recorded best known (1,000 s) is worse than the plans found: the gaps are measured from
        // the best plan the suite found instead, and none is negative.
        #expect(report.instances[0].foundBy.hasPrefix("this suite (better than: a test)"))
        #expect(report.instances[1].foundBy == "this suite (no best known recorded)")
        for (line, name) in zip(report.instances, ["loose", "tight"]) {
            #expect(line.bestLatency == records[name]!.runs.map(\.best.latencySeconds).min())
        }
        for row in report.medianGap { #expect(row.allSatisfy { $0 >= 0 }) }
        // ECDF: shares in [0, 1], never decreasing with the budget.
        for row in report.ecdf {
            #expect(row.allSatisfy { (0...1).contains($0) })
            #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 })
        }
        // The mean ranks of k strategies sum to k (k + 1) / 2; pairs are every unordered pair.
        let k = Double(config.strategies.count)
        #expect(abs(report.meanRanks.reduce(0, +) - k * (k + 1) / 2) < 1e-9)
        #expect(report.pairs.count == 6)
        #expect(report.heldOut.map(\.runs) == [2, 4, 2, 4])
        #expect(report.markdown.contains("## Held-out"))
    }

    /// Every instance under every rule: the plain variant equals the instance without rules, and
    /// the rule table pairs each run with the same run under the plain rule.
    @Test func rulesMakeAnInstancePerRuleAndATableOfRules() throws {
        let directory = try TestData.directory()
        let rules = """
            [[rules]]
            name = "plain"
            [[rules]]
            name = "paired"
            acceptance = "paired"
            confidence = 0.9
            [[rules]]
            name = "train"
            search_split = "train+validation"
            """
        let config = try SuiteConfig(contentsOf: try Self.suite(in: directory, budget: 12, extra: rules))
        #expect(
            config.instances.map(\.name) == [
                "loose.plain", "loose.paired", "loose.train", "tight.plain", "tight.paired", "tight.train",
            ])
        #expect(config.instances[1].config.acceptance == (try AcceptanceRule(kind: .pairedBound(confidence: 0.9))))
        #expect(config.instances[0].config.acceptance == nil && config.instances[0].rule == "plain")
        let results = directory.appendingPathComponent("r").path
        _ = try Suite.run(config, jobs: 2, results: results)
        let (records, missing) = try Suite.records(config, results: results)
        #expect(missing.isEmpty)
        // The plain variant runs as the instance does without rules.
        let plainConfig = try SuiteConfig(contentsOf: try Self.suite(in: directory, budget: 12))
        _ = try Suite.run(plainConfig, jobs: 2, results: directory.appendingPathComponent("p").path)
        let (plain, _) = try Suite.records(plainConfig, results: directory.appendingPathComponent("p").path)
        #expect(
            records["loose.plain"]!.runs.map(\.best.latencySeconds) == plain["loose"]!.runs.map(\.best.latencySeconds))
        // Scored on the 90 + 30 training and validation images under `train`, on the 30 validation
        // images otherwise.
        let instance = config.instances[2].config
        let file = try ModelFile.load(from: instance.modelFile)
        let data = try DatasetSource(argument: instance.dataset).load(splitSeed: file.metadata.splitSeed)
        func accuracy(_ split: DataSplit) throws -> Double {
            try PlanEvaluator(model: file.model, split: split, approximations: ApproximationLibrary())
                .accuracy(of: ActivationPlan(uniform: .polynomial(degree: 17), layout: file.model.sites))
        }
        let joined = try data.train.joined(with: data.validation, name: .validation)
        #expect(joined.count == 120)
        #expect(records["loose.train"]!.reference.valAccuracy == (try accuracy(joined)))
        #expect(records["loose.paired"]!.reference.valAccuracy == (try accuracy(data.validation)))
        #expect(records["loose.plain"]!.reference.valAccuracy == (try accuracy(data.validation)))

        let report = SuiteReport(config: config, records: records, partial: false)
        #expect(report.rules.map(\.rule) == ["plain", "paired", "train"].flatMap { Array(repeating: $0, count: 5) })
        for line in report.rules where line.rule == "plain" { #expect(line.latencyAgainstPlain == 0) }
        for line in report.rules {
            #expect(line.violations <= line.runs && line.medianGap >= 0)
            let runs = line.strategy == "all" ? 2 * 6 : line.strategy == "ga" || line.strategy == "window" ? 4 : 2
            #expect(line.runs == runs, "\(line.rule) \(line.strategy)")
        }
        #expect(report.markdown.contains("## Acceptance rules"))
        #expect(report.csv.contains("rule=paired,all,"))
    }

    @Test(arguments: [
        ("[[rules]]\nname = \"a b\"", "rules[0].name"),
        ("[[rules]]\nname = \"x\"\n[[rules]]\nname = \"x\"", "rules[1].name"),
        ("[[rules]]\nname = \"x\"\nacceptance = \"paired\"\nconfidence = 0.2", "rules[0].confidence"),
        ("[[rules]]\nname = \"x\"\nconfidence = 0.9", "rules[0].confidence"),
        ("[[instances]]\nconfig = \"/nonexistent.toml\"", "instances[2].config"),
        ("best_plan = \"17*28\"", "instances[1]"),
        ("best_plan = \"17*28\"\nbest_latency = -1.0\nbest_found_by = \"x\"", "instances[1].best_latency"),
        ("tolerance = 1.5", "instances[1].tolerance"),
        ("tolerance_mode = \"loose\"", "instances[1].tolerance_mode"),
    ])
    func badSuitesNameTheKey(extra: String, key: String) throws {
        let directory = try TestData.directory()
        let path = try Self.suite(in: directory, extra: extra)
        let error = #expect(throws: ConfigurationError.self) { try SuiteConfig(contentsOf: path) }
        #expect(error?.key.hasSuffix(key) == true, "\(String(describing: error))")
    }

    @Test func aDuplicateInstanceAndUnknownStrategiesAreRefused() throws {
        let directory = try TestData.directory()
        let path = try Self.suite(in: directory)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "\n[[instances]]\nconfig = \"\(directory.appendingPathComponent("tight.toml").path)\"\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let duplicate = #expect(throws: ConfigurationError.self) { try SuiteConfig(contentsOf: path) }
        #expect(duplicate?.problem.contains("appears twice") == true)
        text = text.replacingOccurrences(of: "\"window\"]", with: "\"annealing\"]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: ConfigurationError.self) { try SuiteConfig(contentsOf: path) }
        #expect(unknown?.description.contains("annealing") == true)
    }

    @Test func shardsParseAndDealRunsByIndex() throws {
        let shard = try Suite.Shard(parsing: "2/5")
        #expect(shard == Suite.Shard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1", "a/b", "0/0", ""] {
            #expect(throws: ConfigurationError.self) { try Suite.Shard(parsing: bad) }
        }
    }
}
