/// A recurrent classifier in single precision: stacked recurrent layers over `timeSteps` steps,
/// then `Dense(classes)` on the last layer's final state. Each layer has its own cell kind
/// (SimpleRNN, GRU, LSTM or a ``CellGraph`` of one's own) and direction; a bidirectional layer's
/// final state is both passes' last states, merged (what Keras's `Bidirectional` gives the layer
/// above without `return_sequences`, and ONNX's `Y_h`). The paper's model is
/// `RecurrentModel(cell: .simpleRNN, inputSize: 28, units: [32], classes: 10, timeSteps: 28)`.
///
/// Every state starts at zero. Kernels are row-major with Keras's shapes (``RecurrentLayer``);
/// the Dense kernel is `outputSize x classes`. Shapes are fixed when the model is made and weights
/// can only be replaced through initialisers that check their sizes.
public struct RecurrentModel: Sendable, Equatable {
    /// The layers, the one reading the input first.
    public package(set) var layers: [RecurrentLayer]
    /// Output classes.
    public let classes: Int
    /// Time steps.
    public let timeSteps: Int
    /// How raw samples become inputs.
    public var input: InputTransform
    /// Dense kernel, `outputSize x classes` (the last layer's output).
    public package(set) var denseKernel: [Float]
    /// Dense bias, `classes`.
    public package(set) var denseBias: [Float]

    /// Features per time step.
    public var inputSize: Int { layers[0].inputSize }
    /// The last layer's units (per pass).
    public var units: Int { layers[layers.count - 1].units }
    /// What the Dense head reads: the last layer's ``RecurrentLayer/outputSize``.
    public var outputSize: Int { layers[layers.count - 1].outputSize }
    /// The cell kind every layer shares, or nil for a stack of different kinds.
    public var cell: RecurrentCell? {
        let first = layers[0].cell
        return layers.allSatisfy { $0.cell == first } ? first : nil
    }
    /// Whether every layer runs forward.
    public var isForward: Bool { layers.allSatisfy { $0.direction == .forward } }
    /// The activation sites.
    public var sites: SiteLayout {
        SiteLayout(layers: layers.map { .init(cell: $0.cell, direction: $0.direction) }, timeSteps: timeSteps)
    }

    /// Creates a model with zero weights; `units` gives each layer's hidden units.
    public init(
        cell: RecurrentCell = .simpleRNN, inputSize: Int = 28, units: [Int] = [32], classes: Int = 10,
        timeSteps: Int = 28, input: InputTransform = .imageRows
    ) {
        precondition(!units.isEmpty, "a model needs a layer")
        self.init(
            stack: units.map { LayerShape(cell: cell, units: $0) }, inputSize: inputSize, classes: classes,
            timeSteps: timeSteps, input: input)
    }

    /// Creates a model from its layers and head, checking every shape.
    ///
    /// - Throws: ``ModelFileError`` (with `source` as the file) naming the first bad size or value.
    public init(
        layers: [RecurrentLayer], classes: Int, timeSteps: Int, input: InputTransform,
        denseKernel: [Float], denseBias: [Float], source: String = "model"
    ) throws {
        guard (1...16).contains(layers.count) else {
            throw ModelFileError(source, "has \(layers.count) layers, expected 1-16")
        }
        for (key, value, limit) in [
            ("input_size", layers[0].inputSize, 1 << 16), ("classes", classes, 1 << 16),
            ("time_steps", timeSteps, 4096),
        ] {
            guard (1...limit).contains(value) else {
                throw ModelFileError(source, "architecture.\(key) is \(value), expected 1-\(limit)")
            }
        }
        for (index, layer) in layers.enumerated() {
            guard (1...4096).contains(layer.units) else {
                throw ModelFileError(source, "layers[\(index)] has \(layer.units) units, expected 1-4096")
            }
            if index > 0, layer.inputSize != layers[index - 1].outputSize {
                throw ModelFileError(
                    source,
                    "layers[\(index)] reads \(layer.inputSize) features, layer \(index - 1) gives "
                        + "\(layers[index - 1].outputSize)")
            }
            // Re-check the sizes against the cell kind.
            _ = try RecurrentLayer(
                cell: layer.cell, inputSize: layer.inputSize, units: layer.units, direction: layer.direction,
                merge: layer.merge, passes: layer.passes, source: source, name: "layers[\(index)]")
        }
        let units = layers[layers.count - 1].outputSize
        try RecurrentLayer.check(source, "dense_kernel", denseKernel, units * classes, "\(units)x\(classes)")
        try RecurrentLayer.check(source, "dense_bias", denseBias, classes, "\(classes)")
        try input.validate(featureCount: layers[0].inputSize, source: source)
        self.layers = layers
        self.classes = classes
        self.timeSteps = timeSteps
        self.input = input
        self.denseKernel = denseKernel
        self.denseBias = denseBias
    }

