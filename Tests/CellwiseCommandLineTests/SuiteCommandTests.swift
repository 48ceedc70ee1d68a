import Cellwise
import CellwiseTestSupport
import Foundation
import Testing

/// `cellwise suite` as a user runs it: on one machine, in shards, and through the Ray dispatcher
/// (tools/ray/dispatch.py) on a one-node Ray cluster the test starts.
@Suite(.serialized) struct SuiteCommandTests {
    typealias CLI = CommandLineTests

    /// A suite of two instances on the shared small model.
    static func suite(in directory: URL) throws -> String {
        let model = try CLI.trainedModel.get()
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any]
        let dataset = (json?["metadata"] as? [String: Any])?["dataset"] as? String ?? "mnist5k"
        for (name, tolerance) in [("loose", 0.05), ("tight", 0.01)] {
            try TestData.comparisonConfig(
                name: name, model: model, dataset: dataset, tolerance: tolerance, budget: 10, strategies: ["dfs"]
            ).write(toFile: directory.appendingPathComponent("\(name).toml").path, atomically: true, encoding: .utf8)
        }
        let path = directory.appendingPathComponent("suite.toml").path
        try """
        name = "small"
        budget = 25
        seeds = [1, 2]
        strategies = ["dp", "ga", "greedy", "window"]
        [[instances]]
        config = "\(directory.appendingPathComponent("loose.toml").path)"
        [[instances]]
        config = "\(directory.appendingPathComponent("tight.toml").path)"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The run files of a results directory, read, without timings and machine.
    static func runs(_ results: URL) throws -> [String: ComparisonRecord] {
        let root = results.appendingPathComponent("suites/small/runs")
        var records = [String: ComparisonRecord]()
        for instance in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            let folder = root.appendingPathComponent(instance)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
                var record = try ComparisonWriter.read(
                    folder.appendingPathComponent(file).path, allowingSingleRun: true)
                record.totalSeconds = 0
                record.machine = MachineDescription.current
                for i in record.runs.indices {
                    record.runs[i].wallSeconds = 0
                    for j in record.runs[i].trace.indices { record.runs[i].trace[j].elapsedSeconds = 0 }
                }
                records["\(instance)/\(file)"] = record
            }
        }
        return records
    }

    @Test func shardsGiveTheSameRunsAndReportAsOneMachine() throws {
        let directory = try CLI.temporaryDirectory()
        let suite = try Self.suite(in: directory)
        let one = directory.appendingPathComponent("one")
        let all = try CLI.run(["suite", "--config", suite, "--out", one.path, "--jobs", "2", "--quiet"])
        #expect(all.status == 0, "\(all.error)")
        #expect(all.output.hasPrefix("# Suite small"))

        let plan = try CLI.run(["suite", "plan", "--config", suite, "--out", one.path, "--shards", "2"])
        let lines = plan.output.split(separator: "\n")
        #expect(lines.count == 12 && lines.allSatisfy { $0.contains("\"done\": true") })

        let sharded = directory.appendingPathComponent("sharded")
        for shard in ["0/2", "1/2"] {
            let run = try CLI.run(["suite", "run", "--config", suite, "--out", sharded.path, "--shard", shard])
            #expect(run.status == 0, "\(run.error)")
            #expect(run.error.contains("suite small shard \(shard): 6 run(s) made"))
        }
        let report = try CLI.run(["suite", "report", "--config", suite, "--out", sharded.path, "--quiet"])
        #expect(report.status == 0, "\(report.error)")
        #expect(report.output == all.output)
        let reportFile = "suites/small/report.md"
        #expect(
            try String(contentsOf: one.appendingPathComponent(reportFile), encoding: .utf8)
                == String(contentsOf: sharded.appendingPathComponent(reportFile), encoding: .utf8))
        #expect(try Self.runs(one) == Self.runs(sharded))
        #expect(try Self.runs(one).count == 12)

        // A bad shard is one line naming it; nothing is written.
        let bad = try CLI.run(["suite", "run", "--config", suite, "--out", sharded.path, "--shard", "2/2"])
        #expect(bad.status != 0 && bad.error.split(separator: "\n").count == 1 && bad.error.contains("--shard"))
    }

    /// The suite's notebook runs with Jupyter and draws its three figures.
    @Test(
        .enabled(
            if: CompareCommandTests.jupyter != nil || CLI.requireAllTests,
            "needs Jupyter (make test installs it in .build/python-venv)"))
    func theSuiteNotebookRuns() throws {
        let jupyter = try #require(CompareCommandTests.jupyter, "Jupyter is missing: run make test, which installs it")
        let directory = try CLI.temporaryDirectory()
        let suite = try Self.suite(in: directory)
        let results = directory.appendingPathComponent("results")
        let all = try CLI.run(["suite", "--config", suite, "--out", results.path, "--jobs", "2", "--quiet"])
        try #require(all.status == 0, "\(all.error)")
        let folder = results.appendingPathComponent("suites/small")
        let executed = directory.appendingPathComponent("executed.ipynb").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: jupyter)
        process.arguments = ["nbconvert", "--to", "notebook", "--execute", "report.ipynb", "--output", executed]
        process.currentDirectoryURL = folder
        let log = directory.appendingPathComponent("nbconvert.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let messages = try String(contentsOf: log, encoding: .utf8)
        #expect(process.terminationStatus == 0, "nbconvert: \(messages)")
        let text = try String(contentsOfFile: executed, encoding: .utf8)
        #expect(text.components(separatedBy: "image/png").count - 1 >= 2, "ranks, gaps and the ECDF are drawn")
        #expect(!text.contains("\"output_type\": \"error\""))
        #expect(text.contains("held-out violations"))
    }

    @Test(
        .enabled(
            if: LocalRayCluster.python != nil || CLI.requireAllTests,
            "needs Python with Ray (make test installs it in .build/python-venv)"
        ))
    func rayDispatchesTheShardsToALocalCluster() throws {
        let directory = try CLI.temporaryDirectory()
        let suite = try Self.suite(in: directory)
        let cluster = try LocalRayCluster(in: directory)
        defer { cluster.stop() }
        let out = directory.appendingPathComponent("ray-results")
        let dispatch = try cluster.dispatch(["--config", suite, "--shards", "3", "--out", out.path])
        #expect(dispatch.status == 0, "\(dispatch.error)")
        let shards = dispatch.error.split(separator: "\n").filter { $0.hasPrefix("{\"shard\"") }
        #expect(shards.count == 3 && shards.allSatisfy { $0.contains("\"status\": 0") }, "\(dispatch.error)")

        // The same runs and report as one machine.
        let one = directory.appendingPathComponent("one")
        let all = try CLI.run(["suite", "--config", suite, "--out", one.path, "--quiet"])
        #expect(all.status == 0, "\(all.error)")
        #expect(dispatch.output == all.output)
        #expect(try Self.runs(out) == Self.runs(one))
    }

    /// Two processes on one output folder (the same command started twice): every run is made
    /// once, by one of them, both succeed, and the runs are those one process makes.
    @Test func twoProcessesOnOneFolderMakeEachRunOnce() throws {
        let directory = try CLI.temporaryDirectory()
        let suite = try String(contentsOfFile: try Self.suite(in: directory), encoding: .utf8)
            .replacingOccurrences(of: "budget = 25", with: "budget = 1500")
        let path = directory.appendingPathComponent("busy.toml").path
        try suite.write(toFile: path, atomically: true, encoding: .utf8)
        let shared = directory.appendingPathComponent("shared")
        let processes = (0..<2).map { _ in
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["suite", "run", "--config", path, "--out", shared.path]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            return (process, err)
        }
        for (process, _) in processes { try process.run() }
        var made = 0
        for (process, err) in processes {
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(text)")
            let summary = try #require(text.split(separator: "\n").last { $0.contains("run(s) made") }, "\(text)")
            made += try #require(Int(summary.split(separator: ": ").last!.split(separator: " ").first!))
        }
        #expect(made == 12, "each of the 12 runs is made once, not once per process")
        let report = try CLI.run(["suite", "report", "--config", path, "--out", shared.path, "--quiet"])
        #expect(report.status == 0, "\(report.error)")
        let alone = directory.appendingPathComponent("alone")
        #expect(try CLI.run(["suite", "run", "--config", path, "--out", alone.path, "--quiet"]).status == 0)
        #expect(try Self.runs(shared) == Self.runs(alone))
    }

    /// A best known plan that does not parse, or whose latency is not what the cost model says,
    /// is refused: every gap of the instance is measured against it.
    @Test func aBestKnownPlanIsParsedAndPriced() throws {
        let directory = try CLI.temporaryDirectory()
        let suite = try String(contentsOfFile: try Self.suite(in: directory), encoding: .utf8)
        let instance = "config = \"\(directory.appendingPathComponent("loose.toml").path)\""
        let price = try CLI.run(["cost", "--plan", "7*28", "--json"])
        let latency = try #require(
            (try JSONSerialization.jsonObject(with: Data(price.output.utf8)) as? [String: Any])?["latency_seconds"]
                as? Double)
        for (plan, seconds, complaint) in [
            ("banana", latency, "best_plan"), ("7*28", 5.0, "best_latency"), ("7*27", latency, "best_plan"),
            ("7w*28", latency, "best_plan"), ("7*28", latency, nil),
        ] {
            let edited = suite.replacingOccurrences(
                of: instance,
                with: instance + "\nbest_plan = \"\(plan)\"\nbest_latency = \(seconds)\nbest_found_by = \"a test\"")
            let path = directory.appendingPathComponent("best.toml").path
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try CLI.run([
                "suite", "report", "--config", path, "--out", directory.appendingPathComponent("none").path,
            ])
            #expect(run.status == 1)
            #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
            if let complaint {
                #expect(run.error.contains("instances[0] (loose).\(complaint)"), "\(plan) \(seconds): \(run.error)")
            } else {
                #expect(run.error.contains("no run of suite"), "a right entry passes the check: \(run.error)")
            }
        }
    }
}
