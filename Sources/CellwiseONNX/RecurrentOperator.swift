import CellwiseCore

/// ONNX's `RNN`, `GRU` and `LSTM` operators as Cellwise layers.
///
/// ONNX keeps `W` as `[directions, gates x hidden, input]`, `R` as `[directions, gates x hidden,
/// hidden]` and `B` as `[directions, 2 x gates x hidden]` (the `Wb` biases, then the `Rb`
/// biases), with gate orders `z r h` for GRU and `i o f c` for LSTM; a bidirectional operator's
/// direction 0 is the forward pass, 1 the reverse one, and its outputs `Y` `[time, 2, batch,
/// hidden]` and `Y_h` `[2, batch, hidden]` keep the two apart (a direction axis) until the graph
/// merges them: side by side (`Transpose` and `Reshape`, or `Concat` of the two) or added. Cellwise keeps Keras's
/// layouts: kernels transposed (`input x gates*hidden`), gates `z r h` and `i f c o`, the two
/// biases summed, except the GRU's `Rbh` when the reset gate comes after the recurrent product
/// (`linear_before_reset` 1), which stays apart as the layer's `recurrentBias`.
extension GraphInterpreter {
    mutating func recurrent(_ node: Onnx_NodeProto, _ label: String) throws -> [GraphValue] {
        let op = node.opType
        let directionName = node.string("direction") ?? "forward"
        guard let direction = LayerDirection(rawValue: directionName) else {
            throw ONNXProblem(
                "\(label): direction is \"\(directionName)\", expected forward, reverse or bidirectional")
        }
        let directions = direction.passes.count
        if let clip = node.attribute("clip") {
            throw ONNXProblem("\(label): clip is \(clip.f); Cellwise cells do not clip their pre-activations")
        }
        for key in ["activation_alpha", "activation_beta"] where node.attribute(key) != nil {
            throw ONNXProblem("\(label): \(key) is set; Cellwise reads the default activations only")
        }
        let expected =
            switch op {
            case "RNN": ["Tanh"]
            case "GRU": ["Sigmoid", "Tanh"]
            default: ["Sigmoid", "Tanh", "Tanh"]
            }
        if let activations = node.strings("activations"),
            activations.map({ $0.lowercased() }) != expected.map({ $0.lowercased() })
        {
            throw ONNXProblem(
                "\(label): activations are \(activations); Cellwise reads \(expected) (the \(op) defaults)")
        }
        if op == "LSTM", node.integer("input_forget", default: 0) != 0 {
            throw ONNXProblem("\(label): input_forget is 1 (coupled input and forget gates); Cellwise reads 0")
        }
        let layout = node.integer("layout", default: 0)
        guard layout == 0 || layout == 1 else { throw ONNXProblem("\(label): layout is \(layout), expected 0 or 1") }
        let linearBeforeReset = node.integer("linear_before_reset", default: 0)
        guard linearBeforeReset == 0 || linearBeforeReset == 1 else {
            throw ONNXProblem("\(label): linear_before_reset is \(linearBeforeReset), expected 0 or 1")
        }
        let cell: RecurrentCell =
            switch op {
            case "RNN": .simpleRNN
            case "GRU": .gru(resetAfter: linearBeforeReset == 1)
            default: .lstm
            }
        let gates = cell.blocks

        // The sequence.
        guard case .data(let x) = try required(0, of: node, label) else {
            throw ONNXProblem("\(label): input X is a constant, not the samples")
        }
        let order: [AxisRole] = layout == 0 ? [.time, .batch, .feature] : [.batch, .time, .feature]
        guard case .sequence(let below) = x.stage, !x.timeSelected, x.roles == order else {
            throw ONNXProblem(
                "\(label): input X is \(x.layout)\(x.stage == .logits ? " (the logits)" : ""); with layout \(layout) "
                    + "it must be a whole sequence laid out [\(order.map { "\($0)" }.joined(separator: ", "))]")
        }
        let inputSize = x.axes[2].size.fixedValue ?? 0

        // Weights.
        guard let w = try constant(1, of: node, label, "W"), let r = try constant(2, of: node, label, "R") else {
            throw ONNXProblem("\(label): W and R must be constants")
        }
        let hiddenFromW = w.shape.count == 3 ? w.shape[1] / gates : 0
        let hidden = Int(node.integer("hidden_size", default: Int64(hiddenFromW)))
        guard hidden > 0, w.shape == [directions, gates * hidden, inputSize] else {
            throw ONNXProblem(
                "\(label): W has shape \(w.shape), expected [\(directions), \(gates * max(hidden, 1)), \(inputSize)] "
                    + "(\(directions) direction(s), \(gates) gate(s) of hidden_size \(hidden) reading \(inputSize) "
                    + "features)")
        }
        guard r.shape == [directions, gates * hidden, hidden] else {
            throw ONNXProblem(
                "\(label): R has shape \(r.shape), expected [\(directions), \(gates * hidden), \(hidden)]")
        }
        var biases = [Float](repeating: 0, count: directions * 2 * gates * hidden)
        if let b = try constant(3, of: node, label, "B") {
            guard b.shape == [directions, 2 * gates * hidden] else {
                throw ONNXProblem(
                    "\(label): B has shape \(b.shape), expected [\(directions), \(2 * gates * hidden)]")
            }
            biases = b.floats
        }
        if node.input(4) != nil {
            throw ONNXProblem(
                "\(label): sequence_lens is given; Cellwise pre-pads shorter sequences and runs every step, so "
                    + "export the model without per-sample lengths")
        }
        for (position, name) in [(5, "initial_h"), (6, "initial_c")] {
            guard let value = try input(position, of: node, label) else { continue }
            switch value {
            case .zeros: continue
            case .constant(let tensor) where tensor.floats.allSatisfy({ $0 == 0 }): continue
            default:
                throw ONNXProblem("\(label): \(name) is not zero; Cellwise recurrences start from zero states")
            }
        }
        if op == "LSTM", let p = try constant(7, of: node, label, "P"), p.floats.contains(where: { $0 != 0 }) {
            throw ONNXProblem("\(label): input P (peephole weights) is not zero; Cellwise LSTMs have no peepholes")
        }

        // ONNX gate g -> Keras gate.
        let kerasGate: [Int] = op == "LSTM" ? [0, 3, 1, 2] : Array(0..<gates)
        let width = gates * hidden
        let (wv, rv) = (w.floats, r.floats)
        var passes = [RecurrentWeights]()
        for d in 0..<directions {
            var kernel = [Float](repeating: 0, count: inputSize * width)
            var recurrentKernel = [Float](repeating: 0, count: hidden * width)
            var bias = [Float](repeating: 0, count: width)
            var recurrentBias = [Float]()
            let (wBase, rBase, bBase) = (d * width * inputSize, d * width * hidden, d * 2 * width)
            for g in 0..<gates {
                let k = kerasGate[g]
                for j in 0..<hidden {
                    let row = g * hidden + j
                    let column = k * hidden + j
                    for i in 0..<inputSize { kernel[i * width + column] = wv[wBase + row * inputSize + i] }
                    for i in 0..<hidden { recurrentKernel[i * width + column] = rv[rBase + row * hidden + i] }
                    let (wb, rb) = (biases[bBase + row], biases[bBase + width + row])
                    if cell == .gru(resetAfter: true) && g == 2 {
                        bias[column] = wb
                        recurrentBias.append(rb)
                    } else {
                        bias[column] = wb + rb
                    }
                }
            }
            passes.append(
                RecurrentWeights(
                    kernel: kernel, recurrentKernel: recurrentKernel, bias: bias, recurrentBias: recurrentBias))
        }
        let weights: RecurrentLayer
        do {
            weights = try RecurrentLayer(
                cell: cell, inputSize: inputSize, units: hidden, direction: direction, passes: passes, source: label,
                name: "layer")
        } catch {
            throw ONNXProblem("\(error)")
        }
        try append(Layer(cell: cell, weights: weights, node: label), below: x, label)
        if below == 0 { setAffine(x.affine) }

        // Outputs: Y, Y_h (and Y_c), with a direction axis of 1 (a unit axis) or 2.
        let (time, batch) = (x.axes[layout == 0 ? 0 : 1], x.axes[layout == 0 ? 1 : 0])
        let direction1 =
            directions == 1 ? Axis(role: .unit, size: .fixed(1)) : Axis(role: .direction, size: .fixed(2))
        let features = Axis(role: .feature, size: .fixed(hidden))
        let layers = below + 1
        let y = DataValue(
            axes: layout == 0 ? [time, direction1, batch, features] : [batch, time, direction1, features],
            stage: .sequence(layers: layers))
        let lastAxes = layout == 0 ? [direction1, batch, features] : [batch, direction1, features]
        let yh = DataValue(axes: lastAxes, stage: .last(layers: layers))
        let yc = DataValue(axes: lastAxes, stage: .cellState)
        return [.data(y), .data(yh), .data(yc)]
    }
}
