/// The operators on the value carrying the samples: layout changes (`Transpose`, `Squeeze`,
/// `Unsqueeze`, `Reshape`, `Flatten`), selecting the last step (`Gather`, `Slice`), per-feature
/// preprocessing of the input (`Sub`, `Div`, `Mul`, `Add` by constants), merging a bidirectional
/// layer's passes (`Reshape` of the direction and feature axes, `Concat` or `Add` of the two
/// passes, `ReduceSum` over the direction axis), and the head (`Gemm`, `MatMul`, `Add`, a final
/// `Softmax`).
extension GraphInterpreter {
    mutating func dataOperation(
        _ node: Onnx_NodeProto, _ label: String, data: DataValue, at position: Int, inputs: [GraphValue?]
    ) throws -> GraphValue {
        let samples = inputs.compactMap { value -> DataValue? in
            if case .data(let d)? = value { d } else { nil }
        }
        if samples.count > 1 {
            return .data(try mergePasses(node, label, samples))
        }
        var data = data
        switch node.opType {
        case "ReduceSum":
            let axes =
                try integerList(1, "axes", of: node, label)?.map { try normalisedAxis($0, data, label) } ?? []
            guard axes.count == 1, data.axes[axes[0]].role == .direction else {
                throw ONNXProblem("\(label) sums the samples over axes \(axes); Cellwise sums only a direction axis")
            }
            data.merge = .sum
            if node.integer("keepdims", default: 1) == 0 {
                data.axes.remove(at: axes[0])
            } else {
                data.axes[axes[0]] = Axis(role: .unit, size: .fixed(1))
            }
            return .data(data)
        case "Shape":
            return try sliceShape(data.axes.map(\.size), node)
        case "Cast":
            guard [1, 11].contains(node.integer("to", default: 1)) else {
                throw ONNXProblem("\(label) casts the samples to type \(node.integer("to", default: 0)), not float")
            }
            return .data(data)
        case "Transpose":
            let rank = data.axes.count
            let perm = node.integers("perm")?.map { Int($0) } ?? Array((0..<rank).reversed())
            guard perm.sorted() == Array(0..<rank) else {
                throw ONNXProblem("\(label): perm \(perm) is not a permutation of \(rank) axes")
            }
            data.axes = perm.map { data.axes[$0] }
            return .data(data)
        case "Squeeze":
            let rank = data.axes.count
            let axes = try integerList(1, "axes", of: node, label)?.map { Int($0 < 0 ? $0 + Int64(rank) : $0) }
            var kept = [Axis]()
            for (index, axis) in data.axes.enumerated() {
                let removable = axis.role == .unit || (axis.role == .time && data.timeSelected)
                if let axes, !axes.contains(index) {
                    kept.append(axis)
                } else if removable {
                    if axis.role == .time { try dropTime(&data, label) }
                } else if axes != nil {
                    throw ONNXProblem("\(label) squeezes the \(axis.role) axis of \(data.layout)")
                } else {
                    kept.append(axis)
                }
            }
            data.axes = kept
            return .data(data)
        case "Unsqueeze":
            let axes = try integerList(1, "axes", of: node, label) ?? []
            let rank = data.axes.count + axes.count
            for axis in axes.map({ Int($0 < 0 ? $0 + Int64(rank) : $0) }).sorted() {
                guard (0...data.axes.count).contains(axis) else {
                    throw ONNXProblem("\(label): axis \(axis) is out of range")
                }
                data.axes.insert(Axis(role: .unit, size: .fixed(1)), at: axis)
            }
            return .data(data)
        case "Reshape":
            let target = try list(inputs.count > 1 ? inputs[1] : nil, label, "the target shape")
            return .data(try reshape(data, to: target, label))
        case "Flatten":
            let axis = Int(node.integer("axis", default: 1))
            let split = axis < 0 ? axis + data.axes.count : axis
            func product(_ axes: ArraySlice<Axis>) -> Dimension {
                let essential = axes.filter { $0.size != .fixed(1) }
                return essential.count == 1
                    ? essential[0].size : .fixed(axes.compactMap(\.size.fixedValue).reduce(1, *))
            }
            return .data(
                try reshape(data, to: [product(data.axes.prefix(split)), product(data.axes.dropFirst(split))], label))
        case "Gather":
            guard position == 0, let indices = try constant(1, of: node, label, "indices"),
                let index = indices.integers?.first, indices.count == 1
            else {
                throw ONNXProblem("\(label) gathers from the samples with indices that are not one constant")
            }
            let axis = try normalisedAxis(node.integer("axis", default: 0), data, label)
            try select(&data, axis: axis, start: index, keepAxis: !indices.shape.isEmpty, label)
            return .data(data)
        case "Slice":
            let starts = try integerList(1, "starts", of: node, label) ?? []
            let ends = try integerList(2, "ends", of: node, label) ?? []
            let axes = try integerList(3, "axes", of: node, label) ?? starts.indices.map { Int64($0) }
            let steps = try integerList(4, "steps", of: node, label) ?? starts.map { _ in 1 }
            guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
                throw ONNXProblem("\(label): starts, ends, axes and steps differ in length")
            }
            for i in starts.indices {
                let axis = try normalisedAxis(axes[i], data, label)
                guard steps[i] == 1 else {
                    throw ONNXProblem("\(label): step \(steps[i]) along the \(data.axes[axis].role) axis")
                }
                let size = data.axes[axis].size
                let reachesEnd = ends[i] >= Int64(Int32.max) || size.fixedValue.map { ends[i] >= $0 } ?? false
                if starts[i] == 0 && reachesEnd { continue }
                guard reachesEnd else {
                    throw ONNXProblem(
                        "\(label) slices [\(starts[i]), \(ends[i])) of the \(data.axes[axis].role) axis; Cellwise "
                            + "reads only the last step")
                }
                try select(&data, axis: axis, start: starts[i], keepAxis: true, label)
            }
            return .data(data)
        case "Sub", "Add", "Mul", "Div":
            guard inputs.count == 2, case .constant(let operand)? = inputs[1 - position] else {
                throw ONNXProblem("\(label): \(node.opType) of the samples and a value that is not constant")
            }
            guard position == 0 || ["Add", "Mul"].contains(node.opType) else {
                throw ONNXProblem("\(label) computes constant \(node.opType == "Sub" ? "-" : "/") samples")
            }
            try elementwise(&data, node.opType, operand, label)
            return .data(data)
        case "Gemm":
            return .data(try gemm(node, label, data, at: position, inputs))
        case "MatMul":
            guard position == 0, case .constant(let weights)? = inputs[1], weights.shape.count == 2 else {
                throw ONNXProblem("\(label) multiplies the samples by a value that is not a constant matrix")
            }
            try readHead(&data, kernel: weights.floats, rows: weights.shape[0], columns: weights.shape[1], label)
            return .data(data)
        case "Softmax", "LogSoftmax":
            guard data.stage == .logits,
                try normalisedAxis(node.integer("axis", default: -1), data, label) == data.axes.count - 1
            else {
                throw ONNXProblem("\(label) is applied before the Dense head's output or along another axis")
            }
            note("the graph's final \(node.opType) is dropped: Cellwise models output logits (same argmax)")
            return .data(data)
        default:
            throw ONNXProblem(
                "\(label): operator \(node.opType) on the samples is not one Cellwise reads (recurrent models: RNN, "
                    + "GRU, LSTM and a Dense head)" + Self.unrolledHint(node.opType))
        }
    }

    private func normalisedAxis(_ axis: Int64, _ data: DataValue, _ label: String) throws -> Int {
        let rank = data.axes.count
        let a = Int(axis < 0 ? axis + Int64(rank) : axis)
        guard (0..<rank).contains(a) else { throw ONNXProblem("\(label): axis \(axis) is out of range for \(rank)") }
        return a
    }

    /// The time axis is gone: the value is the last step's hidden state.
    private func dropTime(_ data: inout DataValue, _ label: String) throws {
        guard case .sequence(let layers) = data.stage, layers > 0 else {
            throw ONNXProblem("\(label) selects a step of the input before any recurrent layer")
        }
        data.stage = .last(layers: layers)
        data.timeSelected = false
        data.selectedFromSequence = true
    }

    /// `Gather` or `Slice` from `start` along `axis`: the last step of the time axis, or index 0 of a unit axis.
    private func select(_ data: inout DataValue, axis: Int, start: Int64, keepAxis: Bool, _ label: String)
        throws
    {
        let selected = data.axes[axis]
        switch selected.role {
        case .direction:
            guard data.pass == nil, start >= -2, start <= 1 else {
                throw ONNXProblem("\(label): index \(start) of a direction axis of 2")
            }
            data.pass = Int(start < 0 ? start + 2 : start)
            data.axes[axis] = Axis(role: .unit, size: .fixed(1))
        case .unit:
            guard start == 0 || start == -1 else { throw ONNXProblem("\(label): index \(start) of a length-1 axis") }
        case .time where data.timeSelected:
            guard start == 0 || start == -1 else { throw ONNXProblem("\(label): index \(start) of the last step") }
        case .time:
            let last = start == -1 || selected.size.fixedValue.map { start == Int64($0 - 1) } ?? false
            guard last else {
                throw ONNXProblem(
                    "\(label) selects step \(start) of \(selected.size); Cellwise models read the last step "
                        + "(pre-padded "
                        + "sequences end there)")
            }
            guard case .sequence(let layers) = data.stage, layers > 0 else {
                throw ONNXProblem("\(label) selects a step of the input before any recurrent layer")
            }
            data.timeSelected = true
            data.axes[axis].size = .fixed(1)
        default:
            throw ONNXProblem("\(label) selects index \(start) along the \(selected.role) axis of \(data.layout)")
        }
        if !keepAxis {
            data.axes.remove(at: axis)
            if selected.role == .time { try dropTime(&data, label) }
        }
    }

    /// `Concat` (along the features) or `Add`/`Sum` of a bidirectional layer's two passes, each
    /// selected from its direction axis.
    private func mergePasses(_ node: Onnx_NodeProto, _ label: String, _ values: [DataValue]) throws -> DataValue {
        let passes = values.map(\.pass)
        guard values.count == 2, values[0].stage == values[1].stage, values[0].roles == values[1].roles,
            Set(passes) == [0, 1], values.allSatisfy({ $0.merge == nil })
        else {
            throw ONNXProblem(
                "\(label) combines the samples with themselves; Cellwise reads one chain of layers (merging a "
                    + "bidirectional layer's two passes is the one combination it reads)")
        }
        var merged = values[0]
        merged.pass = nil
        switch node.opType {
        case "Concat":
            let axis = try normalisedAxis(node.integer("axis", default: 0), merged, label)
            guard merged.axes[axis].role == .feature, passes == [0, 1], let u = merged.axes[axis].size.fixedValue
            else {
                throw ONNXProblem(
                    "\(label) concatenates a bidirectional layer's passes along the \(merged.axes[axis].role) axis"
                        + (passes == [0, 1] ? "" : ", reverse pass first")
                        + "; Cellwise reads [forward | reverse] along the features")
            }
            merged.axes[axis].size = .fixed(2 * u)
            merged.merge = .concat
        case "Add", "Sum":
            merged.merge = .sum
        default:
            throw ONNXProblem(
                "\(label): operator \(node.opType) of a bidirectional layer's two passes; Cellwise reads them "
                    + "concatenated or added")
        }
        return merged
    }

    /// Reshape that only adds or removes length-1 axes (a selected time axis counts as one), or
    /// merges a direction axis with the feature axis right after it: the passes side by side.
    private func reshape(_ data: DataValue, to target: [Dimension], _ label: String) throws -> DataValue {
        let essential = data.axes.filter { $0.role != .unit && !($0.role == .time && data.timeSelected) }
        if let d = essential.firstIndex(where: { $0.role == .direction }), d + 1 < essential.count,
            essential[d + 1].role == .feature, let u = essential[d + 1].size.fixedValue
        {
            // [.., direction 2, feature u] -> [.., feature 2u]: forward then reverse along the features.
            var merged = essential
            merged.replaceSubrange(d...(d + 1), with: [Axis(role: .feature, size: .fixed(2 * u))])
            var value = data
            value.merge = .concat
            if let result = try? reshapeEssential(value, essential: merged, to: target, label) { return result }
        }
        return try reshapeEssential(data, essential: essential, to: target, label)
    }

    private func reshapeEssential(_ data: DataValue, essential: [Axis], to target: [Dimension], _ label: String)
        throws -> DataValue
    {
        var result = data
        var axes = [Axis]()
        var next = 0
        for (index, dim) in target.enumerated() {
            let wanted = dim == .fixed(0) && index < data.axes.count ? data.axes[index].size : dim
            if next < essential.count, wanted == .fixed(-1) || wanted == essential[next].size {
                axes.append(essential[next])
                next += 1
            } else if wanted == .fixed(1) {
                axes.append(Axis(role: .unit, size: .fixed(1)))
            } else {
                throw ONNXProblem(
                    "\(label) reshapes \(data.layout) \(data.axes.map(\.size)) to \(target), which mixes its axes")
            }
        }
        guard next == essential.count else {
            throw ONNXProblem(
                "\(label) reshapes \(data.layout) \(data.axes.map(\.size)) to \(target), which mixes its axes")
        }
        result.axes = axes
        if data.timeSelected { try dropTime(&result, label) }
        return result
    }

    /// A constant broadcast against the samples as one value per element of the last non-unit axis of
    /// the operand aligned with `axis` (or a scalar).
    private func perAxis(_ operand: ONNXTensor, _ data: DataValue, axis: Int, size: Int, _ label: String)
        throws -> [Double]
    {
        let values = operand.floats.map(Double.init)
        if values.count == 1 { return .init(repeating: values[0], count: size) }
        // Right-aligned broadcasting: the operand's varying dimension must sit under `axis`.
        let offset = data.axes.count - operand.shape.count
        for (i, n) in operand.shape.enumerated() where n != 1 {
            guard offset + i == axis, n == size else {
                throw ONNXProblem(
                    "\(label): a constant of shape \(operand.shape) varies along an axis other than the "
                        + "\(data.axes[axis].role) axis of \(data.layout)")
            }
        }
        return values
    }

    /// Per-feature preprocessing of the input, or a rescaling of the logits.
    private mutating func elementwise(_ data: inout DataValue, _ op: String, _ operand: ONNXTensor, _ label: String)
        throws
    {
        guard let axis = data.axes.firstIndex(where: { $0.role == .feature }),
            let size = data.axes[axis].size.fixedValue
        else { throw ONNXProblem("\(label): the samples have no feature axis") }
        let c = try perAxis(operand, data, axis: axis, size: size, label)
        switch data.stage {
        case .sequence(layers: 0):
            var affine = data.affine ?? InputAffine(features: size)
            for j in 0..<size {
                switch op {
                case "Sub": affine.mean[j] += c[j] * affine.deviation[j]
                case "Add": affine.mean[j] -= c[j] * affine.deviation[j]
                case "Mul", "Div":
                    let factor = op == "Mul" ? c[j] : 1 / c[j]
                    guard factor.isFinite, factor > 0 else {
                        throw ONNXProblem("\(label) scales feature \(j) by \(factor); expected a positive factor")
                    }
                    affine.deviation[j] /= factor
                default: break
                }
            }
            data.affine = affine
        case .logits:
            guard var head = data.head else { throw ONNXProblem("\(label): no head") }
            let columns = head.bias.count
            for j in 0..<columns {
                switch op {
                case "Add": head.bias[j] += Float(c[j])
                case "Sub": head.bias[j] -= Float(c[j])
                default:
                    let factor = Float(op == "Mul" ? c[j] : 1 / c[j])
                    head.bias[j] *= factor
                    for row in 0..<(head.kernel.count / columns) { head.kernel[row * columns + j] *= factor }
                }
            }
            data.head = head
        default:
            throw ONNXProblem(
                "\(label) applies \(op) to a hidden state; Cellwise reads per-feature preprocessing of the input "
                    + "and the Dense head only")
        }
    }

    /// The Dense head: `kernel` is `rows x columns` applied to the last step's hidden state.
    private mutating func readHead(_ data: inout DataValue, kernel: [Float], rows: Int, columns: Int, _ label: String)
        throws
    {
        guard case .last(let layers) = data.stage else {
            let what =
                switch data.stage {
                case .logits: "the logits"
                case .cellState: "the LSTM's cell state (Y_c)"
                default: "every step"
                }
            throw ONNXProblem("\(label) reads \(what); Cellwise heads read the last step's hidden state")
        }
        let features = data.axes.filter { $0.role == .feature }
        guard data.axes.filter({ $0.role != .unit }).map(\.role) == [.batch, .feature], features.count == 1,
            features[0].size == .fixed(rows)
        else {
            throw ONNXProblem(
                "\(label) multiplies \(data.layout) \(data.axes.map(\.size)) by a \(rows)x\(columns) matrix; expected "
                    + "[batch, \(rows)] after \(layers) layer(s)")
        }
        try settleMerge(of: layers - 1, data, label)
        if data.selectedFromSequence, self.layers[layers - 1].weights.direction != .forward {
            throw ONNXProblem(
                "\(label) reads the last step of \(self.layers[layers - 1].node)'s output Y, where its reverse pass "
                    + "has run one step; Cellwise heads read each pass's final state: Y_h (PyTorch's h_n)")
        }
        data.stage = .logits
        data.axes = data.axes.map { $0.role == .feature ? Axis(role: .feature, size: .fixed(columns)) : $0 }
        data.head = (kernel, .init(repeating: 0, count: columns))
    }

    private mutating func gemm(
        _ node: Onnx_NodeProto, _ label: String, _ data: DataValue, at position: Int, _ inputs: [GraphValue?]
    ) throws -> DataValue {
        guard position == 0, node.integer("transA", default: 0) == 0 else {
            throw ONNXProblem("\(label): the samples must be input A, not transposed (transA 0)")
        }
        guard inputs.count > 1, case .constant(let b)? = inputs[1], b.shape.count == 2 else {
            throw ONNXProblem("\(label): input B is not a constant matrix")
        }
        let alpha = node.float("alpha", default: 1)
        let beta = node.float("beta", default: 1)
        let transposed = node.integer("transB", default: 0) != 0
        let (rows, columns) = transposed ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        let values = b.floats
        var kernel = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                kernel[r * columns + c] = alpha * (transposed ? values[c * rows + r] : values[r * columns + c])
            }
        }
        var result = data
        try readHead(&result, kernel: kernel, rows: rows, columns: columns, label)
        if inputs.count > 2, let c = inputs[2] {
            guard case .constant(let bias) = c, bias.count == 1 || bias.count == columns,
                bias.shape.dropLast().allSatisfy({ $0 == 1 })
            else { throw ONNXProblem("\(label): input C is not a constant of \(columns) values") }
            let floats = bias.floats
            result.head?.bias = (0..<columns).map { beta * floats[floats.count == 1 ? 0 : $0] }
        }
        return result
    }
}
