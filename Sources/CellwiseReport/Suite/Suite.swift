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
    /// - Parameter progress: Called with one line per finished run and per instance started.
    public static func run(
        _ config: SuiteConfig, shard: Shard = .all, jobs: Int = 1, results: String,
        registry: StrategyRegistry = .builtIn, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> RunSummary {
        let runs = try config.runs(registry: registry).filter(shard.contains)
        var summary = RunSummary(made: 0, kept: 0)
        for instance in config.instances {
            let mine = runs.filter { $0.instance == instance.name }
            let todo = mine.filter {
                !FileManager.default.fileExists(atPath: file(of: $0, config, results: results).path)
            }
            summary.kept += mine.count - todo.count
            guard !todo.isEmpty else { continue }
            progress("\(instance.name): \(todo.count) run(s)")
            let folder = directory(of: config, results: results).appendingPathComponent("runs")
                .appendingPathComponent(instance.name)
            let traces = folder.appendingPathComponent("traces")
            try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
            let model = try Comparison.prepareModel(instance.config)
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
                        "\(instance.name) \(key.strategy) seed \(key.seed): \(latency) s, \(best.bootstraps) bootstraps"
                    )
                })
            summary.made += counter.value
            if record.partial { throw SearchStop.interrupted }
        }
        return summary
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
                let record = try ComparisonWriter.read(path)
                guard record.config == instance.config else {
                    throw DataError(path, "was made with another config than \(instance.file) in this suite; delete it")
                }
                guard record.runs.count == 1, record.runs[0].strategy == run.key.strategy,
                    record.runs[0].seed == run.key.seed, !record.runs[0].partial
                else {
                    throw DataError(path, "is not the complete run \(run.key.strategy) seed \(run.key.seed)")
                }
                if let merged, merged.reference != record.reference || merged.model != record.model {
                    throw DataError(path, "measures another reference or model than the instance's other runs")
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
