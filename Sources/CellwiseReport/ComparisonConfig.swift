import CellwiseCKKS
import CellwiseCore
import CellwiseSearch
import CellwiseTraining
import Foundation

/// A comparison: which model, which cost model, which strategies, budget and seeds. Read from a
/// TOML file in `configs/` (format in `configs/README.md`) and recorded in `run.json`; both are
/// checked by ``validate()``.
public struct ComparisonConfig: Codable, Sendable, Equatable, ValidatedConfiguration {
    /// The config's name: results go to `results/<name>/`.
    public var name: String
    /// The config's seed: the default of the training seeds and of the deterministic strategies' runs.
    public var seed: UInt64
    /// The model file (loaded if present, else trained with ``training`` and saved there).
    public var modelFile: String
    /// The data set (`mnist5k`, `fashion` or a path).
    public var dataset: String
    /// How to train the model when the file is missing.
    public var training: TrainingConfiguration?
    /// An ONNX file to import the model from when the file is missing (instead of training).
    public var onnxFile: String?
    /// The SHA-256 of the model file the config's committed results were made from (`[model]
    /// sha256`). A model file that differs (retrained on another machine: training depends on the
    /// BLAS kernel) is still used, with a notice naming both digests.
    public var modelSha256: String? = nil
    /// Candidate degrees, ascending (the paper's candidates: uniform least squares on ``interval``);
    /// with ``candidates``, their degrees in cost order.
    public var degrees: [Int]
    /// Candidate tokens (`3w`, `7w`, `17w`, ...), when the config names candidates rather than
    /// degrees (nil: the paper's candidates of ``degrees``).
    public var candidates: [String]?
    /// The default interval of uniform and minimax candidates.
    public var interval: [Double]
    /// The split range and weighted candidates are fitted on (nil: the training split).
    public var fitSplit: SplitName?
    /// Cost profile: a preset name or a .toml path.
    public var profile: String
    /// Depth rule.
    public var depthRule: DepthRule
    /// Bootstrap placement.
    public var placement: PlacementStrategy
    /// Tolerance against the reference plan.
    public var tolerance: Tolerance
    /// What the tolerance is measured against (nil: the reference plan, the most expensive
    /// candidate; ``ReferenceChoice/exact``: the exact model).
    public var reference: ReferenceChoice?
    /// Which images plans are scored on and what they are credited with (nil: the paper's plain
    /// rule on the validation split).
    public var acceptance: AcceptanceRule?
    /// Evaluations per run.
    public var budget: Int
    /// Seconds per run (optional).
    public var budgetSeconds: Double?
    /// Seeds of the stochastic strategies (one run each).
    public var seeds: [UInt64]
    /// Strategies, in table order.
    public var strategies: [String]
    /// Options per strategy.
    public var strategyOptions: [String: [String: String]]

