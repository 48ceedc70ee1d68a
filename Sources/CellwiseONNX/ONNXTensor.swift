import Foundation

/// A constant tensor of an ONNX graph (an initializer, a `Constant` node, or a value folded from
/// them), with its elements as Float32 or Int64.
struct ONNXTensor: Sendable, Equatable {
    /// The elements, in row-major order.
    enum Elements: Sendable, Equatable {
        case float([Float])
        case integer([Int64])
    }

    /// The dimensions (empty for a scalar).
    var shape: [Int]
    /// The elements.
    var elements: Elements

    /// The number of elements.
    var count: Int { shape.reduce(1, *) }

    /// The elements as Float32 (integers converted).
    var floats: [Float] {
        switch elements {
        case .float(let values): values
        case .integer(let values): values.map { Float($0) }
        }
    }

    /// The elements as integers, or nil when a float element is not a whole number.
    var integers: [Int64]? {
        switch elements {
        case .integer(let values):
            return values
        case .float(let values):
            guard values.allSatisfy({ $0.rounded() == $0 && abs($0) < 1e15 }) else { return nil }
            return values.map { Int64($0) }
        }
    }

    init(shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }

    /// A 1-D integer tensor.
    init(integers: [Int64]) {
        self.init(shape: [integers.count], elements: .integer(integers))
    }

    /// Decodes an ONNX tensor; `what` names it in errors (e.g. `initializer 'W'`).
    ///
    /// - Throws: a message (for ``ONNXImportError``) when the data type is not float, double,
    ///   int32 or int64, the data is stored outside the file, or the size disagrees with the shape.
    init(_ proto: Onnx_TensorProto, what: String) throws {
        guard proto.dataLocation != .external else {
            throw ONNXProblem(
                "\(what) keeps its data in an external file; save the model with all tensors inside "
                    + "(onnx.save(model, path, save_as_external_data=False))")
        }
        guard proto.dims.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
            throw ONNXProblem("\(what) has dimensions \(proto.dims)")
        }
        let shape = proto.dims.map { Int($0) }
        let (count, overflow) = shape.reduce((1, false)) { partial, d in
            let (p, o) = partial.0.multipliedReportingOverflow(by: d)
            return (p, partial.1 || o)
        }
        guard !overflow, count <= 1 << 28 else { throw ONNXProblem("\(what) has dimensions \(proto.dims)") }
        let raw = proto.hasRawData ? proto.rawData : nil
        func words(_ width: Int) throws -> [UInt64]? {
            guard let raw else { return nil }
            guard raw.count == count * width else {
                throw ONNXProblem("\(what) has \(raw.count) bytes of data, expected \(count * width)")
            }
            return raw.withUnsafeBytes { bytes in
                (0..<count).map { index in
                    var bits: UInt64 = 0
                    for byte in 0..<width { bits |= UInt64(bytes[index * width + byte]) << (8 * byte) }
                    return bits
                }
            }
        }
        func checked<T>(_ values: [T]) throws -> [T] {
            guard values.count == count else {
                throw ONNXProblem("\(what) has \(values.count) values, expected \(count)")
            }
            return values
        }
        let type = Onnx_TensorProto.DataType(rawValue: Int(proto.dataType))
        let elements: Elements
        switch type {
        case .float?:
            elements = .float(
                try words(4)?.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) } ?? checked(proto.floatData))
        case .double?:
            elements = .float(
                (try words(8)?.map { Double(bitPattern: $0) } ?? checked(proto.doubleData)).map { Float($0) })
        case .int64?:
            elements = .integer(try words(8)?.map { Int64(bitPattern: $0) } ?? checked(proto.int64Data))
        case .int32?:
            elements = .integer(
                (try words(4)?.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) } ?? checked(proto.int32Data))
                    .map { Int64($0) })
        default:
            throw ONNXProblem(
                "\(what) has data type \(type.map { "\($0)" } ?? "\(proto.dataType)"); Cellwise reads float, "
                    + "double, int32 and int64 tensors")
        }
        self.init(shape: shape, elements: elements)
    }
}

/// A problem found while reading a graph, before the file name is attached.
struct ONNXProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
