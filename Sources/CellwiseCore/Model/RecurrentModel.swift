/// A recurrent classifier in single precision: one or more stacked layers of one cell kind
/// (SimpleRNN, GRU or LSTM) over `timeSteps` steps, then `Dense(classes)` on the last layer's
/// final hidden state. The paper's model is `RecurrentModel(cell: .simpleRNN, inputSize: 28,
/// units: [32], classes: 10, timeSteps: 28)`.
///
/// Every state starts at zero. Kernels are row-major with Keras's shapes (``RecurrentLayer``);
/// the Dense kernel is `units x classes`. Shapes are fixed when the model is made and weights
/// can only be replaced through initialisers that check their sizes.
public struct RecurrentModel: Sendable, Equatable {
    /// The cell kind of every layer.
    public let cell: RecurrentCell
    /// The layers, the one reading the input first.
    public package(set) var layers: [RecurrentLayer]
    /// Output classes.
    public let classes: Int
    /// Time steps.
    public let timeSteps: Int
    /// How raw samples become inputs.
    public var input: InputTransform
    /// Dense kernel, `units x classes` (the last layer's units).
    public package(set) var denseKernel: [Float]
    /// Dense bias, `classes`.
    public package(set) var denseBias: [Float]

    /// Features per time step.
    public var inputSize: Int { layers[0].inputSize }
    /// The last layer's units (what the Dense head reads).
    public var units: Int { layers[layers.count - 1].units }
    /// The activation sites.
    public var sites: SiteLayout { SiteLayout(cell: cell, layers: layers.count, timeSteps: timeSteps) }

    /// Creates a model with zero weights; `units` gives each layer's hidden units.
    public init(
        cell: RecurrentCell = .simpleRNN, inputSize: Int = 28, units: [Int] = [32], classes: Int = 10,
        timeSteps: Int = 28, input: InputTransform = .imageRows
    ) {
        precondition(!units.isEmpty, "a model needs a layer")
        self.cell = cell
        self.classes = classes
        self.timeSteps = timeSteps
        self.input = input
        var layers = [RecurrentLayer]()
        var width = inputSize
        for u in units {
            layers.append(RecurrentLayer(cell: cell, inputSize: width, units: u))
            width = u
        }
        self.layers = layers
        denseKernel = .init(repeating: 0, count: width * classes)
        denseBias = .init(repeating: 0, count: classes)
    }

    /// Creates a model from its layers and head, checking every shape.
    ///
    /// - Throws: ``ModelFileError`` (with `source` as the file) naming the first bad size or value.
    public init(
        cell: RecurrentCell, layers: [RecurrentLayer], classes: Int, timeSteps: Int, input: InputTransform,
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
            if index > 0, layer.inputSize != layers[index - 1].units {
                throw ModelFileError(
                    source,
                    "layers[\(index)] reads \(layer.inputSize) features, layer \(index - 1) has "
                        + "\(layers[index - 1].units) units")
            }
            // Re-check the sizes against the cell kind.
            _ = try RecurrentLayer(
                cell: cell, inputSize: layer.inputSize, units: layer.units, kernel: layer.kernel,
                recurrentKernel: layer.recurrentKernel, bias: layer.bias, recurrentBias: layer.recurrentBias,
                source: source, name: "layers[\(index)]")
        }
        let units = layers[layers.count - 1].units
        try RecurrentLayer.check(source, "dense_kernel", denseKernel, units * classes, "\(units)x\(classes)")
        try RecurrentLayer.check(source, "dense_bias", denseBias, classes, "\(classes)")
        try input.validate(featureCount: layers[0].inputSize, source: source)
        self.cell = cell
        self.layers = layers
        self.classes = classes
        self.timeSteps = timeSteps
        self.input = input
        self.denseKernel = denseKernel
        self.denseBias = denseBias
    }

    /// Creates a model initialised as Keras does, drawn from `seed`: Glorot-uniform kernels,
    /// orthogonal recurrent kernels (one orthogonal block per gate), zero biases except the
    /// LSTM's forget gate (1, Keras's `unit_forget_bias`).
    public init(
        kerasInitializedWithSeed seed: UInt64, cell: RecurrentCell = .simpleRNN, inputSize: Int = 28,
        units: [Int] = [32], classes: Int = 10, timeSteps: Int = 28, input: InputTransform = .imageRows
    ) {
        self.init(
            cell: cell, inputSize: inputSize, units: units, classes: classes, timeSteps: timeSteps, input: input)
        var generator = SeededGenerator(seed: seed)
        let blocks = cell.blocks
        for index in layers.indices {
            let (f, u) = (layers[index].inputSize, layers[index].units)
            layers[index].kernel = KerasInitializer.glorotUniform(rows: f, columns: blocks * u, using: &generator)
            let gates = (0..<blocks).map { _ in KerasInitializer.orthogonal(size: u, using: &generator) }
            var recurrent = [Float](repeating: 0, count: u * blocks * u)
            for (g, block) in gates.enumerated() {
                for row in 0..<u {
                    for column in 0..<u { recurrent[row * blocks * u + g * u + column] = block[row * u + column] }
                }
            }
            layers[index].recurrentKernel = recurrent
            if cell == .lstm {
                for j in 0..<u { layers[index].bias[u + j] = 1 }
            }
        }
        denseKernel = KerasInitializer.glorotUniform(rows: self.units, columns: classes, using: &generator)
    }

    /// The number of trainable parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All parameter tensors in a fixed order (each layer's kernel, recurrent kernel, bias and
    /// recurrent bias, then the Dense kernel and bias), for optimisers and checks.
    package var parameters: [[Float]] {
        get { layers.flatMap(\.tensors) + [denseKernel, denseBias] }
        set {
            for index in layers.indices { layers[index].tensors = Array(newValue[(4 * index)..<(4 * index + 4)]) }
            denseKernel = newValue[4 * layers.count]
            denseBias = newValue[4 * layers.count + 1]
        }
    }

    /// A model of the same shape with zero weights (for gradients).
    package var zeroed: RecurrentModel {
        RecurrentModel(
            cell: cell, inputSize: inputSize, units: layers.map(\.units), classes: classes, timeSteps: timeSteps,
            input: input)
    }
}
