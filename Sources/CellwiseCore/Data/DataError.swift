/// A problem with a data file, reported in one line that names the file.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The file (or data set name) at fault.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error about `path`.
    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
