import CellwiseCore

/// Reads an ONNX graph by abstract evaluation, from the classifier's output back to its input.
///
/// Every tensor gets a ``GraphValue``: constants are folded (the shape arithmetic exporters emit
/// around recurrent operators: `Shape`, `Gather`, `Concat`, `Slice`, ...), initial states are
/// recognised as zeros, and the value carrying the samples records which axis is the batch, the
/// time and the features, how many recurrent layers it has passed and whether only the last step
/// is left. The recurrent operators become ``RecurrentLayer``s and the head's `Gemm` or
/// `MatMul`+`Add` the Dense weights. Only what the output depends on is read; an operator the
/// model needs that Cellwise cannot express is an error naming the node.
struct GraphInterpreter {
    /// One recurrent operator, read.
    struct Layer {
        var cell: RecurrentCell
        var weights: RecurrentLayer
        var node: String
    }

    let graph: Onnx_GraphProto
    /// The graph input carrying the samples.
    let inputName: String
    /// The input's dimensions, as declared.
    let inputDimensions: [Dimension]
    /// Whether the input is read as `[time, batch, features]` (PyTorch's `batch_first=False`)
    /// rather than `[batch, time, features]`.
    let timeMajor: Bool
    /// The input's time dimension.
    var timeDimension: Dimension { inputDimensions[timeMajor ? 0 : 1] }
    private var producers: [String: Int] = [:]
    private var initializers: [String: Onnx_TensorProto] = [:]
    private var values: [String: GraphValue] = [:]
    /// Nodes already evaluated (their outputs are in `values`).
    private var evaluated: Set<Int> = []
    /// How far the reading got: the nodes evaluated (to tell which of two readings explains a failure).
    var progress: Int { evaluated.count }
    /// The recurrent layers found, bottom first.
    private(set) var layers: [Layer] = []
    /// The preprocessing folded into the first layer's input.
    private(set) var affine: InputAffine?
    /// Notes on what was dropped or assumed (a final `Softmax`, zero initial states).
    private(set) var notes: [String] = []

    init(graph: Onnx_GraphProto, timeMajor: Bool = false) throws {
        self.graph = graph
        self.timeMajor = timeMajor
        for (index, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty { producers[output] = index }
        }
        let constants = Dictionary(graph.initializer.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        initializers = constants
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ONNXProblem(
                "the graph has \(inputs.count) inputs (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))); "
                    + "Cellwise models take one: the sequence, [batch, time, features]")
        }
        inputName = input.name
        let tensorType = input.type.tensorType
        guard case .tensorType? = input.type.value,
            [Onnx_TensorProto.DataType.float.rawValue, Onnx_TensorProto.DataType.double.rawValue].contains(
                Int(tensorType.elemType))
        else {
            throw ONNXProblem("graph input '\(input.name)' is not a float tensor")
        }
        let dims = tensorType.shape.dim.enumerated().map { index, dim -> Dimension in
            switch dim.value {
            case .dimValue(let n)?: .fixed(Int(n))
            case .dimParam(let name)?: .symbol(name)
            case nil: .symbol("\(input.name)[\(index)]")
            }
        }
        guard dims.count == 3 else {
            throw ONNXProblem(
                "graph input '\(input.name)' has \(dims.count) dimensions \(dims); Cellwise reads sequences "
                    + "as [batch, time, features] or [time, batch, features]")
        }
        guard case .fixed(let features) = dims[2], features > 0 else {
            throw ONNXProblem("graph input '\(input.name)' has \(dims[2]) features per step; expected a fixed number")
        }
        _ = features
        inputDimensions = dims
    }

