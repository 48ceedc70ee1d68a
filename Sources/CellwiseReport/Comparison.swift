import CellwiseCKKS
import CellwiseCore
import CellwiseONNX
import CellwiseSearch
import CellwiseTraining
import Foundation

/// Runs every strategy of a config on equal terms: the same model, validation split, cost
/// model, tolerance and budget; stochastic strategies once per seed.
public enum Comparison {
    /// One run to make.
    public struct RunKey: Sendable, Equatable {
        /// Position in the config's run list.
        public var index: Int
        /// Strategy name.
        public var strategy: String
        /// Seed.
        public var seed: UInt64
    }

    /// The runs of a config, in table order: each strategy in turn, stochastic ones per seed.
    public static func runs(of config: ComparisonConfig, registry: StrategyRegistry = .builtIn) throws -> [RunKey] {
        var keys = [RunKey]()
        for name in config.strategies {
            let type = try registry.strategy(named: name, options: StrategyOptions(config.strategyOptions[name] ?? [:]))
                .type
            for seed in type.isStochastic ? config.seeds : [config.seed] {
                keys.append(RunKey(index: keys.count, strategy: name, seed: seed))
            }
        }
        return keys
    }

    /// Loads the config's model, or makes it (and saves it to the config's model file) when the
    /// file does not exist: trained from the `[training]` section, or imported from `[model] onnx`.
    /// The model returned carries its file's SHA-256 (``ModelFile/fileSHA256``).
    ///
    /// - Parameter notice: Receives one line when the model file is not the one the config's
    ///   results were made from (`[model] sha256`): it names both digests. The model is still used.
    /// - Throws: ``ConfigurationError`` when the cached model was trained on another data set or
    ///   with other `[training]` settings than the config's, or imported from another file (delete
    ///   it to remake it), ``ONNXImportError`` when the ONNX file cannot be imported, and
    ///   ``SearchStop/interrupted`` when Ctrl-C stops the training.
    public static func prepareModel(
        _ config: ComparisonConfig, progress: (Trainer.EpochReport) -> Void = { _ in },
        notice: (String) -> Void = { _ in }
    ) throws -> ModelFile {
        let (file, made) = try loadOrMake(config, progress: progress)
        if let expected = config.modelSha256, let actual = file.fileSHA256, actual != expected {
            let what = made ? "newly \(config.onnxFile == nil ? "trained" : "imported")" : "not the shipped model"
            notice(
                "notice: \(config.modelFile) is \(what) (SHA-256 \(actual); the config's results were made "
                    + "with \(expected)): results will differ from the committed ones "
                    + "(training depends on the BLAS kernel: docs/model-file.md)")
        }
        return file
    }

    private static func loadOrMake(_ config: ComparisonConfig, progress: (Trainer.EpochReport) -> Void) throws
        -> (file: ModelFile, made: Bool)
    {
        if FileManager.default.fileExists(atPath: config.modelFile) {
            let file = try ModelFile.load(from: config.modelFile)
            try check(file, against: config)
            return (file, false)
        }
        if let onnx = config.onnxFile {
            let data = try DatasetSource(argument: config.dataset).load(splitSeed: config.seed)
            let imported = try ONNXImport(contentsOf: onnx, openTimeSteps: data.train.timeSteps)
            let file = ModelFile(
                model: imported.model,
                metadata: try ModelMetadata(
                    measuring: imported.model, on: data, training: nil, epochsRun: 0, bestEpoch: 0),
                provenance: .imported(from: onnx, sha256: imported.sha256))
            return (try file.saved(to: config.modelFile), true)
        }
        guard let training = config.training else {
            throw ConfigurationError(
                key: "model.file",
                problem:
                    "\(config.modelFile) does not exist and the config has no [training] section or [model] onnx "
                    + "file to make it")
        }
        let data = try DatasetSource(argument: config.dataset).load(splitSeed: training.splitSeed)
        let outcome = try Trainer(configuration: training).train(data, progress: progress)
        return (try outcome.file.saved(to: config.modelFile), true)
    }

