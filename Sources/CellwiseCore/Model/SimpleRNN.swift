/// A Keras `SimpleRNN(units)` followed by `Dense(classes)`, in single precision.
///
/// Cell `t` computes `h_t = act_t(x_t W_x + h_{t-1} W_h + b)` with `h_0 = 0`; the logits are
/// `h_T W_d + b_d`. Kernels are stored row-major with Keras's shapes: `W_x` is
/// `inputSize x units`, `W_h` is `units x units`, `W_d` is `units x classes`.
public struct SimpleRNN: Sendable, Equatable {
    /// Features per time step.
    public var inputSize: Int
    /// Hidden units.
    public var units: Int
    /// Output classes.
    public var classes: Int
    /// Time steps (cells).
    public var timeSteps: Int

    /// Input kernel, `inputSize x units`.
    public var inputKernel: [Float]
    /// Recurrent kernel, `units x units`.
    public var recurrentKernel: [Float]
    /// Recurrent-layer bias, `units`.
    public var bias: [Float]
    /// Dense kernel, `units x classes`.
    public var denseKernel: [Float]
    /// Dense bias, `classes`.
    public var denseBias: [Float]

    /// Creates a model with zero weights of the given shape.
    public init(inputSize: Int = DataSplit.featureCount, units: Int = 32, classes: Int = LabeledImages.classCount,
                timeSteps: Int = DataSplit.timeSteps) {
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

    /// Creates a model initialised as Keras does: Glorot-uniform kernels, an orthogonal
    /// recurrent kernel and zero biases, drawn from `seed`.
    public init(kerasInitializedWithSeed seed: UInt64, inputSize: Int = DataSplit.featureCount, units: Int = 32,
                classes: Int = LabeledImages.classCount, timeSteps: Int = DataSplit.timeSteps) {
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
        set { (inputKernel, recurrentKernel, bias, denseKernel, denseBias) = (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4]) }
    }
}
