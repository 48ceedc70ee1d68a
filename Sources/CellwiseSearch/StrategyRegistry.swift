import CellwiseCore

/// The strategies a search or comparison can name, by name.
///
/// ``builtIn`` holds Cellwise's own strategies. A package that defines its own strategy hands it
/// to the command line with `CellwiseCommand.main(strategies: [MyStrategy.self])`, or to the
/// library with ``adding(_:)``:
///
/// ```swift
/// let registry = try StrategyRegistry.builtIn.adding([SimulatedAnnealing.self])
/// let config = try ComparisonConfig(contentsOf: "configs/mine.toml", registry: registry)
/// ```
public struct StrategyRegistry: Sendable {
    /// The registered strategy types, in the order `cellwise strategies` lists them.
    public let all: [any SearchStrategy.Type]

    /// Cellwise's own strategies. Adding one to Cellwise is one file plus one line here.
    public static let builtIn = StrategyRegistry(checked: [
        DepthFirstSearch.self,
        DynamicProgrammingSearch.self,
        GeneticSearch.self,
        GreedySensitivitySearch.self,
        RandomSearch.self,
        WindowSearch.self,
        ExhaustiveSearch.self,
        ExternalStrategy.self,
    ])

    private init(checked strategies: [any SearchStrategy.Type]) {
        all = strategies
    }

    /// A registry of `strategies`.
    ///
    /// - Throws: ``SearchError/invalidStrategy(name:problem:)`` when two strategies share a name
    ///   or a name is not a plain word (letters, digits, `-`, `_`).
    public init(_ strategies: [any SearchStrategy.Type]) throws {
        var seen = Set<String>()
        for type in strategies {
            let name = type.name
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw SearchError.invalidStrategy(
                    name: name, problem: "a strategy name must be letters, digits, '-' or '_'")
            }
            guard seen.insert(name).inserted else {
                throw SearchError.invalidStrategy(name: name, problem: "two strategies are called \"\(name)\"")
            }
        }
        all = strategies
    }

    /// This registry with `strategies` after its own.
    ///
    /// - Throws: ``SearchError/invalidStrategy(name:problem:)`` when a name is taken or invalid.
    public func adding(_ strategies: [any SearchStrategy.Type]) throws -> StrategyRegistry {
        try StrategyRegistry(all + strategies)
    }

    /// The strategy called `name`.
    ///
    /// - Throws: ``SearchError/unknownStrategy(_:known:)`` listing the known names.
    public func strategy(named name: String) throws -> any SearchStrategy.Type {
        for type in all where type.name == name { return type }
        throw SearchError.unknownStrategy(name, known: names)
    }

    /// The strategy a search or config names, with its options: a registered strategy, or, for a
    /// name that is not registered but has a `command` option, an ``ExternalStrategy`` labelled
    /// with the name (`[strategies.optuna-tpe] command = [...]`).
    ///
    /// - Throws: ``SearchError/unknownStrategy(_:known:)`` listing the known names.
    public func strategy(named name: String, options: StrategyOptions) throws
        -> (type: any SearchStrategy.Type, options: StrategyOptions)
    {
        if let type = all.first(where: { $0.name == name }) { return (type, options) }
        guard options.values["command"] != nil else { return (try strategy(named: name), options) }
        var labelled = options
        labelled.values["label"] = name
        return (ExternalStrategy.self, labelled)
    }

    /// The registered names, in order.
    public var names: [String] { all.map { $0.name } }
}
