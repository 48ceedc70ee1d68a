/// Constant folding of the shape arithmetic around recurrent operators (values that do not carry
/// the samples): enough of `Shape`, `Gather`, `Concat`, `Slice`, `Squeeze`, `Unsqueeze`, `Reshape`,
/// `Cast`, the four arithmetic operators, `ConstantOfShape` and `Expand` to follow what PyTorch's
/// exporters and tf2onnx emit.
extension GraphInterpreter {
    /// A shape-like list: the elements of a 1-D (or scalar) integer constant, or of `dims`.
    func list(_ value: GraphValue?, _ label: String, _ what: String) throws -> [Dimension] {
        switch value {
        case .dims(let dims)?:
            return dims
        case .constant(let tensor)? where tensor.shape.count <= 1:
            guard let integers = tensor.integers else { throw ONNXProblem("\(label): \(what) is not integer") }
            return integers.map { .fixed(Int($0)) }
        default:
            throw ONNXProblem("\(label): \(what) is not a list of sizes Cellwise can follow")
        }
    }

    /// `.constant` when every element is known, else `.dims`.
    private func listValue(_ dims: [Dimension]) -> GraphValue {
        if dims.allSatisfy({ $0.fixedValue != nil }) {
            return .constant(ONNXTensor(integers: dims.map { Int64($0.fixedValue!) }))
        }
        return .dims(dims)
    }

    private func isZero(_ value: GraphValue?) -> Bool {
        switch value {
        case .zeros?: true
        case .constant(let tensor)?: tensor.floats.allSatisfy { $0 == 0 }
        default: false
        }
    }

    /// Folds a node none of whose inputs carries the samples.
    mutating func fold(_ node: Onnx_NodeProto, _ label: String, inputs: [GraphValue?]) throws
        -> GraphValue
    {
        let first = inputs.first ?? nil
        // An all-zero tensor stays one through the layout operators (initial states).
        if case .zeros? = first,
            ["Slice", "Gather", "Squeeze", "Unsqueeze", "Reshape", "Transpose", "Expand", "Cast", "Tile"].contains(
                node.opType)
        {
            return .zeros
        }
        switch node.opType {
        case "Shape":
            guard case .constant(let tensor)? = first else { throw ONNXProblem("\(label): cannot take this shape") }
            return try sliceShape(tensor.shape.map { .fixed($0) }, node)
        case "ConstantOfShape":
            let dims = try list(first, label, "the shape")
            var fill = ONNXTensor(shape: [], elements: .float([0]))
            if let attribute = node.attribute("value") { fill = try ONNXTensor(attribute.t, what: "\(label) value") }
            if fill.floats.allSatisfy({ $0 == 0 }) { return .zeros }
            guard dims.allSatisfy({ $0.fixedValue != nil }), let element = fill.floats.first else {
                throw ONNXProblem("\(label) fills a tensor whose shape depends on the batch with \(fill.floats)")
            }
            let shape = dims.map { $0.fixedValue! }
            return .constant(
                ONNXTensor(shape: shape, elements: .float(.init(repeating: element, count: shape.reduce(1, *)))))
        case "Expand":
            if isZero(first) { return .zeros }
            throw ONNXProblem("\(label) expands a non-zero constant; Cellwise follows only zero initial states here")
        case "Gather":
            let source = try list(first, label, "the data")
            let indices = try list(inputs.count > 1 ? inputs[1] : nil, label, "the indices")
            guard node.integer("axis", default: 0) == 0 else { throw ONNXProblem("\(label): axis is not 0") }
            var gathered = [Dimension]()
            for index in indices {
                guard let i = index.fixedValue, (-source.count..<source.count).contains(i) else {
                    throw ONNXProblem("\(label): index \(index) is out of range for \(source.count) elements")
                }
                gathered.append(source[i < 0 ? i + source.count : i])
            }
            return listValue(gathered)
        case "Concat":
            var joined = [Dimension]()
            for value in inputs { joined += try list(value, label, "an input") }
            return listValue(joined)
        case "Unsqueeze", "Squeeze", "Reshape", "Flatten":
            if case .constant(let tensor)? = first, tensor.shape.count > 1 || node.opType == "Reshape" {
                // A constant of higher rank: only its shape changes.
                var reshaped = tensor
                reshaped.shape = try constantShape(node, label, tensor, inputs)
                return .constant(reshaped)
            }
            return listValue(try list(first, label, "the data"))
        case "Slice":
            let source = try list(first, label, "the data")
            let starts = try integerList(1, "starts", of: node, label) ?? []
            let ends = try integerList(2, "ends", of: node, label) ?? []
            let steps = try integerList(4, "steps", of: node, label) ?? [1]
            guard starts.count == 1, ends.count == 1, steps == [1] else {
                throw ONNXProblem("\(label): Cellwise folds only one-axis, unit-step slices of sizes")
            }
            let n = Int64(source.count)
            func clamp(_ v: Int64) -> Int { Int(max(0, min(n, v < 0 ? v + n : v))) }
            let (lower, upper) = (clamp(starts[0]), clamp(ends[0]))
            return listValue(lower < upper ? Array(source[lower..<upper]) : [])
        case "Cast":
            guard case .constant(var tensor)? = first else { return listValue(try list(first, label, "the data")) }
            let to = node.integer("to", default: 1)
            if [6, 7].contains(to), let integers = tensor.integers {
                tensor.elements = .integer(integers)
            } else if [1, 11].contains(to) {
                tensor.elements = .float(tensor.floats)
            }
            return .constant(tensor)
        case "Add", "Sub", "Mul", "Div":
            if case .constant(let a)? = first, case .constant(let b)? = inputs[1], a.count == 1 || b.count == 1,
                case .float = a.elements
            {
                return .constant(try floatArithmetic(node.opType, a, b, label))
            }
            let a = try list(first, label, "input 0")
            let b = try list(inputs.count > 1 ? inputs[1] : nil, label, "input 1")
            return listValue(try arithmetic(node.opType, a, b, label))
        default:
            throw ONNXProblem(
                "\(label): operator \(node.opType) is not one Cellwise reads (recurrent models: RNN, GRU, LSTM, a "
                    + "Dense head, and the shape operators exporters put around them)" + Self.unrolledHint(node.opType))
        }
    }

