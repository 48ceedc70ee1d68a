import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import Foundation

/// Runs a suite's runs as independent jobs and merges them.
///
/// Every run writes one file, `runs/<instance>/<strategy>-seed<seed>.json` under the suite's
/// directory (a comparison record holding that run alone), atomically and only when it is
/// complete; a run interrupted half way leaves its trace in `runs/<instance>/traces/` and
/// continues from it. So the runs can be spread over shards (`--shard i/n`), machines and job
/// schedulers in any way, and merging the files gives the same records as one machine would
/// (apart from timing fields).
public enum Suite {
    /// A share of a suite's runs: those whose index is `index` modulo `count`.
    public typealias Shard = CellwiseCore.Shard

    /// What a call of ``run(_:shard:jobs:results:registry:progress:)`` did.
    public struct RunSummary: Sendable, Equatable {
        /// Runs made now.
        public var made: Int
        /// Runs of the shard already on disk.
        public var kept: Int
    }

    /// The suite's directory under `results`: `<results>/suites/<name>`.
    public static func directory(of config: SuiteConfig, results: String) -> URL {
        URL(fileURLWithPath: results).appendingPathComponent("suites").appendingPathComponent(config.name)
    }

    /// The file of one run.
    public static func file(of run: SuiteRun, _ config: SuiteConfig, results: String) -> URL {
        directory(of: config, results: results).appendingPathComponent("runs").appendingPathComponent(run.instance)
            .appendingPathComponent(run.fileName)
    }

    /// Makes the shard's runs that have no file yet, instance by instance (training or importing
    /// an instance's model when its file is missing).
    ///
    /// Processes may share the suite's folder (shards, or the same command started twice): a
    /// run is made under a lock of its own (`runs/<instance>/locks/`), so two processes never make
    /// the same run or write the same trace; a run another process holds is waited for, and made
    /// here only if that process ended without finishing it.
    ///
    /// - Parameter progress: Called with one line per finished run and per instance started.
    public static func run(
        _ config: SuiteConfig, shard: Shard = .all, jobs: Int = 1, results: String,
        registry: StrategyRegistry = .builtIn, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> RunSummary {
        let runs = try config.runs(registry: registry).filter(shard.contains)
        var summary = RunSummary(made: 0, kept: 0)
        for instance in config.instances {
            let mine = runs.filter { $0.instance == instance.name }
            func done(_ run: SuiteRun) -> Bool {
                FileManager.default.fileExists(atPath: file(of: run, config, results: results).path)
            }
            var left = mine.filter { !done($0) }
            summary.kept += mine.count - left.count
            guard !left.isEmpty else { continue }
            progress("\(instance.name): \(left.count) run(s)")
            let folder = directory(of: config, results: results).appendingPathComponent("runs")
                .appendingPathComponent(instance.name)
            let traces = folder.appendingPathComponent("traces")
            let locks = folder.appendingPathComponent("locks")
            try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: locks, withIntermediateDirectories: true)
            var model: ModelFile?
            var waitForOthers = false
            while !left.isEmpty {
                // Take the runs no other process is making (then, on later passes, wait for the rest).
                var held = [FileLock]()
                var todo = [SuiteRun]()
                for run in left {
                    let path = locks.appendingPathComponent(run.fileName + ".lock").path
                    guard let lock = try FileLock(path, wait: waitForOthers) else { continue }
                    if done(run) { continue }  // finished by the other process meanwhile
                    held.append(lock)
                    todo.append(run)
                }
                if !todo.isEmpty {
                    let prepared = try model ?? Comparison.prepareModel(instance.config, notice: progress)
                    model = prepared
                    summary.made += try make(
                        todo, of: instance, model: prepared, folder: folder, jobs: jobs,
                        registry: registry, progress: progress)
                }
                for lock in held { lock.release() }
                let before = left.count
                left = left.filter { !done($0) }
                summary.kept += before - left.count - todo.count
                waitForOthers = true
            }
        }
        return summary
    }

    /// Makes `todo` (runs of one instance), writing each run's file as it completes.
    private static func make(
        _ todo: [SuiteRun], of instance: SuiteConfig.Instance, model: ModelFile, folder: URL, jobs: Int,
        registry: StrategyRegistry, progress: @escaping @Sendable (String) -> Void
    ) throws -> Int {
        let traces = folder.appendingPathComponent("traces")
        let counter = Counter()
        let record = try Comparison.run(
            instance.config, model: model, registry: registry, jobs: jobs, traces: traces.path, resume: true,
            only: Set(todo.map(\.key.index)),
            onRecord: { key, record in
                let name = "\(key.strategy)-seed\(key.seed)"
                try AtomicFile.write(
                    Data(try ComparisonWriter.runJSON(record).utf8),
                    to: folder.appendingPathComponent("\(name).json").path)
                try? FileManager.default.removeItem(at: traces.appendingPathComponent("\(name).jsonl"))
                counter.add()
                let best = record.runs[0].best
                let latency = String(format: "%.2f", best.latencySeconds)
                progress(
                    "\(instance.name) \(key.strategy) seed \(key.seed): \(latency) s, \(best.bootstraps) bootstraps")
            })
        if record.partial { throw SearchStop.interrupted }
        return counter.value
    }

