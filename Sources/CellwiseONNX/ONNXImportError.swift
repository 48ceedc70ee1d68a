import CellwiseCore

/// An ONNX model Cellwise cannot import: the file, and what in it is wrong (a node and its
/// attribute or input, an initializer, the graph's inputs or outputs).
public struct ONNXImportError: CellwiseError, Equatable {
    /// The ONNX file.
    public let file: String
    /// What is wrong, naming the node and attribute where there is one.
    public let problem: String

    /// Creates an error.
    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