    /// Refuses a cached model that the config would not have made.
    static func check(_ file: ModelFile, against config: ComparisonConfig) throws {
        guard file.metadata.dataset == config.dataset else {
            throw ConfigurationError(
                key: "model.dataset",
                problem: "is \"\(config.dataset)\" but \(config.modelFile) was trained on \"\(file.metadata.dataset)\"")
        }
        if let onnx = config.onnxFile {
            let digest = SHA256.hex(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: onnx))))
            guard file.provenance.sha256 == digest else {
                throw ConfigurationError(
                    key: "model.onnx",
                    problem:
                        "\(config.modelFile) was not imported from this \(onnx) (SHA-256 differs); delete it to "
                        + "re-import"
                )
            }
        }
        if let training = config.training, file.metadata.training != training {
            let changed = TrainingConfiguration.differences(training, file.metadata.training)
            throw ConfigurationError(
                key: "training",
                problem:
                    "\(config.modelFile) was trained with other settings (\(changed.joined(separator: ", "))); delete "
                    + "it to retrain with the config's"
            )
        }
    }

    /// The search problem of a config on `file`: one definition shared with `cellwise search`.
    public static func problem(_ config: ComparisonConfig, model file: ModelFile) throws -> SearchProblem {
        let data = try DatasetSource(argument: config.dataset).load(splitSeed: file.metadata.splitSeed)
        let approximations = try ApproximationLibrary.observing(
            model: file.model, split: data.split(config.fitSplit ?? .train), lower: config.interval[0],
            upper: config.interval[1])
        let costModel = CostModel(
            profile: try CostProfile.named(config.profile), depthRule: config.depthRule, shapeOf: file.model)
        var training = Fingerprint()
        training.combine(
            (try? JSONEncoder.cellwise.encode(config.training)).map { String(decoding: $0, as: UTF8.self) } ?? "none")
        return try SearchProblem(
            model: file, dataset: data, approximations: approximations, costModel: costModel,
            placement: config.placement,
            space: try SearchSpace(layout: file.model.sites, candidates: config.searchCandidates()),
            tolerance: config.tolerance,
            budget: try Budget(evaluations: config.budget, seconds: config.budgetSeconds),
            reference: config.reference ?? .highest, acceptance: config.acceptance ?? .plain,
            extraFingerprints: ["training": training.value])
    }

    /// Runs the comparison.
    ///
    /// - Parameters:
    ///   - registry: The strategies the config may name.
    ///   - jobs: Runs made at the same time (each with its own evaluator; the cores are shared).
    ///     Results do not depend on it.
    ///   - onEvaluation: Called from the job threads after every evaluation of a run.
    ///   - onRunFinished: Called from the job threads when a run ends.
    ///   - traces: A directory receiving each run's ``TraceLog`` (`<strategy>-seed<seed>.jsonl`) as it runs.
    ///   - resume: Continue the runs whose traces are in `traces` instead of starting them again.
    ///   - only: Make only the runs with these indices (a suite's shard); the record holds those.
    ///   - onRecord: Called from the job threads when a run ends, with a record of that run alone
    ///     (what a suite keeps per run).
    public static func run(
        _ config: ComparisonConfig, model file: ModelFile, registry: StrategyRegistry = .builtIn, jobs: Int = 1,
        traces: String? = nil, resume: Bool = false, only: Set<Int>? = nil,
        onEvaluation: (@Sendable (RunKey, TraceEntry) -> Void)? = nil,
        onRunFinished: (@Sendable (RunKey, ComparisonRecord.RunRecord) -> Void)? = nil,
        onRecord: (@Sendable (RunKey, ComparisonRecord) throws -> Void)? = nil
    ) throws -> ComparisonRecord {
        let clock = ContinuousClock()
        let started = clock.now
        let problem = try self.problem(config, model: file)
        let space = problem.space
        let keys = try runs(of: config, registry: registry).filter { only?.contains($0.index) ?? true }
        guard !keys.isEmpty else { throw ConfigurationError(key: "runs", problem: "no run of \(config.name) selected") }
        let jobs = max(1, min(jobs, keys.count))
        let threadsPerJob = max(1, defaultWorkerCount / jobs)

        // The reference, measured once for the record: scored as the searches score it.
        let data = problem.dataset
        let validation = try problem.searchOracle()
        let test = try PlanEvaluator(
            model: file.model, split: data.test, approximations: problem.approximations, cachedPlans: 0)
        let referenceCost = try problem.costModel.cost(of: space.reference, placement: config.placement)
        let reference = PlanRecord(
            PlanScore(
                plan: space.reference, accuracy: try validation.accuracy(of: space.reference),
                latencySeconds: referenceCost.latencySeconds, bootstraps: referenceCost.bootstraps),
            testAccuracy: try test.accuracy(of: space.reference), candidates: space.candidates)

        let collector = RunCollector(count: (keys.map(\.index).max() ?? 0) + 1)
        let options = config.strategyOptions
        let box = UncheckedSendable(problem)
        let summary = ComparisonRecord.ModelSummary(
            file: config.modelFile, sha256: file.fileSHA256, dataset: config.dataset,
            splitSeed: file.metadata.splitSeed,
            validationSamples: data.validation.count, testSamples: data.test.count,
            validationAccuracyTanh: file.metadata.validationAccuracy, testAccuracyTanh: file.metadata.testAccuracy,
            searchAccuracyTanh: problem.acceptance.split == .validation ? nil : problem.baselineAccuracy)
        func makeRecord(of runs: [ComparisonRecord.RunRecord], seconds: Double) -> ComparisonRecord {
            ComparisonRecord(
                cellwiseVersion: CellwiseVersion.current, config: config, machine: .current, model: summary,
                reference: reference, runs: runs, totalSeconds: seconds, partial: Interruption.isRequested)
        }
        parallelFor(workers: jobs) { worker in
            for (position, key) in keys.enumerated() where position % jobs == worker {
                do {
                    let tracePath = traces.map {
                        URL(fileURLWithPath: $0).appendingPathComponent("\(key.strategy)-seed\(key.seed).jsonl").path
                    }
                    let result = try box.value.run(
                        strategy: key.strategy, options: StrategyOptions(options[key.strategy] ?? [:]), seed: key.seed,
                        registry: registry, workers: threadsPerJob, tracePath: tracePath, resume: resume,
                        onEvaluation: { entry in onEvaluation?(key, entry) })
                    let run = record(
                        result, candidates: space.candidates, tolerance: config.tolerance,
                        baseline: box.value.baselineAccuracy)
                    collector.store(run, at: key.index)
                    onRunFinished?(key, run)
                    if !run.partial { try onRecord?(key, makeRecord(of: [run], seconds: run.wallSeconds)) }
                } catch SearchStop.interrupted {
                    // Not even the reference was measured: the run is missing from a partial record.
                } catch {
                    collector.fail(error)
                }
            }
        }
        if let error = collector.error { throw error }
        return makeRecord(of: collector.records.compactMap { $0 }, seconds: (clock.now - started).inSeconds)
    }

    static func record(_ result: SearchResult, candidates: [Candidate], tolerance: Tolerance, baseline: Double? = nil)
        -> ComparisonRecord.RunRecord
    {
        let reference = result.reference.score
        return .init(
            strategy: result.strategy, seed: result.seed, evaluations: result.evaluations,
            wallSeconds: result.wallSeconds,
            budgetExhausted: result.budgetExhausted, partial: result.interrupted,
            best: .init(result.best.score, testAccuracy: result.best.testAccuracy, candidates: candidates),
            pareto: result.pareto.map { .init($0, candidates: candidates) },
            hypervolume: ParetoFront.hypervolume(
                of: result.pareto, accuracyFloor: tolerance.threshold(reference: baseline ?? reference.accuracy),
                latencyCeiling: reference.latencySeconds),
            accepted: result.accepted.map(\.description),
            trace: result.trace.map(TraceRecord.init))
    }
}

/// Collects run records from job threads.
private final class RunCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var records: [ComparisonRecord.RunRecord?]
    private(set) var error: (any Error)?

    init(count: Int) { records = Array(repeating: nil, count: count) }

    func store(_ record: ComparisonRecord.RunRecord, at index: Int) {
        lock.lock()
        records[index] = record
        lock.unlock()
    }

    func fail(_ error: any Error) {
        lock.lock()
        if self.error == nil { self.error = error }
        lock.unlock()
    }
}
