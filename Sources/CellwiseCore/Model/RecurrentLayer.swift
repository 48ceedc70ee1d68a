/// The weights of one recurrent layer, row-major with Keras's shapes and gate orders.
///
/// With `B` = ``RecurrentCell/blocks`` (1, 3 or 4) and `u` = ``units``: `kernel` is
/// `inputSize x (B u)`, `recurrentKernel` is `u x (B u)`, `bias` is `B u` (input and recurrent
/// biases folded together), and `recurrentBias` is the `u` values of the GRU's `b_rh`, which
/// sits inside the reset product when the reset gate comes after it (empty otherwise).
public struct RecurrentLayer: Sendable, Equatable {
    /// Features each step feeds this layer (the input's, or the layer below's units).
    public let inputSize: Int
    /// Hidden units.
    public let units: Int
    /// `inputSize x (blocks * units)`.
    public package(set) var kernel: [Float]
    /// `units x (blocks * units)`.
    public package(set) var recurrentKernel: [Float]
    /// `blocks * units`.
    public package(set) var bias: [Float]
    /// `units` for a GRU with the reset gate after the recurrent product, else empty.
    public package(set) var recurrentBias: [Float]

    /// A layer with zero weights.
    public init(cell: RecurrentCell, inputSize: Int, units: Int) {
        self.inputSize = inputSize
        self.units = units
        let width = cell.blocks * units
        kernel = .init(repeating: 0, count: inputSize * width)
        recurrentKernel = .init(repeating: 0, count: units * width)
        bias = .init(repeating: 0, count: width)
        recurrentBias = .init(repeating: 0, count: cell.hasRecurrentBias ? units : 0)
    }

    /// A layer from its weights, checked.
    ///
    /// - Throws: ``ModelFileError`` (with `source` as the file) naming a tensor (under `name`, e.g.
    ///   `layers[1]`) of the wrong size or a weight that is not finite.
    public init(
        cell: RecurrentCell, inputSize: Int, units: Int, kernel: [Float], recurrentKernel: [Float], bias: [Float],
        recurrentBias: [Float] = [], source: String = "model", name: String = "layers[0]"
    ) throws {
        self.init(cell: cell, inputSize: inputSize, units: units)
        let width = cell.blocks * units
        try Self.check(source, "\(name).kernel", kernel, inputSize * width, "\(inputSize)x\(width)")
        try Self.check(source, "\(name).recurrent_kernel", recurrentKernel, units * width, "\(units)x\(width)")
        try Self.check(source, "\(name).bias", bias, width, "\(width)")
        try Self.check(
            source, "\(name).recurrent_bias", recurrentBias, self.recurrentBias.count,
            self.recurrentBias.isEmpty ? "empty unless the cell is a GRU with the reset gate after" : "\(units)")
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.recurrentBias = recurrentBias
    }

    /// Checks one tensor's size and values.
    static func check(_ source: String, _ key: String, _ values: [Float], _ expected: Int, _ shape: String) throws {
        guard values.count == expected else {
            throw ModelFileError(source, "\(key) has \(values.count) values, expected \(expected) (\(shape))")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ModelFileError(source, "\(key)[\(bad)] is \(values[bad]), expected a finite number")
        }
    }

    /// The layer's tensors in a fixed order, for optimisers.
    var tensors: [[Float]] {
        get { [kernel, recurrentKernel, bias, recurrentBias] }
        set { (kernel, recurrentKernel, bias, recurrentBias) = (newValue[0], newValue[1], newValue[2], newValue[3]) }
    }
}
