import CellwiseCore
import CellwiseCKKS
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
    /// The format version.
    public var version = 1
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
        /// Whether an interruption ended it (its figures are partial).
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
