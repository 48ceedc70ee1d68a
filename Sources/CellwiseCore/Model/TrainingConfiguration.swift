/// Hyperparameters of ``Trainer``; defaults follow the paper (Keras semantics).
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Seed of the weight initialisation and of the batch shuffles.
    public var seed: UInt64 = 1
    /// Seed of the train/validation/test shuffle.
    public var splitSeed: UInt64 = 1
    /// The cell kind (the paper's SimpleRNN by default).
    public var cell: CellChoice = .simpleRNN
    /// The name of the cell kind trained instead of `cell` when it is defined outside Cellwise (a
    /// ``CellGraph`` passed to the trainer; the model file carries the graph itself), nil for a
    /// built-in `cell`. Recorded so that a custom cell's model names its seed and settings too.
    public var cellGraph: String?
    /// Stacked recurrent layers.
    public var layers: Int = 1
    /// Which way every layer runs (``LayerDirection/bidirectional``: PyTorch's `bidirectional=True`).
    public var direction: LayerDirection = .forward
    /// How a bidirectional layer's passes combine.
    public var merge: LayerMerge = .concat
    /// Hidden units of every recurrent layer.
    public var units: Int = 32
    /// Upper bound on the number of epochs.
    public var epochs: Int = 100
    /// Samples per Adam step.
    public var batchSize: Int = 128
    /// Starting learning rate.
    public var learningRate: Double = 1e-2
    /// Lowest learning rate ReduceLROnPlateau may reach.
    public var minimumLearningRate: Double = 1e-5
    /// Factor ReduceLROnPlateau multiplies the learning rate by.
    public var reduceFactor: Double = 0.5
    /// Epochs without validation-loss improvement before the learning rate is reduced.
    public var reducePatience: Int = 3
    /// Epochs without validation-loss improvement before training stops (the best weights are restored).
    public var earlyStoppingPatience: Int = 10
    /// Adam's first-moment decay.
    public var beta1: Double = 0.9
    /// Adam's second-moment decay.
    public var beta2: Double = 0.999
    /// Adam's epsilon (Keras's default).
    public var epsilon: Double = 1e-7
    /// Use only this many training samples (all when nil); for quick runs and tests.
    public var trainingLimit: Int?

    /// The paper's configuration.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case seed, splitSeed, cell, cellGraph, layers, direction, merge, units, epochs, batchSize, learningRate,
            minimumLearningRate, reduceFactor
        case reducePatience, earlyStoppingPatience, beta1, beta2, epsilon, trainingLimit
    }

    /// Decodes a configuration; `cell` and `layers` (added in model file version 2) default to
    /// the paper's one SimpleRNN layer.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decode(UInt64.self, forKey: .seed)
        splitSeed = try c.decode(UInt64.self, forKey: .splitSeed)
        cell = try c.decodeIfPresent(CellChoice.self, forKey: .cell) ?? .simpleRNN
        cellGraph = try c.decodeIfPresent(String.self, forKey: .cellGraph)
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? 1
        direction = try c.decodeIfPresent(LayerDirection.self, forKey: .direction) ?? .forward
        merge = try c.decodeIfPresent(LayerMerge.self, forKey: .merge) ?? .concat
        units = try c.decode(Int.self, forKey: .units)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        minimumLearningRate = try c.decode(Double.self, forKey: .minimumLearningRate)
        reduceFactor = try c.decode(Double.self, forKey: .reduceFactor)
        reducePatience = try c.decode(Int.self, forKey: .reducePatience)
        earlyStoppingPatience = try c.decode(Int.self, forKey: .earlyStoppingPatience)
        beta1 = try c.decode(Double.self, forKey: .beta1)
        beta2 = try c.decode(Double.self, forKey: .beta2)
        epsilon = try c.decode(Double.self, forKey: .epsilon)
        trainingLimit = try c.decodeIfPresent(Int.self, forKey: .trainingLimit)
    }

    /// Encodes the configuration; `cell` and `layers` only when they are not the paper's (so a
    /// SimpleRNN's configuration, and every fingerprint made from it, reads as before).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed)
        try c.encode(splitSeed, forKey: .splitSeed)
        if let cellGraph {
            try c.encode(cellGraph, forKey: .cellGraph)
        } else if cell != .simpleRNN {
            try c.encode(cell, forKey: .cell)
        }
        if layers != 1 { try c.encode(layers, forKey: .layers) }
        if direction != .forward { try c.encode(direction, forKey: .direction) }
        if direction == .bidirectional && merge != .concat { try c.encode(merge, forKey: .merge) }
        try c.encode(units, forKey: .units)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(minimumLearningRate, forKey: .minimumLearningRate)
        try c.encode(reduceFactor, forKey: .reduceFactor)
        try c.encode(reducePatience, forKey: .reducePatience)
        try c.encode(earlyStoppingPatience, forKey: .earlyStoppingPatience)
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try c.encode(epsilon, forKey: .epsilon)
        try c.encodeIfPresent(trainingLimit, forKey: .trainingLimit)
    }

    /// The layers to train: `layers` layers of `units` `cell`s, each running `direction`.
    public var stack: [LayerShape] {
        Array(repeating: LayerShape(cell: cell.cell, units: units, direction: direction, merge: merge), count: layers)
    }

    /// Checks every value, naming the first that is out of range by its config key (`batch_size`).
    public func validate() throws {
        func require(_ condition: Bool, _ key: String, _ message: String) throws {
            if !condition { throw ConfigurationError(key: key, problem: message) }
        }
        try require((1...4096).contains(units), "units", "must be 1-4096, got \(units)")
        try require((1...16).contains(layers), "layers", "must be 1-16, got \(layers)")
        try require(epochs >= 1, "epochs", "must be at least 1, got \(epochs)")
        try require(batchSize >= 1, "batch_size", "must be at least 1, got \(batchSize)")
        try require(learningRate > 0 && learningRate.isFinite, "learning_rate", "must be positive, got \(learningRate)")
        try require(
            minimumLearningRate > 0 && minimumLearningRate <= learningRate, "min_learning_rate",
            "must be positive and at most the learning rate, got \(minimumLearningRate)")
        try require(reduceFactor > 0 && reduceFactor < 1, "reduce_factor", "must be in (0, 1), got \(reduceFactor)")
        try require(reducePatience >= 1, "reduce_patience", "must be at least 1, got \(reducePatience)")
        try require(earlyStoppingPatience >= 1, "patience", "must be at least 1, got \(earlyStoppingPatience)")
        try require(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1), got \(beta1)")
        try require(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1), got \(beta2)")
        try require(epsilon > 0, "epsilon", "must be positive, got \(epsilon)")
        if let trainingLimit {
            try require(trainingLimit >= 1, "training_limit", "must be at least 1, got \(trainingLimit)")
        }
    }

    /// The names (as in a config's `[training]` section) of the settings that differ between
    /// `a` and `b` (all of them when `b` is nil: the model was not trained by Cellwise).
    public static func differences(_ a: TrainingConfiguration, _ b: TrainingConfiguration?) -> [String] {
        guard let b else { return ["the model was not trained by Cellwise"] }
        let pairs: [(String, String, String)] = [
            ("seed", "\(a.seed)", "\(b.seed)"), ("split_seed", "\(a.splitSeed)", "\(b.splitSeed)"),
            ("cell", a.cellGraph ?? a.cell.rawValue, b.cellGraph ?? b.cell.rawValue),
            ("layers", "\(a.layers)", "\(b.layers)"),
            ("direction", a.direction.rawValue, b.direction.rawValue), ("merge", a.merge.rawValue, b.merge.rawValue),
            ("units", "\(a.units)", "\(b.units)"), ("epochs", "\(a.epochs)", "\(b.epochs)"),
            ("batch_size", "\(a.batchSize)", "\(b.batchSize)"),
            ("learning_rate", "\(a.learningRate)", "\(b.learningRate)"),
            ("min_learning_rate", "\(a.minimumLearningRate)", "\(b.minimumLearningRate)"),
            ("reduce_factor", "\(a.reduceFactor)", "\(b.reduceFactor)"),
            ("reduce_patience", "\(a.reducePatience)", "\(b.reducePatience)"),
            ("patience", "\(a.earlyStoppingPatience)", "\(b.earlyStoppingPatience)"),
            ("beta1", "\(a.beta1)", "\(b.beta1)"),
            ("beta2", "\(a.beta2)", "\(b.beta2)"), ("epsilon", "\(a.epsilon)", "\(b.epsilon)"),
            (
                "training_limit", "\(a.trainingLimit.map(String.init) ?? "none")",
                "\(b.trainingLimit.map(String.init) ?? "none")"
            ),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1) in the config, \($0.2) in the model" }
    }
}

/// The cell kind a training configuration asks for.
public enum CellChoice: String, Codable, Sendable, CaseIterable {
    /// The paper's SimpleRNN.
    case simpleRNN = "simple-rnn"
    /// A GRU with the reset gate after the recurrent product (Keras's and PyTorch's default).
    case gru
    /// A GRU with the reset gate before the recurrent product (ONNX's default, Keras `reset_after=False`).
    case gruResetBefore = "gru-reset-before"
    /// An LSTM without peepholes.
    case lstm

    /// The cell.
    public var cell: RecurrentCell {
        switch self {
        case .simpleRNN: .simpleRNN
        case .gru: .gru(resetAfter: true)
        case .gruResetBefore: .gru(resetAfter: false)
        case .lstm: .lstm
        }
    }
}

extension CellChoice: ConfigurationChoice {}
