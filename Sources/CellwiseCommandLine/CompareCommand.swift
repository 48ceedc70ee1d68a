import ArgumentParser
import Cellwise
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run every strategy of a config on equal terms and write tables, plots and a notebook.",
        discussion: """
            Loads the config's model (training and caching it when the file is missing), runs each
            strategy with the same budget, evaluator, cost model and tolerance (stochastic ones once
            per seed), prints the Markdown table and writes results/<name>/ (comparison.md, .csv,
            .tex, run.json, pareto.svg, cells.svg and the notebook <name>.ipynb).

            Example:
              cellwise compare --config configs/paper-mnist5k.toml
              cellwise compare --config configs/fashion.toml --jobs 2
            """)

    @Option(help: "A comparison config (.toml), see configs/README.md.")
    var config: String

    @Option(help: "Directory that receives <name>/ (tables, plots, run.json and the notebook <name>.ipynb).")
    var out: String = "results"

    @Option(parsing: .unconditional, help: "Runs made at the same time (results do not depend on it).")
    var jobs: Int = 1

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @Flag(help: "Continue an interrupted comparison from its traces (<out>/<name>/traces/).")
    var resume = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    /// The config's model, trained or imported when missing, with progress and notices on stderr.
    private func prepareModel(_ config: ComparisonConfig) throws -> ModelFile {
        try Comparison.prepareModel(
            config,
            progress: { report in
                guard !quiet else { return }
                standardError(
                    String(
                        format: "  epoch %3d  val_loss %.4f  val_acc %.4f", report.epoch, report.validationLoss,
                        report.validationAccuracy))
            }, notice: { standardError($0) })
    }

    func run() throws {
        Interruption.install()
        let registry = CommandLineContext.registry
        let config = try ComparisonConfig(contentsOf: self.config, registry: registry)
        let traces = URL(fileURLWithPath: out).appendingPathComponent(config.name).appendingPathComponent("traces").path
        try FileManager.default.createDirectory(atPath: traces, withIntermediateDirectories: true)
        let keys = try Comparison.runs(of: config, registry: registry)
        let model: ModelFile
        if !FileManager.default.fileExists(atPath: config.modelFile), !quiet {
            if let onnx = config.onnxFile {
                standardError("\(config.modelFile) does not exist: importing it from \(onnx) (\(config.dataset))")
            } else {
                standardError(
                    "\(config.modelFile) does not exist: training it (\(config.dataset), seed "
                        + "\(config.training?.seed ?? config.seed))"
                )
            }
        }
        do {
            model = try prepareModel(config)
        } catch let error as ConfigurationError {
            // The config's own keys: name the file they are in.
            throw ConfigurationError(key: "\(self.config): \(error.key)", problem: error.problem)
        }
        let progress = ComparisonProgress(keys: keys, budget: config.budget, enabled: !quiet)
        let record = try Comparison.run(
            config, model: model, registry: registry, jobs: jobs, traces: traces, resume: resume,
            onEvaluation: { key, entry in progress.update(key, entry) },
            onRunFinished: { key, _ in progress.finish(key) })
        progress.close()
        let written = try ComparisonWriter.write(record, resultsDirectory: out)
        print(ComparisonTable(record).markdown, terminator: "")
        if record.partial {
            standardError("interrupted: the files above hold partial results; continue with --resume")
            Foundation.exit(Interruption.exitStatus)
        }
        // Complete: run.json holds every trace, the per-run logs are no longer needed.
        try? FileManager.default.removeItem(atPath: traces)
        if !quiet {
            let here = FileManager.default.currentDirectoryPath + "/"
            let names = written.map { $0.hasPrefix(here) ? String($0.dropFirst(here.count)) : $0 }
            standardError(
                String(
                    format: "%d runs in %.1f s; wrote %@", record.runs.count, record.totalSeconds,
                    names.joined(separator: ", ")))
        }
    }
}

/// Progress of a comparison on standard error: on a terminal one bar per run, redrawn in place;
/// in a pipe a summary line every five seconds.
final class ComparisonProgress: @unchecked Sendable {
    private let keys: [Comparison.RunKey]
    private let budget: Int
    private let enabled: Bool
    private let terminal = isatty(2) != 0
    private let lock = NSLock()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var last: ContinuousClock.Instant
    private var done: [Int]
    private var finished: Set<Int> = []
    private var firstSeen: [Int: ContinuousClock.Instant] = [:]
    private var drawn = 0

    init(keys: [Comparison.RunKey], budget: Int, enabled: Bool) {
        self.keys = keys
        self.budget = budget
        self.enabled = enabled
        done = Array(repeating: 0, count: keys.count)
        start = clock.now
        last = start
    }

    func update(_ key: Comparison.RunKey, _ entry: TraceEntry) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if firstSeen[key.index] == nil { firstSeen[key.index] = clock.now }
        done[key.index] = entry.index
        render(force: false)
    }

    func finish(_ key: Comparison.RunKey) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        finished.insert(key.index)
        render(force: true)
    }

    func close() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        render(force: true)
    }

    private func line(_ index: Int) -> String {
        let key = keys[index]
        let count = done[index]
        let width = 24
        let filled = finished.contains(index) ? width : min(width, count * width / max(budget, 1))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var rate = 0.0
        if let first = firstSeen[index] { rate = Double(count) / max((clock.now - first).inSeconds, 1e-6) }
        let status =
            finished.contains(index)
            ? "done"
            : (count == 0
                ? "waiting" : String(format: "%.0f/s, ~%.0f s left", rate, Double(budget - count) / max(rate, 1e-6)))
        return String(format: "%-10@ seed %-4llu [%@] %5d/%d  %@", key.strategy, key.seed, bar, count, budget, status)
    }

    private func render(force: Bool) {
        let now = clock.now
        if terminal {
            guard force || now - last >= .milliseconds(200) else { return }
            last = now
            var text = drawn > 0 ? "\u{1B}[\(drawn)A" : ""
            for index in keys.indices { text += "\u{1B}[2K" + line(index) + "\n" }
            drawn = keys.count
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            guard now - last >= .seconds(5) || (force && finished.count == keys.count && drawn == 0) else { return }
            last = now
            if finished.count == keys.count { drawn = 1 }
            let active = keys.indices.filter { !finished.contains($0) && done[$0] > 0 }.map {
                "\(keys[$0].strategy)#\(keys[$0].seed) \(done[$0])/\(budget)"
            }
            standardError(
                String(format: "compare: %d/%d runs done, %.0f s", finished.count, keys.count, (now - start).inSeconds)
                    + (active.isEmpty ? "" : "; running " + active.joined(separator: ", ")))
        }
    }
}
