/// Every strategy Cellwise knows, by name. Adding a strategy is one file plus one line here.
public enum StrategyRegistry {
    /// The registered strategy types, in the order `cellwise strategies` lists them.
    public static let all: [any SearchStrategy.Type] = [
        DepthFirstSearch.self,
        DynamicProgrammingSearch.self,
        GeneticSearch.self,
        GreedySensitivitySearch.self,
        RandomSearch.self,
        ExhaustiveSearch.self,
    ]

    /// The strategy called `name`.
    ///
    /// - Throws: ``ConfigurationError`` listing the known names.
    public static func strategy(named name: String) throws -> any SearchStrategy.Type {
        for type in all where type.name == name { return type }
        throw ConfigurationError(key: "strategy", problem: "unknown strategy \"\(name)\" (known: \(names.joined(separator: ", ")))")
    }

    /// The registered names, in order.
    public static var names: [String] {
        var names = [String]()
        for type in all { names.append(type.name) }
        return names
    }
}
