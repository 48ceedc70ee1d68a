/// A Keras `SimpleRNN(units)` followed by `Dense(classes)`, in single precision.
///
/// Cell `t` computes `h_t = act_t(x_t W_x + h_{t-1} W_h + b)` with `h_0 = 0`; the logits are
/// `h_T W_d + b_d`. Kernels are stored row-major with Keras's shapes: `W_x` is
/// `inputSize x units`, `W_h` is `units x units`, `W_d` is `units x classes`.
///
/// The shapes are fixed when the model is made and the weights can only be replaced through
/// initialisers that check their sizes, so a model never disagrees with its buffers.
public struct SimpleRNN: Sendable, Equatable {
    /// Features per time step.
    public let inputSize: Int
    /// Hidden units.
    public let units: Int
    /// Output classes.
    public let classes: Int
    /// Time steps (cells).
    public let timeSteps: Int

    /// Input kernel, `inputSize x units`.
    public package(set) var inputKernel: [Float]
    /// Recurrent kernel, `units x units`.
    public package(set) var recurrentKernel: [Float]
    /// Recurrent-layer bias, `units`.
    public package(set) var bias: [Float]
    /// Dense kernel, `units x classes`.
    public package(set) var denseKernel: [Float]
    /// Dense bias, `classes`.
    public package(set) var denseBias: [Float]

    /// Creates a model with zero weights of the given shape.
    public init(
        inputSize: Int = DataSplit.featureCount, units: Int = 32, classes: Int = LabeledImages.classCount,
        timeSteps: Int = DataSplit.timeSteps
    ) {
        self.inputSize = inputSize
        self.units = units
        self.classes = classes
        self.timeSteps = timeSteps
        inputKernel = .init(repeating: 0, count: inputSize * units)
        recurrentKernel = .init(repeating: 0, count: units * units)
        bias = .init(repeating: 0, count: units)
        denseKernel = .init(repeating: 0, count: units * classes)
        denseBias = .init(repeating: 0, count: classes)
    }

    /// Creates a model from its weights (row-major, Keras's shapes).
    ///
    /// - Throws: ``ModelFileError`` (with `source` as the file) naming a tensor of the wrong size
    ///   or a weight that is not finite.
    public init(
        inputSize: Int, units: Int, classes: Int, timeSteps: Int, inputKernel: [Float], recurrentKernel: [Float],
        bias: [Float], denseKernel: [Float], denseBias: [Float], source: String = "model"
    ) throws {
        for (key, value, limit) in [
            ("input_size", inputSize, 1 << 16), ("units", units, 4096),
            ("classes", classes, 1 << 16), ("time_steps", timeSteps, 4096),
        ] {
            guard (1...limit).contains(value) else {
                throw ModelFileError(source, "architecture.\(key) is \(value), expected 1-\(limit)")
            }
        }
        let tensors: [(String, [Float], Int, String)] = [
            ("input_kernel", inputKernel, inputSize * units, "\(inputSize)x\(units)"),
            ("recurrent_kernel", recurrentKernel, units * units, "\(units)x\(units)"),
            ("bias", bias, units, "\(units)"),
            ("dense_kernel", denseKernel, units * classes, "\(units)x\(classes)"),
            ("dense_bias", denseBias, classes, "\(classes)"),
        ]
        for (key, values, expected, shape) in tensors {
            guard values.count == expected else {
                throw ModelFileError(
                    source, "weights.\(key) has \(values.count) values, expected \(expected) (\(shape))")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ModelFileError(source, "weights.\(key)[\(bad)] is \(values[bad]), expected a finite number")
            }
        }
        self.init(inputSize: inputSize, units: units, classes: classes, timeSteps: timeSteps)
        self.inputKernel = inputKernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.denseKernel = denseKernel
        self.denseBias = denseBias
    }

    /// Creates a model initialised as Keras does: Glorot-uniform kernels, an orthogonal
    /// recurrent kernel and zero biases, drawn from `seed`.
    public init(
        kerasInitializedWithSeed seed: UInt64, inputSize: Int = DataSplit.featureCount, units: Int = 32,
        classes: Int = LabeledImages.classCount, timeSteps: Int = DataSplit.timeSteps
    ) {
        self.init(inputSize: inputSize, units: units, classes: classes, timeSteps: timeSteps)
        var generator = SeededGenerator(seed: seed)
        inputKernel = KerasInitializer.glorotUniform(rows: inputSize, columns: units, using: &generator)
        recurrentKernel = KerasInitializer.orthogonal(size: units, using: &generator)
        denseKernel = KerasInitializer.glorotUniform(rows: units, columns: classes, using: &generator)
    }

    /// The number of trainable parameters.
    public var parameterCount: Int {
        inputKernel.count + recurrentKernel.count + bias.count + denseKernel.count + denseBias.count
    }

    /// All parameter tensors in a fixed order (input kernel, recurrent kernel, bias, dense
    /// kernel, dense bias), for optimisers and checks.
    package var parameters: [[Float]] {
        get { [inputKernel, recurrentKernel, bias, denseKernel, denseBias] }
        set {
            (inputKernel, recurrentKernel, bias, denseKernel, denseBias) = (
                newValue[0], newValue[1], newValue[2], newValue[3], newValue[4]
            )
        }
    }
}