    /// A model of zero weights with the given layers' shapes: each entry's cell, units, direction
    /// and merge (the first reads `inputSize` features, each next one the previous one's output).
    public init(
        stack: [LayerShape], inputSize: Int, classes: Int, timeSteps: Int, input: InputTransform = .imageRows
    ) {
        precondition(!stack.isEmpty, "a model needs a layer")
        self.classes = classes
        self.timeSteps = timeSteps
        self.input = input
        var layers = [RecurrentLayer]()
        var width = inputSize
        for shape in stack {
            let layer = RecurrentLayer(
                cell: shape.cell, inputSize: width, units: shape.units, direction: shape.direction,
                merge: shape.merge)
            layers.append(layer)
            width = layer.outputSize
        }
        self.layers = layers
        denseKernel = .init(repeating: 0, count: width * classes)
        denseBias = .init(repeating: 0, count: classes)
    }

    /// Creates a model initialised as Keras does, drawn from `seed`: Glorot-uniform kernels,
    /// orthogonal recurrent kernels (one orthogonal block per gate), zero biases except the
    /// LSTM's forget gate (1, Keras's `unit_forget_bias`).
    public init(
        kerasInitializedWithSeed seed: UInt64, cell: RecurrentCell = .simpleRNN, inputSize: Int = 28,
        units: [Int] = [32], classes: Int = 10, timeSteps: Int = 28, input: InputTransform = .imageRows
    ) {
        self.init(
            kerasInitializedWithSeed: seed, stack: units.map { LayerShape(cell: cell, units: $0) },
            inputSize: inputSize, classes: classes, timeSteps: timeSteps, input: input)
    }

    /// A stack of any layers initialised as Keras does (see above), each pass in turn.
    public init(
        kerasInitializedWithSeed seed: UInt64, stack: [LayerShape], inputSize: Int, classes: Int, timeSteps: Int,
        input: InputTransform = .imageRows
    ) {
        self.init(stack: stack, inputSize: inputSize, classes: classes, timeSteps: timeSteps, input: input)
        var generator = SeededGenerator(seed: seed)
        for index in layers.indices {
            let cell = layers[index].cell
            let blocks = cell.blocks
            let (f, u) = (layers[index].inputSize, layers[index].units)
            for pass in layers[index].passes.indices {
                layers[index].passes[pass].kernel = KerasInitializer.glorotUniform(
                    rows: f, columns: blocks * u, using: &generator)
                let gates = (0..<blocks).map { _ in KerasInitializer.orthogonal(size: u, using: &generator) }
                var recurrent = [Float](repeating: 0, count: u * blocks * u)
                for (g, block) in gates.enumerated() {
                    for row in 0..<u {
                        for column in 0..<u { recurrent[row * blocks * u + g * u + column] = block[row * u + column] }
                    }
                }
                layers[index].passes[pass].recurrentKernel = recurrent
                if cell == .lstm {
                    for j in 0..<u { layers[index].passes[pass].bias[u + j] = 1 }
                }
            }
        }
        denseKernel = KerasInitializer.glorotUniform(rows: outputSize, columns: classes, using: &generator)
    }

    /// The number of trainable parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All parameter tensors in a fixed order (each layer's passes' kernel, recurrent kernel, bias
    /// and recurrent bias, then the Dense kernel and bias), for optimisers and checks.
    package var parameters: [[Float]] {
        get { layers.flatMap(\.tensors) + [denseKernel, denseBias] }
        set {
            var next = 0
            for index in layers.indices {
                let count = 4 * layers[index].passes.count
                layers[index].tensors = Array(newValue[next..<(next + count)])
                next += count
            }
            denseKernel = newValue[next]
            denseBias = newValue[next + 1]
        }
    }

    /// The layers' shapes.
    public var stack: [LayerShape] {
        layers.map { LayerShape(cell: $0.cell, units: $0.units, direction: $0.direction, merge: $0.merge) }
    }

    /// A model of the same shape with zero weights (for gradients).
    package var zeroed: RecurrentModel {
        RecurrentModel(stack: stack, inputSize: inputSize, classes: classes, timeSteps: timeSteps, input: input)
    }
}
