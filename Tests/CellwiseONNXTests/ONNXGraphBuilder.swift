import Foundation
import SwiftProtobuf

@testable import CellwiseONNX

/// Builds small ONNX models in Swift (with the generated protobuf types) for the importer's tests.
struct ONNXGraphBuilder {
    var graph = Onnx_GraphProto()
    var counter = 0

    init(inputs: [(String, [Int])] = [("x", [-1, 5, 3])]) {
        graph.name = "test"
        for (name, dims) in inputs {
            var info = Onnx_ValueInfoProto()
            info.name = name
            var type = Onnx_TypeProto()
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            var shape = Onnx_TensorShapeProto()
            shape.dim = dims.map { n in
                var d = Onnx_TensorShapeProto.Dimension()
                if n < 0 { d.dimParam = "batch" } else { d.dimValue = Int64(n) }
                return d
            }
            tensor.shape = shape
            type.tensorType = tensor
            info.type = type
            graph.input.append(info)
        }
    }

    mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    /// Adds a float initializer.
    mutating func constant(_ values: [Float], shape: [Int], name: String? = nil) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name ?? fresh("c")
        tensor.dims = shape.map(Int64.init)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.floatData = values
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// Adds an int64 initializer.
    mutating func integers(_ values: [Int64], shape: [Int]? = nil) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = fresh("i")
        tensor.dims = (shape ?? [values.count]).map(Int64.init)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.int64Data = values
        graph.initializer.append(tensor)
        return tensor.name
    }

    enum Attribute {
        case int(Int64)
        case float(Float)
        case string(String)
        case strings([String])
        case ints([Int64])
    }

    /// Adds a node; returns its outputs.
    @discardableResult
    mutating func node(
        _ op: String, _ inputs: [String], outputs: Int = 1, name: String? = nil, _ attributes: [String: Attribute] = [:]
    )
        -> [String]
    {
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = name ?? fresh(op)
        node.input = inputs
        node.output = (0..<outputs).map { _ in fresh(op.lowercased()) }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            switch value {
            case .int(let v):
                a.type = .int
                a.i = v
            case .float(let v):
                a.type = .float
                a.f = v
            case .string(let v):
                a.type = .string
                a.s = Data(v.utf8)
            case .strings(let v):
                a.type = .strings
                a.strings = v.map { Data($0.utf8) }
            case .ints(let v):
                a.type = .ints
                a.ints = v
            }
            node.attribute.append(a)
        }
        graph.node.append(node)
        return node.output
    }

    /// Declares `name` the graph's output.
    mutating func output(_ name: String) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        graph.output.append(info)
    }

    /// Writes the model to a temporary file.
    func write() throws -> String {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.producerName = "cellwise-tests"
        model.graph = graph
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cellwise-onnx-\(UUID().uuidString).onnx"
        )
        .path
        try model.serializedData().write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Values 0.01, 0.02, ... so that every weight is distinct (and its position recoverable).
    static func ramp(_ count: Int, from start: Int = 1) -> [Float] {
        (0..<count).map { Float(start + $0) / 100 }
    }

    /// A standard model: input [batch, 5, 3] -> Transpose -> OP (hidden 2) -> Y_h -> Squeeze -> Gemm (4 classes);
    /// `timeMajor`: input [5, batch, 3] straight into the operator (PyTorch's `batch_first=False`).
    /// `configure` may change the recurrent node's attributes and inputs before it is added.
    static func recurrent(
        _ op: String, hidden: Int = 2, attributes: [String: Attribute] = [:], extraInputs: [String] = [],
        timeMajor: Bool = false, configure: (inout ONNXGraphBuilder, inout [String]) -> Void = { _, _ in }
    ) throws -> String {
        var b = ONNXGraphBuilder(inputs: [("x", timeMajor ? [5, -1, 3] : [-1, 5, 3])])
        let gates = ["RNN": 1, "GRU": 3, "LSTM": 4][op]!
        let x = timeMajor ? "x" : b.node("Transpose", ["x"], ["perm": .ints([1, 0, 2])])[0]
        let w = b.constant(ramp(gates * hidden * 3), shape: [1, gates * hidden, 3], name: "W")
        let r = b.constant(ramp(gates * hidden * hidden, from: 100), shape: [1, gates * hidden, hidden], name: "R")
        let bias = b.constant(ramp(2 * gates * hidden, from: 200), shape: [1, 2 * gates * hidden], name: "B")
        var inputs = [x, w, r, bias] + extraInputs
        configure(&b, &inputs)
        let outputs = b.node(
            op, inputs, outputs: 2, name: "rnn", attributes.merging(["hidden_size": .int(Int64(hidden))]) { a, _ in a })
        let last = b.node("Squeeze", [outputs[1], b.integers([0])])[0]
        let kernel = b.constant(ramp(4 * hidden, from: 300), shape: [4, hidden])
        let head = b.node(
            "Gemm", [last, kernel, b.constant(ramp(4, from: 400), shape: [4])], name: "head", ["transB": .int(1)])
        b.output(head[0])
        return try b.write()
    }
}