    /// Checks every value; errors name the TOML key at fault (`search.budget`).
    public func validate() throws {
        func fail(_ key: String, _ problem: String) -> ConfigurationError {
            ConfigurationError(key: key, problem: problem)
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".")
        else {
            throw fail("name", "must be letters, digits, '-', '_' or '.' (it names the results directory)")
        }
        guard !modelFile.isEmpty else { throw fail("model.file", "must not be empty") }
        if let modelSha256 {
            guard modelSha256.count == 64, modelSha256.allSatisfy({ "0123456789abcdef".contains($0) }) else {
                throw fail("model.sha256", "must be 64 lowercase hex digits (a SHA-256 digest)")
            }
        }
        if let onnxFile {
            guard training == nil else {
                throw fail("model.onnx", "give [model] onnx or a [training] section, not both")
            }
            guard FileManager.default.fileExists(atPath: onnxFile) else {
                throw fail("model.onnx", "\(onnxFile) does not exist")
            }
        }
        guard !dataset.isEmpty else { throw fail("model.dataset", "must not be empty") }
        if let training {
            do { try training.validate() } catch let error as ConfigurationError {
                throw fail("training.\(error.key)", error.problem)
            }
        }
        if let candidates {
            guard !candidates.isEmpty, Set(candidates).count == candidates.count else {
                throw fail("approximation.candidates", "must be a non-empty list of distinct candidates")
            }
            for token in candidates {
                do { _ = try Candidate(parsing: token) } catch let error as ConfigurationError {
                    throw fail("approximation.candidates", "\(error.key): \(error.problem)")
                }
            }
        } else {
            guard !degrees.isEmpty else { throw fail("approximation.degrees", "give at least one degree") }
            if let bad = degrees.first(where: { !(1...Activation.maximumDegree).contains($0) }) {
                throw fail("approximation.degrees", "degree \(bad) is outside 1-\(Activation.maximumDegree)")
            }
            guard degrees == Array(Set(degrees)).sorted() else {
                throw fail("approximation.degrees", "must be distinct and ascending")
            }
        }
        if fitSplit == .test {
            throw fail("approximation.fit_split", "the test split is never used for fitting; use train or validation")
        }
        guard interval.count == 2, interval[0] < interval[1] else {
            throw fail("approximation.interval", "must be [a, b] with a < b")
        }
        do { _ = try ApproximationLibrary(lower: interval[0], upper: interval[1]) } catch let error
            as ConfigurationError
        {
            throw fail("approximation.interval", error.problem)
        }
        guard !profile.isEmpty else { throw fail("cost.profile", "must not be empty") }
        do { _ = try Tolerance(tolerance.value, mode: tolerance.mode) } catch let error as ConfigurationError {
            throw fail("search.tolerance", error.problem)
        }
        guard (1...100_000_000).contains(budget) else {
            throw fail("search.budget", "is \(budget); expected 1-100000000")
        }
        if let budgetSeconds, !(budgetSeconds >= 1e-3 && budgetSeconds.isFinite) {
            throw fail("search.seconds", "must be a positive number of seconds (at least 0.001), got \(budgetSeconds)")
        }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw fail("search.seeds", "must be a non-empty list of distinct seeds")
        }
        guard !strategies.isEmpty, Set(strategies).count == strategies.count else {
            throw fail("search.strategies", "must be a non-empty list of distinct strategy names")
        }
        if let stray = strategyOptions.keys.sorted().first(where: { !strategies.contains($0) }) {
            throw fail("strategies.\(stray)", "options for a strategy that is not in search.strategies")
        }
    }

    /// The search's candidates, in cost order.
    public func searchCandidates() throws -> [Candidate] {
        try (candidates?.map { try Candidate(parsing: $0) } ?? degrees.map(Candidate.init(degree:))).sorted()
    }

    /// The candidates' tokens in cost order (the count columns of the tables).
    public var candidateTokens: [String] {
        ((try? searchCandidates()) ?? degrees.map(Candidate.init(degree:))).map(\.description)
    }

    /// Checks that every strategy is in `registry` and that its options are ones it takes.
    public func check(against registry: StrategyRegistry) throws {
        for name in strategies {
            do { _ = try registry.strategy(named: name, options: StrategyOptions(strategyOptions[name] ?? [:])) } catch
            {
                throw ConfigurationError(key: "search.strategies", problem: "\(error)")
            }
        }
        for (name, values) in strategyOptions.sorted(by: { $0.key < $1.key }) {
            let (type, options) = try registry.strategy(named: name, options: StrategyOptions(values))
            do {
                try options.check(against: type)
                _ = try type.init(options: options)
            } catch let error as ConfigurationError {
                throw ConfigurationError(key: "strategies.\(name).\(error.key)", problem: error.problem)
            }
        }
    }
}

extension ComparisonConfig {
    /// Reads and checks a config file; the strategies it names must be in `registry`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the key of the first problem.
    public init(contentsOf file: String, registry: StrategyRegistry = .builtIn) throws {
        let layout = try TOMLDecoder().decode(File.self, contentsOf: file)
        do {
            self = try layout.config()
            try validate()
            try check(against: registry)
        } catch let error as ConfigurationError {
            throw ConfigurationError(key: "\(file): \(error.key)", problem: error.problem)
        }
    }
}

extension ComparisonConfig {
    /// The layout of a comparison config file: its sections and keys as a user writes them.
    struct File: Decodable {
        var name: String
        var seed: UInt64
        var description: String?
        var model: ModelSection
        var training: TrainingSection?
        var approximation: ApproximationSection
        var cost: CostSection
        var search: SearchSection
        var strategies: [String: [String: ScalarText]]?

        struct ModelSection: Decodable {
            var file: String
            var dataset: String
            var onnx: String?
            var sha256: String?
        }

        struct TrainingSection: Decodable {
            var seed: UInt64?
            var splitSeed: UInt64?
            var cell: CellChoice?
            var layers: Int?
            var direction: LayerDirection?
            var merge: LayerMerge?
            var units: Int?
            var epochs: Int?
            var batchSize: Int?
            var learningRate: Double?
            var minLearningRate: Double?
            var reduceFactor: Double?
            var reducePatience: Int?
            var patience: Int?
            var note: String?

            enum CodingKeys: String, CodingKey {
                case seed, cell, layers, direction, merge, units, epochs, patience, note
                case splitSeed = "split_seed"
                case batchSize = "batch_size"
                case learningRate = "learning_rate"
                case minLearningRate = "min_learning_rate"
                case reduceFactor = "reduce_factor"
                case reducePatience = "reduce_patience"
            }

            func configuration(defaultSeed: UInt64) -> TrainingConfiguration {
                var c = TrainingConfiguration()
                c.seed = seed ?? defaultSeed
                c.splitSeed = splitSeed ?? defaultSeed
                if let cell { c.cell = cell }
                if let layers { c.layers = layers }
                if let direction { c.direction = direction }
                if let merge { c.merge = merge }
                if let units { c.units = units }
                if let epochs { c.epochs = epochs }
                if let batchSize { c.batchSize = batchSize }
                if let learningRate { c.learningRate = learningRate }
                if let minLearningRate { c.minimumLearningRate = minLearningRate }
                if let reduceFactor { c.reduceFactor = reduceFactor }
                if let reducePatience { c.reducePatience = reducePatience }
                if let patience { c.earlyStoppingPatience = patience }
                return c
            }
        }

