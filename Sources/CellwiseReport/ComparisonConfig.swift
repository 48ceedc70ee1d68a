import CellwiseCore
import CellwiseCKKS
import CellwiseSearch
import CellwiseTraining
import Foundation

/// A comparison: which model, which cost model, which strategies, budget and seeds. Read from a
/// TOML file in `configs/` (format in `configs/README.md`).
public struct ComparisonConfig: Codable, Sendable, Equatable {
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
    /// Candidate degrees, ascending.
    public var degrees: [Int]
    /// Fitting interval of the polynomials.
    public var interval: [Double]
    /// Cost profile: a preset name or a .toml path.
    public var profile: String
    /// Depth rule.
    public var depthRule: DepthRule
    /// Bootstrap placement.
    public var placement: PlacementStrategy
    /// Tolerance against the reference plan.
    public var tolerance: Tolerance
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

    /// Reads and checks a config file.
    ///
    /// - Throws: ``ConfigurationError`` naming the file and key of the first problem.
    public init(contentsOf file: String, registry: StrategyRegistry = .builtIn) throws {
        let root = try ConfigTable(contentsOf: file)
        name = try root.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw root.error("name", "must be letters, digits, '-', '_' or '.' (it names the results directory)")
        }
        seed = UInt64(try root.int("seed", in: 0...Int.max))
        if root.contains("description") { _ = try root.string("description") }

        let model = try root.table("model")
        modelFile = try model.string("file")
        dataset = try model.string("dataset")
        try model.finish()

        if let t = try root.optionalTable("training") {
            var c = TrainingConfiguration()
            c.seed = t.contains("seed") ? UInt64(try t.int("seed", in: 0...Int.max)) : seed
            c.splitSeed = t.contains("split_seed") ? UInt64(try t.int("split_seed", in: 0...Int.max)) : seed
            if t.contains("units") { c.units = try t.int("units", in: 1...4096) }
            if t.contains("epochs") { c.epochs = try t.int("epochs", in: 1...100_000) }
            if t.contains("batch_size") { c.batchSize = try t.int("batch_size", in: 1...1_000_000) }
            if t.contains("learning_rate") { c.learningRate = try t.double("learning_rate", minimum: 1e-12) }
            if t.contains("min_learning_rate") { c.minimumLearningRate = try t.double("min_learning_rate", minimum: 1e-15) }
            if t.contains("reduce_factor") { c.reduceFactor = try t.double("reduce_factor", minimum: 1e-9) }
            if t.contains("reduce_patience") { c.reducePatience = try t.int("reduce_patience", in: 1...100_000) }
            if t.contains("patience") { c.earlyStoppingPatience = try t.int("patience", in: 1...100_000) }
            if t.contains("note") { _ = try t.string("note") }
            try t.finish()
            do { try c.validate() } catch let error as ConfigurationError { throw t.error(error.key, error.problem) }
            training = c
        } else {
            training = nil
        }

        let a = try root.table("approximation")
        degrees = try a.integers("degrees")
        interval = try a.numbers("interval")
        guard interval.count == 2, interval[0] < interval[1] else { throw a.error("interval", "must be [a, b] with a < b") }
        try a.finish()
        do { _ = try SearchSpace(cells: 28, degrees: degrees) } catch let error as ConfigurationError {
            throw a.error("degrees", error.problem)
        }
        guard degrees == Array(Set(degrees)).sorted() else { throw a.error("degrees", "must be distinct and ascending") }

        let c = try root.table("cost")
        profile = try c.string("profile")
        depthRule = DepthRule(rawValue: try c.string("depth", oneOf: DepthRule.allCases.map(\.rawValue))) ?? .ideal
        placement = PlacementStrategy(rawValue: try c.string("placement", oneOf: PlacementStrategy.allCases.map(\.rawValue))) ?? .greedy
        try c.finish()

        let s = try root.table("search")
        let mode = Tolerance.Mode(rawValue: try s.string("tolerance_mode", oneOf: Tolerance.Mode.allCases.map(\.rawValue))) ?? .relative
        do { tolerance = try Tolerance(try s.double("tolerance", minimum: 0), mode: mode) } catch let error as ConfigurationError {
            throw s.error("tolerance", error.problem)
        }
        budget = try s.int("budget", in: 1...100_000_000)
        budgetSeconds = s.contains("seconds") ? try s.double("seconds", minimum: 1e-3) : nil
        seeds = try s.integers("seeds").map { seed in
            guard seed >= 0 else { throw s.error("seeds", "must not be negative") }
            return UInt64(seed)
        }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else { throw s.error("seeds", "must be a non-empty list of distinct seeds") }
        strategies = try s.strings("strategies")
        guard !strategies.isEmpty, Set(strategies).count == strategies.count else {
            throw s.error("strategies", "must be a non-empty list of distinct strategy names")
        }
        for name in strategies {
            do { _ = try registry.strategy(named: name) } catch { throw s.error("strategies", "\(error)") }
        }
        try s.finish()

        var options = [String: [String: String]]()
        if let table = try root.optionalTable("strategies") {
            for key in table.keys.sorted() {
                guard strategies.contains(key) else { throw table.error(key, "options for a strategy that is not in search.strategies") }
                let sub = try table.table(key)
                var values = [String: String]()
                for option in sub.keys {
                    values[option] = try sub.scalarText(option)
                }
                try sub.finish()
                do {
                    try StrategyOptions(values).check(against: try registry.strategy(named: key))
                    _ = try registry.strategy(named: key).init(options: StrategyOptions(values))
                } catch let error as ConfigurationError {
                    throw sub.error(error.key, error.problem)
                }
                options[key] = values
            }
            try table.finish()
        }
        strategyOptions = options
        try root.finish()
    }
}