    /// `Shape`'s optional `start` and `end`.
    func sliceShape(_ dims: [Dimension], _ node: Onnx_NodeProto) throws -> GraphValue {
        let n = dims.count
        func clamp(_ v: Int64) -> Int { Int(max(0, min(Int64(n), v < 0 ? v + Int64(n) : v))) }
        let start = clamp(node.integer("start", default: 0))
        let end = clamp(node.integer("end", default: Int64(n)))
        return listValue(start < end ? Array(dims[start..<end]) : [])
    }

    /// Element-wise arithmetic on size lists (a length-1 list broadcasts).
    private func arithmetic(_ op: String, _ a: [Dimension], _ b: [Dimension], _ label: String) throws
        -> [Dimension]
    {
        let count = max(a.count, b.count)
        guard a.count == b.count || a.count == 1 || b.count == 1 else {
            throw ONNXProblem("\(label): inputs of \(a.count) and \(b.count) elements do not broadcast")
        }
        return try (0..<count).map { (i: Int) throws -> Dimension in
            let (x, y) = (a[a.count == 1 ? 0 : i], b[b.count == 1 ? 0 : i])
            switch (op, x, y) {
            case (_, .fixed(let p), .fixed(let q)):
                switch op {
                case "Add": return .fixed(p + q)
                case "Sub": return .fixed(p - q)
                case "Mul": return .fixed(p * q)
                default:
                    guard q != 0 else { throw ONNXProblem("\(label) divides by zero") }
                    return .fixed(p / q)
                }
            case ("Mul", .symbol, .fixed(1)), ("Div", .symbol, .fixed(1)), ("Add", .symbol, .fixed(0)),
                ("Sub", .symbol, .fixed(0)):
                return x
            case ("Mul", .fixed(1), .symbol), ("Add", .fixed(0), .symbol):
                return y
            default:
                throw ONNXProblem("\(label): \(op) of \(x) and \(y) depends on the batch size")
            }
        }
    }

    private func floatArithmetic(_ op: String, _ a: ONNXTensor, _ b: ONNXTensor, _ label: String)
        throws -> ONNXTensor
    {
        let (x, y) = (a.floats, b.floats)
        let shape = a.count >= b.count ? a.shape : b.shape
        let values = (0..<max(x.count, y.count)).map { i -> Float in
            let (p, q) = (x[x.count == 1 ? 0 : i], y[y.count == 1 ? 0 : i])
            switch op {
            case "Add": return p + q
            case "Sub": return p - q
            case "Mul": return p * q
            default: return p / q
            }
        }
        return ONNXTensor(shape: shape, elements: .float(values))
    }

    /// The new shape of a constant under `Squeeze`, `Unsqueeze`, `Reshape` or `Flatten`.
    private mutating func constantShape(
        _ node: Onnx_NodeProto, _ label: String, _ tensor: ONNXTensor, _ inputs: [GraphValue?]
    ) throws -> [Int] {
        let shape = tensor.shape
        switch node.opType {
        case "Squeeze":
            let axes = try integerList(1, "axes", of: node, label).map {
                $0.map { Int($0 < 0 ? $0 + Int64(shape.count) : $0) }
            }
            return shape.enumerated().filter { index, size in size != 1 || !(axes?.contains(index) ?? true) }.map(\.1)
        case "Unsqueeze":
            let axes = try integerList(1, "axes", of: node, label) ?? []
            var result = shape
            let rank = shape.count + axes.count
            for axis in axes.map({ Int($0 < 0 ? $0 + Int64(rank) : $0) }).sorted() {
                result.insert(1, at: min(axis, result.count))
            }
            return result
        case "Flatten":
            let axis = Int(node.integer("axis", default: 1))
            return [shape.prefix(axis).reduce(1, *), shape.dropFirst(axis).reduce(1, *)]
        default:
            let target = try list(inputs.count > 1 ? inputs[1] : nil, label, "the shape")
            var result = [Int]()
            var inferred: Int?
            for (index, dim) in target.enumerated() {
                guard let n = dim.fixedValue else { throw ONNXProblem("\(label): shape \(target) is not fixed") }
                if n == 0 {
                    result.append(index < shape.count ? shape[index] : 0)
                } else if n == -1 {
                    inferred = index
                    result.append(1)
                } else {
                    result.append(n)
                }
            }
            let known = result.reduce(1, *)
            if let inferred, known > 0 { result[inferred] = tensor.count / known }
            guard result.reduce(1, *) == tensor.count else {
                throw ONNXProblem("\(label): cannot reshape \(shape) to \(target)")
            }
            return result
        }
    }

    /// What to say after an operator of an unrolled recurrence: torch.onnx.export's default (dynamo)
    /// exporter writes nn.RNN step by step in MatMul, Add and Tanh.
    static func unrolledHint(_ op: String) -> String {
        guard ["MatMul", "Tanh", "Sigmoid"].contains(op) else { return "" }
        return "; a recurrence unrolled into MatMul, Add and Tanh is what torch.onnx.export's default exporter "
            + "writes for nn.RNN: export with dynamo=False, which writes the RNN operator"
    }
}
