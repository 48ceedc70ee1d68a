import CellwiseCore
import CellwiseSearch
import Foundation

/// A benchmark suite: instances (each a comparison config: model, data, candidates, cost profile,
/// tolerance), the strategies, seeds and budget they all run with, and the best plan known on each
/// instance. Read from a TOML file in `configs/suites/` (format in `configs/suites/README.md`).
public struct SuiteConfig: Sendable, Equatable {
    /// The suite's name: results go to `results/suites/<name>/`.
    public var name: String
    /// Evaluations per run.
    public var budget: Int
    /// Seeds of the stochastic strategies.
    public var seeds: [UInt64]
    /// Strategies, in table order.
    public var strategies: [String]
    /// Options per strategy (replacing the instance configs' options).
    public var strategyOptions: [String: [String: String]]
    /// The instances, in report order: with ``rules``, every instance config under each rule.
    public var instances: [Instance]
    /// The acceptance rules compared, by name (empty: each instance config's own rule).
    public var rules: [NamedRule] = []

    /// An acceptance rule of a suite, named for its instances (`<config name>.<rule name>`).
    public struct NamedRule: Sendable, Equatable {
        /// The rule's name.
        public var name: String
        /// The rule.
        public var rule: AcceptanceRule
    }

    /// One instance of the suite.
    public struct Instance: Sendable, Equatable {
        /// The comparison config it comes from, with the suite's budget, seeds and strategies.
        public var config: ComparisonConfig
        /// The config file.
        public var file: String
        /// The best plan known on it, if recorded.
        public var bestKnown: BestKnown?
        /// The suite rule it runs under (nil: its config's own rule).
        public var rule: String? = nil

        /// The instance's name (its config's; with a suite rule, `<config name>.<rule name>`).
        public var name: String { config.name }
    }

    /// The best plan known on an instance and how it was found.
    public struct BestKnown: Sendable, Equatable, Codable {
        /// The plan, in plan syntax (read with the instance model's layout).
        public var plan: String
        /// Its latency under the instance's cost model.
        public var latencySeconds: Double
        /// How it was found (strategy, seed, evaluations, command).
        public var foundBy: String
    }

    /// Every run of the suite, instance by instance, in each instance's table order.
    public func runs(registry: StrategyRegistry = .builtIn) throws -> [SuiteRun] {
        var runs = [SuiteRun]()
        for instance in instances {
            for key in try Comparison.runs(of: instance.config, registry: registry) {
                runs.append(SuiteRun(index: runs.count, instance: instance.name, key: key))
            }
        }
        return runs
    }
}

/// One run of a suite: an instance's (strategy, seed).
public struct SuiteRun: Sendable, Equatable {
    /// Position in the suite's run list (the shard of a run is `index % shards`).
    public var index: Int
    /// The instance.
    public var instance: String
    /// The run within the instance's comparison.
    public var key: Comparison.RunKey

    /// The run's file name in its instance's directory.
    public var fileName: String { "\(key.strategy)-seed\(key.seed).json" }
}

extension SuiteConfig {
    /// Reads and checks a suite file. Instance config paths are relative to the working directory
    /// (as `cellwise compare --config` takes them).
    ///
    /// - Throws: ``ConfigurationError`` naming the file and the key of the first problem.
    public init(contentsOf file: String, registry: StrategyRegistry = .builtIn) throws {
        let layout = try TOMLDecoder().decode(File.self, contentsOf: file)
        do {
            self = try layout.suite(registry: registry)
        } catch let error as ConfigurationError {
            throw ConfigurationError(key: "\(file): \(error.key)", problem: error.problem)
        }
    }

    /// The layout of a suite file.
    struct File: Decodable {
        var name: String
        var description: String?
        var budget: Int
        var seeds: [UInt64]
        var strategies: [String]
        var options: [String: [String: ComparisonConfig.File.ScalarText]]?
        var instances: [InstanceSection]
        var rules: [RuleSection]?

        struct RuleSection: Decodable {
            var name: String
            var acceptance: ComparisonConfig.File.AcceptanceName?
            var confidence: Double?
            var searchSplit: AcceptanceRule.SearchSplit?

            enum CodingKeys: String, CodingKey {
                case name, acceptance, confidence
                case searchSplit = "search_split"
            }
        }

        struct InstanceSection: Decodable {
            var config: String
            var tolerance: Double?
            var toleranceMode: Tolerance.Mode?
            var bestPlan: String?
            var bestLatency: Double?
            var bestFoundBy: String?

