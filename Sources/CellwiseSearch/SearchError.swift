import CellwiseCore

/// Problems a user can cause when choosing, configuring or resuming a search.
public enum SearchError: Error, Equatable, CustomStringConvertible {
    /// No registered strategy has this name.
    case unknownStrategy(String, known: [String])
    /// A strategy type cannot be registered (bad or duplicate name).
    case invalidStrategy(name: String, problem: String)
    /// A strategy option is unknown or has a bad value.
    case invalidOption(strategy: String, key: String, problem: String)
    /// A trace file to resume belongs to a different search set-up.
    case traceMismatch(path: String, changed: [String])
    /// A trace file cannot be read, is not a trace, or is corrupt before its last line.
    case unreadableTrace(path: String, problem: String)
    /// Writing a trace failed (a full disk, a closed file).
    case traceWriteFailed(path: String, problem: String)

    public var description: String {
        switch self {
        case .unknownStrategy(let name, let known):
            "unknown strategy \"\(name)\" (known: \(known.joined(separator: ", ")))"
        case .invalidStrategy(let name, let problem):
            "strategy \"\(name)\": \(problem)"
        case .invalidOption(let strategy, let key, let problem):
            "option \(key) of strategy \(strategy): \(problem)"
        case .traceMismatch(let path, let changed):
            "\(path): belongs to another search (\(changed.joined(separator: ", ")) changed); remove it or run "
                + "without --resume"
        case .unreadableTrace(let path, let problem):
            "\(path): \(problem)"
        case .traceWriteFailed(let path, let problem):
            "\(path): cannot append to the trace (\(problem)); the evaluations before this one are kept, continue "
                + "with --resume"
        }
    }
}

extension SearchError: CellwiseError {}
extension SearchStop: CellwiseError {}