    /// Checks every instance's best known plan against its model: `best_plan` must read with the
    /// model's sites, use only the instance's candidates, and cost `best_latency` under the
    /// instance's cost model (within a millisecond: the file rounds to 0.1 ms). A gap is measured
    /// against that latency, so a wrong entry would make every gap of the instance wrong.
    ///
    /// - Parameter models: Each instance's model (by instance name).
    /// - Throws: ``ConfigurationError`` naming the instance's key and the disagreement.
    public static func checkBestKnown(_ config: SuiteConfig, models: [String: ModelFile]) throws {
        for (index, instance) in config.instances.enumerated() {
            guard let best = instance.bestKnown, let file = models[instance.name] else { continue }
            let key = "instances[\(index)] (\(instance.name))"
            let model = file.model
            let plan: ActivationPlan
            do {
                plan = try ActivationPlan(parsing: best.plan, layout: model.sites)
            } catch {
                throw ConfigurationError(
                    key: "\(key).best_plan",
                    problem: "\"\(best.plan)\" is not a plan of \(instance.config.modelFile): \(error)")
            }
            let space = try SearchSpace(layout: model.sites, candidates: instance.config.searchCandidates())
            if let outside = plan.activations.first(where: { activation in
                !space.candidates.contains { $0 == activation.candidate?.with(function: .tanh) }
            }) {
                throw ConfigurationError(
                    key: "\(key).best_plan",
                    problem: "uses \(outside), which is not among the instance's candidates "
                        + "(\(space.candidates.map(\.description).joined(separator: ", ")))")
            }
            let costModel = CostModel(
                profile: try CostProfile.named(instance.config.profile), depthRule: instance.config.depthRule,
                shapeOf: model)
            let price = try costModel.cost(of: plan, placement: instance.config.placement).latencySeconds
            guard abs(price - best.latencySeconds) <= 1e-3 else {
                throw ConfigurationError(
                    key: "\(key).best_latency",
                    problem: "is \(best.latencySeconds) s, but the instance's cost model (\(instance.config.profile), "
                        + "\(instance.config.placement.rawValue) placement) prices best_plan at "
                        + String(format: "%.4f s", price))
            }
        }
    }

    /// Each instance's comparison record merged from its run files (nil when none is on disk),
    /// and the runs missing.
    ///
    /// - Throws: ``DataError`` naming a run file that does not read or was made with another
    ///   config than the suite's instance (delete it to make it again).
    public static func records(_ config: SuiteConfig, results: String, registry: StrategyRegistry = .builtIn)
        throws -> (records: [String: ComparisonRecord], missing: [SuiteRun])
    {
        var records = [String: ComparisonRecord]()
        var missing = [SuiteRun]()
        for instance in config.instances {
            var merged: ComparisonRecord?
            var runs = [ComparisonRecord.RunRecord]()
            for run in try config.runs(registry: registry) where run.instance == instance.name {
                let path = file(of: run, config, results: results).path
                guard FileManager.default.fileExists(atPath: path) else {
                    missing.append(run)
                    continue
                }
                let record = try ComparisonWriter.read(path, allowingSingleRun: true)
                guard record.config == instance.config else {
                    throw DataError(
                        path, "was made with another config than \(instance.file) in this suite; delete it",
                        reason: .conflict)
                }
                guard record.runs.count == 1, record.runs[0].strategy == run.key.strategy,
                    record.runs[0].seed == run.key.seed, !record.runs[0].partial
                else {
                    throw DataError(path, "is not the complete run \(run.key.strategy) seed \(run.key.seed)")
                }
                if let merged, merged.reference != record.reference || merged.model != record.model {
                    throw DataError(
                        path, "measures another reference or model than the instance's other runs", reason: .conflict)
                }
                merged = merged ?? record
                runs.append(record.runs[0])
            }
            if var record = merged {
                record.runs = runs
                record.totalSeconds = runs.reduce(0) { $0 + $1.wallSeconds }
                record.partial = runs.count < (try Comparison.runs(of: instance.config, registry: registry)).count
                records[instance.name] = record
            }
        }
        return (records, missing)
    }
}

/// Counts from job threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
    func add() {
        lock.lock()
        count += 1
        lock.unlock()
    }
}

extension Shard {
    /// Whether the run with this index is in the shard.
    public func contains(_ run: SuiteRun) -> Bool { contains(index: run.index) }
}