            enum CodingKeys: String, CodingKey {
                case config, tolerance
                case toleranceMode = "tolerance_mode"
                case bestPlan = "best_plan"
                case bestLatency = "best_latency"
                case bestFoundBy = "best_found_by"
            }
        }

        func suite(registry: StrategyRegistry) throws -> SuiteConfig {
            func fail(_ key: String, _ problem: String) -> ConfigurationError {
                ConfigurationError(key: key, problem: problem)
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
                !name.hasPrefix(".")
            else {
                throw fail("name", "must be letters, digits, '-', '_' or '.' (it names the results directory)")
            }
            guard !instances.isEmpty else { throw fail("instances", "give at least one [[instances]]") }
            var rules = [NamedRule]()
            for (index, section) in (self.rules ?? []).enumerated() {
                let key = "rules[\(index)]"
                guard !section.name.isEmpty,
                    section.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) })
                else {
                    throw fail("\(key).name", "must be letters, digits, '-' or '_' (it names the instances)")
                }
                guard !rules.contains(where: { $0.name == section.name }) else {
                    throw fail("\(key).name", "rule \(section.name) appears twice")
                }
                let rule = try ComparisonConfig.File.AcceptanceName.rule(
                    section.acceptance, confidence: section.confidence, split: section.searchSplit,
                    keyPrefix: "\(key).")
                rules.append(NamedRule(name: section.name, rule: rule ?? .plain))
            }
            let options = (self.options ?? [:]).mapValues { $0.mapValues(\.text) }
            var result = [Instance]()
            var bases = Set<String>()
            for (index, section) in instances.enumerated() {
                let key = "instances[\(index)]"
                var config: ComparisonConfig
                do {
                    config = try ComparisonConfig(contentsOf: section.config, registry: registry)
                } catch let error as ConfigurationError {
                    throw fail("\(key).config", "\(error.key): \(error.problem)")
                } catch {
                    throw fail("\(key).config", "\(error)")
                }
                if section.tolerance != nil || section.toleranceMode != nil {
                    do {
                        config.tolerance = try Tolerance(
                            section.tolerance ?? config.tolerance.value,
                            mode: section.toleranceMode ?? config.tolerance.mode)
                    } catch let error as ConfigurationError {
                        throw fail("\(key).tolerance", error.problem)
                    }
                }
                config.budget = budget
                config.budgetSeconds = nil
                config.seeds = seeds
                config.strategies = strategies
                config.strategyOptions = options
                do {
                    try config.validate()
                    try config.check(against: registry)
                } catch let error as ConfigurationError {
                    // The suite's values replaced the instance's: name the suite's key.
                    let suiteKey = error.key.replacingOccurrences(of: "search.", with: "")
                        .replacingOccurrences(of: "strategies.", with: "options.")
                    throw fail(suiteKey, error.problem)
                }
                guard bases.insert(config.name).inserted else {
                    throw fail("\(key).config", "instance \(config.name) appears twice")
                }
                var best: BestKnown?
                switch (section.bestPlan, section.bestLatency, section.bestFoundBy) {
                case (nil, nil, nil): best = nil
                case (let plan?, let latency?, let foundBy?):
                    guard latency > 0, latency.isFinite else {
                        throw fail("\(key).best_latency", "must be a positive number of seconds")
                    }
                    // Checked as text only: a GRU's or LSTM's plan reads with its model's layout.
                    guard !plan.isEmpty, !plan.contains(where: \.isNewline) else {
                        throw fail("\(key).best_plan", "must be a plan in plan syntax")
                    }
                    best = BestKnown(plan: plan, latencySeconds: latency, foundBy: foundBy)
                default:
                    throw fail("\(key)", "give best_plan, best_latency and best_found_by together")
                }
                if rules.isEmpty {
                    result.append(Instance(config: config, file: section.config, bestKnown: best))
                }
                for rule in rules {
                    var variant = config
                    variant.name = "\(config.name).\(rule.name)"
                    variant.acceptance = rule.rule.isPlain ? nil : rule.rule
                    result.append(Instance(config: variant, file: section.config, bestKnown: best, rule: rule.name))
                }
            }
            return SuiteConfig(
                name: name, budget: budget, seeds: seeds, strategies: strategies, strategyOptions: options,
                instances: result, rules: rules)
        }
    }
}
