import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTraining

/// Everything a comparison produced: the content of `run.json`, from which every table, plot and
/// notebook can be regenerated (`cellwise export`).
///
/// Fields that are timings or describe the machine are grouped under names ending in `seconds`
/// or under `machine`; everything else is identical for the same config and seeds.
public struct ComparisonRecord: Codable, Sendable, Equatable {
    /// The format name.
    public var format = "cellwise-comparison"
    /// The format version this build writes (it reads 1 and 2).
    public static let currentVersion = 2
    /// The versions this build reads: version 1 files (Cellwise 0.1) lack the `partial` fields.
    public static let readableVersions = 1...2

    /// The format version.
    public var version = ComparisonRecord.currentVersion
    /// The Cellwise version that made it.
    public var cellwiseVersion: String
    /// The config, as read.
    public var config: ComparisonConfig
    /// The machine the runs were made on.
    public var machine: MachineDescription
    /// The model searched.
    public var model: ModelSummary
    /// The all-highest reference plan.
    public var reference: PlanRecord
    /// One entry per (strategy, seed).
    public var runs: [RunRecord]
    /// Wall time of the whole comparison (timing).
    public var totalSeconds: Double
    /// Whether the comparison was interrupted: some runs are missing or partial.
    public var partial: Bool = false

    /// The model and data behind a comparison.
    public struct ModelSummary: Codable, Sendable, Equatable {
        /// The model file.
        public var file: String
        /// The SHA-256 of the model file's bytes (absent in files written before Cellwise recorded it).
        public var sha256: String? = nil
        /// Its data set.
        public var dataset: String
        /// Its split seed.
        public var splitSeed: UInt64
        /// Validation samples (the searches' split).
        public var validationSamples: Int
        /// Test samples.
        public var testSamples: Int
        /// Validation accuracy with exact tanh.
        public var validationAccuracyTanh: Double
        /// Test accuracy with exact tanh.
        public var testAccuracyTanh: Double
        /// With ``ComparisonConfig/reference`` `exact` and an acceptance rule scoring plans on
        /// other images than the validation split: the exact model's score there (nil otherwise).
        public var searchAccuracyTanh: Double? = nil
    }

    /// One run of one strategy with one seed.
    public struct RunRecord: Codable, Sendable, Equatable {
        /// Strategy name.
        public var strategy: String
        /// Seed of the strategy's generator.
        public var seed: UInt64
        /// Evaluations spent.
        public var evaluations: Int
        /// Wall time of the search (timing).
        public var wallSeconds: Double
        /// Whether the budget ended it.
        public var budgetExhausted: Bool
        /// Whether an interruption ended it (its figures are partial; absent in version 1 files).
        public var partial: Bool = false
        /// The best plan.
        public var best: PlanRecord
        /// Its non-dominated plans, by latency.
        public var pareto: [PlanRecord]
        /// Hypervolume of its front (see ``ComparisonTable``).
        public var hypervolume: Double
        /// Accepted plans, in text form.
        public var accepted: [String]
        /// Every evaluation.
        public var trace: [TraceRecord]
    }
}

extension ComparisonRecord {
    private enum CodingKeys: String, CodingKey {
        case format, version, cellwiseVersion, config, machine, model, reference, runs, totalSeconds, partial
    }

    /// Decodes version 2, and version 1 (written before `partial` existed: false).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        version = try container.decode(Int.self, forKey: .version)
        cellwiseVersion = try container.decode(String.self, forKey: .cellwiseVersion)
        config = try container.decode(ComparisonConfig.self, forKey: .config)
        machine = try container.decode(MachineDescription.self, forKey: .machine)
        model = try container.decode(ModelSummary.self, forKey: .model)
        reference = try container.decode(PlanRecord.self, forKey: .reference)
        runs = try container.decode([RunRecord].self, forKey: .runs)
        totalSeconds = try container.decode(Double.self, forKey: .totalSeconds)
        partial =
            version >= 2
            ? try container.decode(Bool.self, forKey: .partial)
            : try container.decodeIfPresent(Bool.self, forKey: .partial) ?? false
    }
}

extension ComparisonRecord.RunRecord {
    private enum CodingKeys: String, CodingKey {
        case strategy, seed, evaluations, wallSeconds, budgetExhausted, partial, best, pareto, hypervolume, accepted,
            trace
    }

    /// Decodes a run; `partial` is absent in version 1 files (false).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        strategy = try container.decode(String.self, forKey: .strategy)
        seed = try container.decode(UInt64.self, forKey: .seed)
        evaluations = try container.decode(Int.self, forKey: .evaluations)
        wallSeconds = try container.decode(Double.self, forKey: .wallSeconds)
        budgetExhausted = try container.decode(Bool.self, forKey: .budgetExhausted)
        partial = try container.decodeIfPresent(Bool.self, forKey: .partial) ?? false
        best = try container.decode(PlanRecord.self, forKey: .best)
        pareto = try container.decode([PlanRecord].self, forKey: .pareto)
        hypervolume = try container.decode(Double.self, forKey: .hypervolume)
        accepted = try container.decode([String].self, forKey: .accepted)
        trace = try container.decode([TraceRecord].self, forKey: .trace)
    }
}

extension ComparisonRecord {
    /// Checks that the record is whole: every run's trace holds its evaluations numbered 1...n and
    /// its best plan, no run appears twice, and (unless the record says it is partial) it holds
    /// every run `expected` lists. A `run.json` cut short or edited fails.
    ///
    /// - Parameter expected: The runs the config makes (strategy and seed); nil: not checked.
    /// - Returns: The first problem, or nil.
    public func incompleteness(expected: [(strategy: String, seed: UInt64)]?) -> String? {
        var seen = Set<String>()
        for run in runs {
            let name = "run \(run.strategy) seed \(run.seed)"
            guard seen.insert("\(run.strategy)#\(run.seed)").inserted else { return "\(name) appears twice" }
            guard config.strategies.contains(run.strategy) else {
                return "\(name): \(run.strategy) is not among the config's strategies"
            }
            guard run.trace.count == run.evaluations else {
                return "\(name) records \(run.evaluations) evaluations but its trace holds \(run.trace.count)"
            }
            if let wrong = run.trace.enumerated().first(where: { $0.element.index != $0.offset + 1 }) {
                return "\(name): trace entry \(wrong.offset + 1) is numbered \(wrong.element.index)"
            }
            if !run.trace.isEmpty, run.best.plan != reference.plan,
                !run.trace.contains(where: { $0.plan == run.best.plan })
            {
                return "\(name): its best plan is not in its trace"
            }
        }
        guard !partial, let expected else { return nil }
        if let missing = expected.first(where: { !seen.contains("\($0.strategy)#\($0.seed)") }) {
            return "run \(missing.strategy) seed \(missing.seed) is missing (\(runs.count) of \(expected.count) runs)"
        }
        return nil
    }
}
