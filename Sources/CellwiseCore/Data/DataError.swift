/// A problem with a file or data set (a model, data, a run's results, a profile, a message from
/// another process), reported in one line that names it, with a ``Reason`` callers can match:
///
/// ```swift
/// do { _ = try ModelFile.load(from: path) } catch let error as DataError where error.reason == .missing {
///     // train one instead
/// }
/// ```
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// What kind of problem it is.
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// The file does not exist.
        case missing
        /// It exists but cannot be read (permissions, a directory, an I/O error).
        case unreadable
        /// It is empty.
        case empty
        /// Its bytes are not the format expected (not JSON, not gzip, truncated, a foreign format).
        case malformed
        /// It is a version or variant of the format this build does not read.
        case unsupported
        /// It parses, but a value, shape or key is wrong (named in the problem).
        case invalid
        /// It belongs to something else (another run, config, model or parameter set).
        case conflict
        /// Another process (a bridge, a strategy, a tool) failed or answered out of protocol.
        case external
        /// It cannot be written.
        case unwritable
    }

    /// The file (or data set name) at fault.
    public var path: String
    /// What is wrong with it.
    public var problem: String
    /// The kind of problem.
    public var reason: Reason

    /// Creates an error about `path`.
    public init(_ path: String, _ problem: String, reason: Reason = .invalid) {
        self.path = path
        self.problem = problem
        self.reason = reason
    }

    public var description: String { "\(path): \(problem)" }
}

/// A model file that cannot be used: a ``DataError`` (the same type; `reason` says which kind).
public typealias ModelFileError = DataError
