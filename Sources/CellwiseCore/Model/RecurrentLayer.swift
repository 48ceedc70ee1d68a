/// One recurrent layer: its cell kind, its shape, which way it runs, and one set of weights per
/// pass (``RecurrentWeights``; two for a bidirectional layer, forward first).
///
/// The layer's output at each step has ``outputSize`` values: the pass's state, or for a
/// bidirectional layer both passes' states merged (``LayerMerge``). The layer above, or the
/// Dense head, reads that.
public struct RecurrentLayer: Sendable, Equatable {
    /// The cell kind.
    public let cell: RecurrentCell
    /// Features each step feeds this layer (the input's, or the layer below's ``outputSize``).
    public let inputSize: Int
    /// Hidden units of each pass.
    public let units: Int
    /// Which way the layer runs.
    public let direction: LayerDirection
    /// How a bidirectional layer's passes combine (``LayerMerge/concat`` for any other layer).
    public let merge: LayerMerge
    /// One set of weights per pass, in ``LayerDirection/passes`` order.
    public package(set) var passes: [RecurrentWeights]

    /// The values the layer gives each step: `2 units` for a concatenating bidirectional layer,
    /// else `units`.
    public var outputSize: Int { direction == .bidirectional && merge == .concat ? 2 * units : units }

    /// The first pass's input kernel (the only pass's, unless the layer is bidirectional).
    public var kernel: [Float] {
        get { passes[0].kernel }
        set { passes[0].kernel = newValue }
    }
    /// The first pass's recurrent kernel.
    public var recurrentKernel: [Float] {
        get { passes[0].recurrentKernel }
        set { passes[0].recurrentKernel = newValue }
    }
    /// The first pass's bias.
    public var bias: [Float] {
        get { passes[0].bias }
        set { passes[0].bias = newValue }
    }
    /// The first pass's recurrent bias.
    public var recurrentBias: [Float] {
        get { passes[0].recurrentBias }
        set { passes[0].recurrentBias = newValue }
    }

    /// A layer with zero weights.
    public init(
        cell: RecurrentCell, inputSize: Int, units: Int, direction: LayerDirection = .forward,
        merge: LayerMerge = .concat
    ) {
        self.cell = cell
        self.inputSize = inputSize
        self.units = units
        self.direction = direction
        self.merge = direction == .bidirectional ? merge : .concat
        let zero = RecurrentWeights(cell: cell, inputSize: inputSize, units: units)
        passes = Array(repeating: zero, count: direction.passes.count)
    }

    /// A one-pass layer from its weights, checked.
    ///
    /// - Throws: ``DataError`` (with `source` as the file) naming a tensor (under `name`, e.g.
    ///   `layers[1]`) of the wrong size or a weight that is not finite.
    public init(
        cell: RecurrentCell, inputSize: Int, units: Int, kernel: [Float], recurrentKernel: [Float], bias: [Float],
        recurrentBias: [Float] = [], direction: LayerDirection = .forward, source: String = "model",
        name: String = "layers[0]"
    ) throws {
        try self.init(
            cell: cell, inputSize: inputSize, units: units, direction: direction,
            passes: [
                RecurrentWeights(
                    kernel: kernel, recurrentKernel: recurrentKernel, bias: bias, recurrentBias: recurrentBias)
            ], source: source, name: name)
    }

