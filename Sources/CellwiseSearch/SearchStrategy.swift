import CellwiseCKKS
import CellwiseCore

/// A search strategy over per-cell degree plans.
///
/// A strategy proposes plans and measures them through ``SearchContext/evaluator``, which counts,
/// caches and refuses past the budget (``SearchStop/budgetExhausted``). A strategy need not catch
/// that error: the driver ends the search when it arrives and builds the result from the trace.
/// Register a new strategy by adding its type to ``StrategyRegistry/all``; see
/// `docs/writing-a-strategy.md`.
public protocol SearchStrategy: SendableMetatype {
    /// The name the command line and configs use (`dfs`, `ga`, ...).
    static var name: String { get }
    /// A one-line description for `cellwise strategies`.
    static var summary: String { get }
    /// The options the strategy reads, with their help.
    static var options: [StrategyOption] { get }
    /// Whether the strategy uses random numbers (comparisons run it once per seed).
    static var isStochastic: Bool { get }
    /// Whether options other than ``options`` are accepted (and passed on, as an external
    /// strategy passes them to its process).
    static var acceptsOtherOptions: Bool { get }

    /// Creates the strategy from its options.
    ///
    /// - Throws: ``ConfigurationError`` naming a bad option value.
    init(options: StrategyOptions) throws

    /// Runs the search.
    mutating func run(in context: SearchContext) throws

    /// The name results carry (default ``name``; an external strategy's label).
    var runName: String { get }
}

extension SearchStrategy {
    /// No options by default.
    public static var options: [StrategyOption] { [] }
    /// Deterministic by default.
    public static var isStochastic: Bool { false }
    /// Only the declared options by default.
    public static var acceptsOtherOptions: Bool { false }
    /// The type's name by default.
    public var runName: String { Self.name }
}

/// The description of one strategy option.
public struct StrategyOption: Sendable, Equatable {
    /// Its key (`--option key=value`).
    public var key: String
    /// What it does, including its default.
    public var help: String

    /// Creates an option description.
    public init(_ key: String, _ help: String) {
        self.key = key
        self.help = help
    }
}

/// Option values for a strategy, as `key=value` strings, read with typed accessors that name
/// the key on error.
public struct StrategyOptions: Sendable, Equatable {
    /// The raw values.
    public var values: [String: String]

    /// Wraps raw values.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// Parses `key=value` arguments.
    public init(arguments: [String]) throws {
        var values = [String: String]()
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError(key: "--option", problem: "\"\(argument)\" is not key=value")
            }
            if let earlier = values[parts[0]] {
                throw ConfigurationError(
                    key: "--option",
                    problem:
                        "\(parts[0]) is given twice (\(parts[0])=\(earlier) and \(argument)); give each option once")
            }
            values[parts[0]] = parts[1]
        }
        self.values = values
    }

    /// An integer option.
    public func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[key] else { return value }
        guard let int = Int(text), range.contains(int) else {
            throw ConfigurationError(
                key: key, problem: "must be an integer in \(range.lowerBound)-\(range.upperBound), got \"\(text)\"")
        }
        return int
    }

    /// A number option.
    public func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = values[key] else { return value }
        guard let double = Double(text), range.contains(double) else {
            throw ConfigurationError(
                key: key, problem: "must be a number in [\(range.lowerBound), \(range.upperBound)], got \"\(text)\"")
        }
        return double
    }

    /// A choice option.
    public func choice(_ key: String, default value: String, from choices: [String]) throws -> String {
        guard let text = values[key] else { return value }
        guard choices.contains(text) else {
            throw ConfigurationError(
                key: key, problem: "must be one of \(choices.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    /// Rejects keys the strategy does not read.
    public func check(against strategy: any SearchStrategy.Type) throws {
        if strategy.acceptsOtherOptions { return }
        let known = Set(strategy.options.map(\.key))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            let list = known.isEmpty ? "it takes none" : "it takes \(known.sorted().joined(separator: ", "))"
            throw ConfigurationError(key: unknown, problem: "is not an option of strategy \(strategy.name) (\(list))")
        }
    }
}