    /// Reads the graph's one output: the logits (or their softmax).
    mutating func readOutput() throws -> (kernel: [Float], bias: [Float], classes: Int) {
        guard graph.output.count == 1, let output = graph.output.first else {
            throw ONNXProblem(
                "the graph has \(graph.output.count) outputs "
                    + "(\(graph.output.map { "'\($0.name)'" }.joined(separator: ", "))); "
                    + "export only the classifier's output")
        }
        guard case .data(let data) = try value(of: output.name, for: "graph output '\(output.name)'"),
            data.stage == .logits, let head = data.head
        else {
            throw ONNXProblem(
                "graph output '\(output.name)' is not a Dense head on the last step's hidden state "
                    + "(Gemm, or MatMul and Add, after the recurrent layers)")
        }
        return (head.kernel, head.bias, head.bias.count)
    }

    // MARK: - Values

    /// The value of tensor `name`, evaluating its producer if needed; `consumer` names who reads it.
    mutating func value(of name: String, for consumer: String) throws -> GraphValue {
        if let known = values[name] { return known }
        if name == inputName {
            let (batch, time) = (inputDimensions[timeMajor ? 1 : 0], timeDimension)
            let leading = [Axis(role: .batch, size: batch), Axis(role: .time, size: time)]
            let value = GraphValue.data(
                DataValue(
                    axes: (timeMajor ? leading.reversed() : leading) + [Axis(role: .feature, size: inputDimensions[2])],
                    stage: .sequence(layers: 0)))
            values[name] = value
            return value
        }
        if let tensor = initializers[name] {
            let value = GraphValue.constant(try ONNXTensor(tensor, what: "initializer '\(name)'"))
            values[name] = value
            return value
        }
        guard let index = producers[name] else {
            throw ONNXProblem("\(consumer) reads '\(name)', which no node produces and no initializer holds")
        }
        if !evaluated.contains(index) { try evaluateBottomUp(from: index) }
        guard let value = values[name] else {
            throw ONNXProblem("\(graph.node[index].label(index: index)) does not produce its output '\(name)'")
        }
        return value
    }

    /// Evaluates node `root` and every node it depends on that is not evaluated yet, inputs
    /// first, with an explicit stack: a graph of any depth (a chain of thousands of nodes) is read
    /// without deep recursion, since each node then finds its inputs already evaluated.
    private mutating func evaluateBottomUp(from root: Int) throws {
        var stack = [(node: root, next: 0)]
        var onStack: Set<Int> = [root]
        while let top = stack.last {
            let node = graph.node[top.node]
            if top.next < node.input.count {
                stack[stack.count - 1].next += 1
                let input = node.input[top.next]
                guard !input.isEmpty, values[input] == nil, input != inputName, initializers[input] == nil,
                    let producer = producers[input], !evaluated.contains(producer)
                else { continue }
                guard onStack.insert(producer).inserted else {
                    throw ONNXProblem(
                        "\(graph.node[producer].label(index: producer)) depends on its own output (a cycle)")
                }
                stack.append((producer, 0))
                continue
            }
            stack.removeLast()
            onStack.remove(top.node)
            let outputs = try evaluate(node, label: node.label(index: top.node))
            evaluated.insert(top.node)
            for (output, value) in zip(node.output, outputs) where !output.isEmpty { values[output] = value }
        }
    }

    /// The value of input `position` of `node` (nil when the optional input is omitted).
    mutating func input(_ position: Int, of node: Onnx_NodeProto, _ label: String) throws -> GraphValue? {
        guard let name = node.input(position) else { return nil }
        return try value(of: name, for: label)
    }

    /// The value of a required input.
    mutating func required(_ position: Int, of node: Onnx_NodeProto, _ label: String) throws
        -> GraphValue
    {
        guard let value = try input(position, of: node, label) else {
            throw ONNXProblem("\(label) has no input \(position)")
        }
        return value
    }

    /// A constant input (or attribute-free constant), as a tensor.
    mutating func constant(_ position: Int, of node: Onnx_NodeProto, _ label: String, _ what: String)
        throws -> ONNXTensor?
    {
        guard let value = try input(position, of: node, label) else { return nil }
        switch value {
        case .constant(let tensor): return tensor
        case .dims(let dims) where dims.allSatisfy({ $0.fixedValue != nil }):
            return ONNXTensor(integers: dims.map { Int64($0.fixedValue!) })
        default:
            throw ONNXProblem("\(label): \(what) (input '\(node.input[position])') is not a constant")
        }
    }

