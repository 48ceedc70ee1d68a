/// A configuration value that is out of range, naming its key.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The key (or option) at fault.
    public var key: String
    /// What is wrong with its value.
    public var problem: String

    /// Creates an error about `key`.
    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(key): \(problem)" }
}
