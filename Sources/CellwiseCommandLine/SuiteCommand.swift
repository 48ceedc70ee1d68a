import ArgumentParser
import Cellwise
import Foundation

struct SuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Benchmark strategies over many instances: plan, run (in shards), report.",
        discussion: """
            A suite (configs/suites/*.toml) names instances (comparison configs), strategies, seeds
            and a budget. Each run writes one file under <out>/suites/<name>/runs/, so the runs can be
            spread over shards, machines or a cluster (tools/ray/) and merged by `report`.

            Example:
              cellwise suite --config configs/suites/default.toml --jobs 2
              cellwise suite plan --config configs/suites/default.toml --shards 4
              cellwise suite run --config configs/suites/default.toml --shard 0/4
              cellwise suite report --config configs/suites/default.toml
            """,
        subcommands: [All.self, Plan.self, Run.self, Report.self],
        defaultSubcommand: All.self)

    struct Options: ParsableArguments {
        @Option(help: "A suite config (.toml), see configs/suites/README.md.")
        var config: String

        @Option(help: "Directory that receives suites/<name>/.")
        var out: String = "results"

        func load() throws -> SuiteConfig {
            try SuiteConfig(contentsOf: config, registry: CommandLineContext.registry)
        }
    }

    /// Runs everything missing, then reports.
    struct All: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "all", abstract: "Make every missing run, then write the report (the default).")
        @OptionGroup var options: Options
        @Option(parsing: .unconditional, help: "Runs made at the same time (results do not depend on it).")
        var jobs: Int = 1
        @Flag(help: "No progress on standard error.")
        var quiet = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            let config = try options.load()
            try SuiteCommand.makeRuns(config, shard: .all, jobs: jobs, out: options.out, quiet: quiet)
            try SuiteCommand.report(config, out: options.out, quiet: quiet)
        }
    }

    /// Lists the runs and their shards.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan", abstract: "List the suite's runs (JSON lines: index, instance, strategy, seed, shard)."
        )
        @OptionGroup var options: Options
        @Option(help: "Number of shards the runs are dealt to (run i goes to shard i mod n).")
        var shards: Int = 1

        func validate() throws {
            guard shards >= 1 else { throw ValidationError("--shards must be at least 1") }
        }

        func run() throws {
            let config = try options.load()
            for run in try config.runs(registry: CommandLineContext.registry) {
                let done = FileManager.default.fileExists(
                    atPath: Suite.file(of: run, config, results: options.out).path)
                print(
                    #"{"index": \#(run.index), "instance": "\#(run.instance)", "strategy": "\#(run.key.strategy)", "#
                        + #""seed": \#(run.key.seed), "shard": \#(run.index % shards), "done": \#(done)}"#)
            }
        }
    }

    /// Makes one shard's runs.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Make the missing runs of one shard (all runs by default).")
        @OptionGroup var options: Options
        @Option(help: "The share of the runs to make: i/n, 0 <= i < n (runs whose index is i mod n).")
        var shard: String = "0/1"
        @Option(parsing: .unconditional, help: "Runs made at the same time (results do not depend on it).")
        var jobs: Int = 1
        @Flag(help: "No progress on standard error.")
        var quiet = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            let shard = try Suite.Shard(parsing: shard)
            let config = try options.load()
            try SuiteCommand.makeRuns(config, shard: shard, jobs: jobs, out: options.out, quiet: quiet)
        }
    }

    /// Merges the runs and writes the report.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report", abstract: "Merge the run files and write the report and each instance's tables.")
        @OptionGroup var options: Options
        @Flag(help: "No summary on standard error.")
        var quiet = false

        func run() throws {
            try SuiteCommand.report(try options.load(), out: options.out, quiet: quiet)
        }
    }

    /// Refuses best known plans that disagree with their instance's model and cost model
    /// (``Suite/checkBestKnown(_:models:)``); `prepare` makes a missing model, else it is skipped.
    static func checkBestKnown(_ config: SuiteConfig, prepare: Bool, quiet: Bool) throws {
        var byFile = [String: ModelFile]()
        var models = [String: ModelFile]()
        for instance in config.instances where instance.bestKnown != nil {
            let path = instance.config.modelFile
            if byFile[path] == nil {
                if prepare {
                    byFile[path] = try Comparison.prepareModel(
                        instance.config, notice: { line in if !quiet { standardError(line) } })
                } else if FileManager.default.fileExists(atPath: path) {
                    byFile[path] = try ModelFile.load(from: path)
                }
            }
            models[instance.name] = byFile[path]
        }
        do {
            try Suite.checkBestKnown(config, models: models)
        } catch let error as ConfigurationError {
            throw ConfigurationError(key: "\(config.name): \(error.key)", problem: error.problem)
        }
    }

    static func makeRuns(_ config: SuiteConfig, shard: Suite.Shard, jobs: Int, out: String, quiet: Bool) throws {
        Interruption.install()
        try checkBestKnown(config, prepare: true, quiet: quiet)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let summary = try Suite.run(
                config, shard: shard, jobs: jobs, results: out, registry: CommandLineContext.registry,
                progress: { line in if !quiet { standardError(line) } })
            if !quiet {
                standardError(
                    String(
                        format: "suite %@ shard %@: %d run(s) made, %d already done, %.1f s", config.name,
                        shard.description, summary.made, summary.kept, (clock.now - started).inSeconds))
            }
        } catch SearchStop.interrupted {
            standardError("interrupted: finished runs are kept; run the same command again to continue")
            Foundation.exit(Interruption.exitStatus)
        }
    }

    static func report(_ config: SuiteConfig, out: String, quiet: Bool) throws {
        try checkBestKnown(config, prepare: false, quiet: quiet)
        let (records, missing) = try Suite.records(config, results: out, registry: CommandLineContext.registry)
        guard !records.isEmpty else {
            throw ValidationError("no run of suite \(config.name) is in \(out); make them with `cellwise suite run`")
        }
        let report = SuiteReport(config: config, records: records, partial: !missing.isEmpty)
        let written = try SuiteWriter.write(report, records: records, config: config, results: out)
        print(report.markdown, terminator: "")
        if !quiet {
            standardError(
                "wrote \(written.joined(separator: ", "))"
                    + (missing.isEmpty ? "" : "; \(missing.count) run(s) missing (partial report)"))
        }
    }
}