    /// A layer from one set of weights per pass, checked.
    ///
    /// - Throws: ``DataError`` naming the first tensor of the wrong size or with a weight that is
    ///   not finite (a bidirectional layer's second pass is `name.backward`).
    public init(
        cell: RecurrentCell, inputSize: Int, units: Int, direction: LayerDirection, merge: LayerMerge = .concat,
        passes: [RecurrentWeights], source: String = "model", name: String = "layers[0]"
    ) throws {
        self.init(cell: cell, inputSize: inputSize, units: units, direction: direction, merge: merge)
        guard passes.count == direction.passes.count else {
            throw DataError(
                source,
                "\(name) has \(passes.count) sets of weights, a \(direction.rawValue) layer has "
                    + "\(direction.passes.count)")
        }
        let width = cell.blocks * units
        for (index, pass) in passes.enumerated() {
            let label = index == 0 ? name : "\(name).backward"
            try Self.check(source, "\(label).kernel", pass.kernel, inputSize * width, "\(inputSize)x\(width)")
            try Self.check(
                source, "\(label).recurrent_kernel", pass.recurrentKernel, units * width, "\(units)x\(width)")
            try Self.check(source, "\(label).bias", pass.bias, width, "\(width)")
            try Self.check(
                source, "\(label).recurrent_bias", pass.recurrentBias, cell.hasRecurrentBias ? units : 0,
                cell.hasRecurrentBias ? "\(units)" : "empty unless the cell is a GRU with the reset gate after")
        }
        self.passes = passes
    }

    /// The same layer running the other way(s) with the other merge, its weights kept.
    package func with(direction: LayerDirection, merge: LayerMerge = .concat) -> RecurrentLayer {
        var copy = RecurrentLayer(cell: cell, inputSize: inputSize, units: units, direction: direction, merge: merge)
        for index in copy.passes.indices where index < passes.count { copy.passes[index] = passes[index] }
        return copy
    }

    /// Checks one tensor's size and values.
    static func check(_ source: String, _ key: String, _ values: [Float], _ expected: Int, _ shape: String) throws {
        guard values.count == expected else {
            throw DataError(source, "\(key) has \(values.count) values, expected \(expected) (\(shape))")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw DataError(source, "\(key)[\(bad)] is \(values[bad]), expected a finite number")
        }
    }

    /// The layer's tensors in a fixed order (each pass's four), for optimisers.
    var tensors: [[Float]] {
        get { passes.flatMap(\.tensors) }
        set {
            for index in passes.indices { passes[index].tensors = Array(newValue[(4 * index)..<(4 * index + 4)]) }
        }
    }
}

/// The weights of one pass of a recurrent layer, row-major with Keras's shapes and gate orders.
///
/// With `B` = ``RecurrentCell/blocks`` (1, 3 or 4) and `u` units: `kernel` is
/// `inputSize x (B u)`, `recurrentKernel` is `u x (B u)`, `bias` is `B u` (input and recurrent
/// biases folded together), and `recurrentBias` is the `u` values of the GRU's `b_rh`, which
/// sits inside the reset product when the reset gate comes after it (empty otherwise).
public struct RecurrentWeights: Sendable, Equatable {
    /// `inputSize x (blocks * units)`.
    public package(set) var kernel: [Float]
    /// `units x (blocks * units)`.
    public package(set) var recurrentKernel: [Float]
    /// `blocks * units`.
    public package(set) var bias: [Float]
    /// `units` for a cell whose recurrent product adds a bias, else empty.
    public package(set) var recurrentBias: [Float]

    /// Weights as given (a layer checks their sizes).
    public init(kernel: [Float], recurrentKernel: [Float], bias: [Float], recurrentBias: [Float] = []) {
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.recurrentBias = recurrentBias
    }

    /// Zero weights of the right sizes.
    init(cell: RecurrentCell, inputSize: Int, units: Int) {
        let width = cell.blocks * units
        self.init(
            kernel: .init(repeating: 0, count: inputSize * width),
            recurrentKernel: .init(repeating: 0, count: units * width), bias: .init(repeating: 0, count: width),
            recurrentBias: .init(repeating: 0, count: cell.hasRecurrentBias ? units : 0))
    }

    var tensors: [[Float]] {
        get { [kernel, recurrentKernel, bias, recurrentBias] }
        set { (kernel, recurrentKernel, bias, recurrentBias) = (newValue[0], newValue[1], newValue[2], newValue[3]) }
    }
}