    /// A constant integer list from input `position`, or from attribute `key` (older opsets).
    mutating func integerList(_ position: Int, _ key: String, of node: Onnx_NodeProto, _ label: String)
        throws -> [Int64]?
    {
        if let list = node.integers(key) { return list }
        guard let tensor = try constant(position, of: node, label, key) else { return nil }
        guard let integers = tensor.integers else { throw ONNXProblem("\(label): \(key) is not a list of integers") }
        return integers
    }

    // MARK: - Nodes

    /// Evaluates one node; returns one value per output.
    private mutating func evaluate(_ node: Onnx_NodeProto, label: String) throws -> [GraphValue] {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw ONNXProblem("\(label) is in operator domain '\(node.domain)'; Cellwise reads standard ONNX operators")
        }
        switch node.opType {
        case "RNN", "GRU", "LSTM":
            return try recurrent(node, label)
        case "Constant":
            return [try constantNode(node, label)]
        case "Identity", "Dropout":
            return [try required(0, of: node, label)]
        default:
            break
        }
        // Any input carrying the samples: the data rules; else constant folding.
        var inputs = [GraphValue?]()
        for position in node.input.indices { inputs.append(try input(position, of: node, label)) }
        if let position = inputs.firstIndex(where: { if case .data? = $0 { true } else { false } }),
            case .data(let data)? = inputs[position]
        {
            return [try dataOperation(node, label, data: data, at: position, inputs: inputs)]
        }
        return [try fold(node, label, inputs: inputs)]
    }

    private func constantNode(_ node: Onnx_NodeProto, _ label: String) throws -> GraphValue {
        if let attribute = node.attribute("value") {
            return .constant(try ONNXTensor(attribute.t, what: "\(label) value"))
        }
        if let value = node.attribute("value_float") {
            return .constant(ONNXTensor(shape: [], elements: .float([value.f])))
        }
        if let value = node.attribute("value_floats") {
            return .constant(ONNXTensor(shape: [value.floats.count], elements: .float(value.floats)))
        }
        if let value = node.attribute("value_int") {
            return .constant(ONNXTensor(shape: [], elements: .integer([value.i])))
        }
        if let value = node.attribute("value_ints") {
            return .constant(ONNXTensor(integers: value.ints))
        }
        throw ONNXProblem("\(label) has no value, value_float(s) or value_int(s) attribute Cellwise reads")
    }

    /// Appends a recurrent layer read from `node`, reading `input` (the layer below's output,
    /// whose passes, for a bidirectional layer below, are merged by now).
    mutating func append(_ layer: Layer, below input: DataValue, _ label: String) throws {
        guard case .sequence(let below) = input.stage else {
            throw ONNXProblem("\(label) reads a value that is not a sequence")
        }
        guard below == layers.count else {
            throw ONNXProblem(
                "\(label) reads the output of layer \(below) but \(layers[below].node) already does; "
                    + "Cellwise models are one stack of layers")
        }
        if below > 0 {
            try settleMerge(of: below - 1, input, label)
        }
        layers.append(layer)
    }

    /// Records how layer `index`'s passes are merged in `value` (what the layer above or the
    /// head reads); refuses one pass alone.
    mutating func settleMerge(of index: Int, _ value: DataValue, _ label: String) throws {
        let layer = layers[index]
        guard layer.weights.direction == .bidirectional else { return }
        guard value.pass == nil, let merge = value.merge else {
            throw ONNXProblem(
                "\(label) reads \(value.pass.map { "pass \($0) alone" } ?? "the two passes apart") of "
                    + "bidirectional \(layer.node); Cellwise layers read both, side by side or added")
        }
        layers[index].weights = layer.weights.with(direction: .bidirectional, merge: merge)
    }

    mutating func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }

    mutating func setAffine(_ value: InputAffine?) {
        affine = value
    }
}