        struct ApproximationSection: Decodable {
            var degrees: [Int]?
            var candidates: [String]?
            var interval: [Double]
            var fitSplit: SplitName?

            enum CodingKeys: String, CodingKey {
                case degrees, candidates, interval
                case fitSplit = "fit_split"
            }
        }

        struct CostSection: Decodable {
            var profile: String
            var depth: DepthRule
            var placement: PlacementStrategy
        }

        struct SearchSection: Decodable {
            var tolerance: Double
            var toleranceMode: Tolerance.Mode
            var reference: ReferenceChoice?
            var acceptance: AcceptanceName?
            var confidence: Double?
            var searchSplit: AcceptanceRule.SearchSplit?
            var budget: Int
            var seconds: Double?
            var seeds: [UInt64]
            var strategies: [String]

            enum CodingKeys: String, CodingKey {
                case tolerance, budget, seconds, seeds, strategies, reference, acceptance, confidence
                case toleranceMode = "tolerance_mode"
                case searchSplit = "search_split"
            }

            /// The acceptance rule of `acceptance`, `confidence` and `search_split` (nil: plain on
            /// validation, written as such or left out).
            func acceptanceRule() throws -> AcceptanceRule? {
                try AcceptanceName.rule(acceptance, confidence: confidence, split: searchSplit, keyPrefix: "search.")
            }
        }

        /// The acceptance rules a config can name.
        enum AcceptanceName: String, Decodable, CaseIterable, ConfigurationChoice {
            /// Accuracy as measured (the paper's).
            case plain
            /// A paired lower confidence bound of the difference to the reference.
            case paired

            /// The rule of the keys `acceptance`, `confidence` and `search_split` (nil: plain on
            /// validation); errors name the key after `keyPrefix`.
            static func rule(
                _ name: AcceptanceName?, confidence: Double?, split: AcceptanceRule.SearchSplit?, keyPrefix: String
            ) throws -> AcceptanceRule? {
                let kind: AcceptanceRule.Kind
                switch name ?? .plain {
                case .plain:
                    guard confidence == nil else {
                        throw ConfigurationError(
                            key: "\(keyPrefix)confidence", problem: "only applies with acceptance = \"paired\"")
                    }
                    kind = .plain
                case .paired:
                    kind = .pairedBound(confidence: confidence ?? 0.95)
                }
                do {
                    let rule = try AcceptanceRule(kind: kind, split: split ?? .validation)
                    return rule.isPlain ? nil : rule
                } catch let error as ConfigurationError {
                    throw ConfigurationError(key: "\(keyPrefix)\(error.key)", problem: error.problem)
                }
            }
        }

        /// A strategy option: a string, number or boolean, kept as text.
        struct ScalarText: Decodable {
            var text: String

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let words = try? container.decode([String].self) {
                    // An array (an external strategy's command) travels as JSON text.
                    text = String(decoding: try JSONEncoder().encode(words), as: UTF8.self)
                } else if let int = try? container.decode(Int.self) {
                    text = String(int)
                } else if let double = try? container.decode(Double.self) {
                    text = String(double)
                } else if let bool = try? container.decode(Bool.self) {
                    text = String(bool)
                } else {
                    text = try container.decode(String.self)
                }
            }
        }

        /// The config this file describes (values checked afterwards by ``ComparisonConfig/validate()``).
        func config() throws -> ComparisonConfig {
            guard approximation.degrees == nil || approximation.candidates == nil else {
                throw ConfigurationError(
                    key: "approximation.candidates", problem: "give degrees or candidates, not both")
            }
            // Candidates in cost order; a token that does not parse is reported by validate().
            let parsed = try? approximation.candidates?.map(Candidate.init(parsing:)).sorted()
            return ComparisonConfig(
                name: name, seed: seed, modelFile: model.file, dataset: model.dataset,
                training: training?.configuration(defaultSeed: seed), onnxFile: model.onnx, modelSha256: model.sha256,
                degrees: approximation.degrees ?? parsed?.map(\.degree) ?? [],
                candidates: parsed?.map(\.description) ?? approximation.candidates,
                interval: approximation.interval, fitSplit: approximation.fitSplit, profile: cost.profile,
                depthRule: cost.depth,
                placement: cost.placement,
                tolerance: Tolerance(unchecked: search.tolerance, mode: search.toleranceMode),
                reference: search.reference, acceptance: try search.acceptanceRule(), budget: search.budget,
                budgetSeconds: search.seconds, seeds: search.seeds, strategies: search.strategies,
                strategyOptions: (strategies ?? [:]).mapValues { $0.mapValues(\.text) })
        }
    }
}
