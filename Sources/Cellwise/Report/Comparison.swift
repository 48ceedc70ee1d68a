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
    public static func runs(of config: ComparisonConfig) throws -> [RunKey] {
        var keys = [RunKey]()
        for name in config.strategies {
            let type = try StrategyRegistry.strategy(named: name)
            for seed in type.isStochastic ? config.seeds : [config.seed] {
                keys.append(RunKey(index: keys.count, strategy: name, seed: seed))
            }
        }
        return keys
    }

    /// Loads the config's model, or trains it (and saves it to the config's model file) when the
    /// file does not exist and the config has a training section.
    public static func prepareModel(_ config: ComparisonConfig, progress: (Trainer.EpochReport) -> Void = { _ in }) throws -> ModelFile {
        if FileManager.default.fileExists(atPath: config.modelFile) {
            return try ModelFile.load(from: config.modelFile)
        }
        guard let training = config.training else {
            throw ConfigurationError(key: "model.file", problem: "\(config.modelFile) does not exist and the config has no [training] section to make it")
        }
        let data = try DatasetSource(argument: config.dataset).load(splitSeed: training.splitSeed)
        let outcome = try Trainer(configuration: training).train(data, progress: progress)
        try outcome.file.save(to: config.modelFile)
        return outcome.file
    }

    /// Runs the comparison.
    ///
    /// - Parameters:
    ///   - jobs: Runs made at the same time (each with its own evaluator; the cores are shared).
    ///     Results do not depend on it.
    ///   - onEvaluation: Called from the job threads after every evaluation of a run.
    ///   - onRunFinished: Called from the job threads when a run ends.
    ///   - traces: A directory receiving each run's ``TraceLog`` (`<strategy>-seed<seed>.jsonl`) as it runs.
    ///   - resume: Continue the runs whose traces are in `traces` instead of starting them again.
    public static func run(_ config: ComparisonConfig, model file: ModelFile, jobs: Int = 1,
                           traces: String? = nil, resume: Bool = false,
                           onEvaluation: (@Sendable (RunKey, TraceEntry) -> Void)? = nil,
                           onRunFinished: (@Sendable (RunKey, ComparisonRecord.RunRecord) -> Void)? = nil) throws -> ComparisonRecord {
        let clock = ContinuousClock()
        let started = clock.now
        let data = try DatasetSource(argument: config.dataset).load(splitSeed: file.metadata.splitSeed)
        let approximations = try ApproximationLibrary(lower: config.interval[0], upper: config.interval[1])
        let costModel = CostModel(profile: try CostProfile.named(config.profile), depthRule: config.depthRule,
                                  inputSize: file.model.inputSize, units: file.model.units, classes: file.model.classes)
        let space = try SearchSpace(cells: file.model.timeSteps, degrees: config.degrees)
        let tolerance = config.tolerance
        let budget = try Budget(evaluations: config.budget, seconds: config.budgetSeconds)
        let keys = try runs(of: config)
        let jobs = max(1, min(jobs, keys.count))
        let threadsPerJob = max(1, defaultWorkerCount / jobs)

        // The reference, measured once for the record.
        let validation = try PlanEvaluator(model: file.model, split: data.validation, approximations: approximations, cachedPlans: 0)
        let test = try PlanEvaluator(model: file.model, split: data.test, approximations: approximations, cachedPlans: 0)
        let referenceCost = try costModel.cost(of: space.reference, placement: config.placement)
        let reference = ComparisonRecord.PlanRecord(
            PlanScore(plan: space.reference, accuracy: try validation.accuracy(of: space.reference),
                      latencySeconds: referenceCost.latencySeconds, bootstraps: referenceCost.bootstraps),
            testAccuracy: try test.accuracy(of: space.reference), degrees: space.degrees)

        let collector = RunCollector(count: keys.count)
        let modelFingerprint = "\(fingerprint((try? JSONEncoder.cellwise.encode(file.metadata)) ?? Data()))"
            + " \(fingerprint(Data(file.model.recurrentKernel.flatMap { withUnsafeBytes(of: $0.bitPattern) { Array($0) } })))"
            + " \(config.dataset) \(file.metadata.splitSeed) \(config.interval[0]) \(config.interval[1])"
        let model = file.model
        let placement = config.placement
        let options = config.strategyOptions
        parallelFor(workers: jobs) { worker in
            for key in keys where key.index % jobs == worker {
                do {
                    var setup = Search.Setup(
                        oracle: try PlanEvaluator(model: model, split: data.validation, approximations: approximations, workers: threadsPerJob),
                        testOracle: try PlanEvaluator(model: model, split: data.test, approximations: approximations,
                                                      workers: threadsPerJob, cachedPlans: 0),
                        space: space, costModel: costModel, placement: placement, tolerance: tolerance, budget: budget, seed: key.seed)
                    var log: TraceLog? = nil
                    if let traces {
                        let path = URL(fileURLWithPath: traces).appendingPathComponent("\(key.strategy)-seed\(key.seed).jsonl").path
                        let header = TraceLog.Header(strategy: key.strategy, options: options[key.strategy] ?? [:], setup: setup,
                                                     model: modelFingerprint)
                        if resume, FileManager.default.fileExists(atPath: path) {
                            let resumed = try TraceLog.resume(path, header: header)
                            setup.replay = resumed.entries
                            log = resumed.log
                        } else {
                            log = try TraceLog(creating: path, header: header)
                        }
                    }
                    let result = try Search.run(strategy: key.strategy, options: StrategyOptions(options[key.strategy] ?? [:]),
                                                setup: setup) { entry in
                        log?.append(entry)
                        onEvaluation?(key, entry)
                    }
                    let run = record(result, degrees: space.degrees, tolerance: tolerance)
                    collector.store(run, at: key.index)
                    onRunFinished?(key, run)
                } catch SearchStop.interrupted {
                    // Not even the reference was measured: the run is missing from a partial record.
                } catch {
                    collector.fail(error)
                }
            }
        }
        if let error = collector.error { throw error }
        return ComparisonRecord(
            cellwiseVersion: Cellwise.version, config: config, machine: .current,
            model: .init(file: config.modelFile, dataset: config.dataset, splitSeed: file.metadata.splitSeed,
                         validationSamples: data.validation.count, testSamples: data.test.count,
                         validationAccuracyTanh: file.metadata.validationAccuracy, testAccuracyTanh: file.metadata.testAccuracy),
            reference: reference, runs: collector.records.compactMap { $0 },
            totalSeconds: (clock.now - started).inSeconds, partial: Interruption.isRequested)
    }

    static func record(_ result: SearchResult, degrees: [Int], tolerance: Tolerance) -> ComparisonRecord.RunRecord {
        let reference = result.reference.score
        return .init(
            strategy: result.strategy, seed: result.seed, evaluations: result.evaluations, wallSeconds: result.wallSeconds,
            budgetExhausted: result.budgetExhausted, partial: result.interrupted,
            best: .init(result.best.score, testAccuracy: result.best.testAccuracy, degrees: degrees),
            pareto: result.pareto.map { .init($0, degrees: degrees) },
            hypervolume: ParetoFront.hypervolume(of: result.pareto, accuracyFloor: tolerance.threshold(reference: reference.accuracy),
                                                 latencyCeiling: reference.latencySeconds),
            accepted: result.accepted.map(\.description),
            trace: result.trace.map(ComparisonRecord.TraceRecord.init))
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

extension MachineDescription {
    /// This machine.
    public static var current: MachineDescription {
        let info = ProcessInfo.processInfo
        var processor = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            processor = name.trimmingCharacters(in: .whitespaces)
        }
        return MachineDescription(system: info.operatingSystemVersionString, processor: processor, cores: info.activeProcessorCount,
                                  memoryGiB: (Double(info.physicalMemory) / Double(1 << 30) * 10).rounded() / 10)
    }
}
