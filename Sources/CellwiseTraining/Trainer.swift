import CellwiseCore
import Foundation

/// Trains a ``RecurrentModel`` as the paper did (Keras semantics): softmax cross-entropy, Adam,
/// shuffled mini-batches, early stopping on validation loss with the best weights restored,
/// and the learning rate reduced on plateaus. The cell kind, layers and units come from the
/// configuration; the input shape and classes from the data. Images are read as they are;
/// series are standardised per channel with the training split's mean and deviation (recorded
/// in the model's ``InputTransform``).
///
/// The same configuration and data give the same weights on the same machine: all randomness
/// comes from ``TrainingConfiguration/seed`` and the arithmetic is single-threaded.
public struct Trainer: Sendable {
    /// The hyperparameters.
    public let configuration: TrainingConfiguration

    /// One epoch's figures, reported as training goes.
    public struct EpochReport: Sendable, Codable {
        /// 1-based epoch number.
        public var epoch: Int
        /// Mean training loss over the epoch's batches.
        public var trainingLoss: Double
        /// Validation loss after the epoch.
        public var validationLoss: Double
        /// Validation accuracy after the epoch.
        public var validationAccuracy: Double
        /// Learning rate used during the epoch.
        public var learningRate: Double
        /// Wall time of the epoch in seconds.
        public var seconds: Double
    }

    /// A trained model with its history.
    public struct Outcome: Sendable {
        /// The model and its metadata, ready to save.
        public var file: ModelFile
        /// Every epoch's report.
        public var history: [EpochReport]
    }

    /// Checks the configuration.
    ///
    /// - Throws: ``ConfigurationError`` naming the first bad value.
    public init(configuration: TrainingConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Trains on `dataset`'s train split, stopping early on its validation split, and measures
    /// the kept weights on validation and test.
    ///
    /// - Parameter cell: A cell kind to train instead of the configuration's (any ``CellGraph``,
    ///   e.g. one defined outside Cellwise). The file's metadata then records the configuration
    ///   with the graph's name as ``TrainingConfiguration/cellGraph``; the graph itself is in the
    ///   model file.
    public func train(
        _ dataset: Dataset, cell: RecurrentCell? = nil, progress: (EpochReport) -> Void = { _ in }
    ) throws -> Outcome {
        let config = configuration
        let train = dataset.train
        let input: InputTransform = dataset.source.isImages ? .imageRows : .standardising(train)
        var stack = config.stack
        if let cell {
            stack = stack.map { LayerShape(cell: cell, units: $0.units, direction: $0.direction, merge: $0.merge) }
        }
        var model = RecurrentModel(
            kerasInitializedWithSeed: config.seed, stack: stack, inputSize: train.featureCount,
            classes: train.classCount, timeSteps: train.timeSteps, input: input)
        let inputs = try input.apply(to: train, timeSteps: model.timeSteps, featureCount: model.inputSize)
        // A stream apart from the initialiser's.
        var shuffler = SeededGenerator(seed: config.seed ^ 0x5348_5546_464C_4531)
        let trainingCount = min(dataset.train.count, config.trainingLimit ?? .max)
        let batch = min(config.batchSize, trainingCount)
        let tape = BackpropagationThroughTime(shapeOf: model, capacity: batch)
        var adam = Adam(
            shapes: model.parameters.map(\.count), beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon)
        var stopping = EarlyStopping(patience: config.earlyStoppingPatience)
        var plateau = ReduceLearningRateOnPlateau(
            factor: config.reduceFactor, patience: config.reducePatience,
            minimum: config.minimumLearningRate)
        var learningRate = config.learningRate
        var history = [EpochReport]()
        let approximations = try ApproximationLibrary()
        let clock = ContinuousClock()

        for epoch in 1...config.epochs {
            let started = clock.now
            let order = shuffler.permutation(trainingCount)
            var lossSum = 0.0
            var batches = 0
            for first in stride(from: 0, to: trainingCount, by: batch) {
                // Ctrl-C or SIGTERM (when the command installed ``Interruption``): stop between batches.
                if Interruption.isRequested { throw TrainingError.interrupted(epoch: epoch) }
                let indices = order[first..<min(first + batch, trainingCount)]
                let (loss, gradient) = tape.lossAndGradient(
                    of: model, inputs: inputs, labels: train.labels, indices: indices)
                var parameters = model.parameters
                adam.update(&parameters, gradients: gradient.parameters, learningRate: learningRate)
                model.parameters = parameters
                lossSum += loss
                batches += 1
            }
            let validation = try SplitMetrics(
                evaluator: PlanEvaluator(
                    model: model, split: dataset.validation, approximations: approximations, cachedPlans: 0))
            let report = EpochReport(
                epoch: epoch, trainingLoss: lossSum / Double(batches),
                validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                learningRate: learningRate, seconds: (clock.now - started).inSeconds)
            history.append(report)
            progress(report)
            if !validation.loss.isFinite || !lossSum.isFinite {
                throw TrainingError.diverged(epoch: epoch, learningRate: learningRate)
            }
            if stopping.shouldStop(epoch: epoch, validationLoss: validation.loss, model: model) { break }
            learningRate = plateau.next(validationLoss: validation.loss, learningRate: learningRate)
        }

        let best = stopping.bestModel ?? model
        var record = config
        if let cell, cell != config.cell.cell { record.cellGraph = cell.name }
        let metadata = try ModelMetadata(
            measuring: best, on: dataset, training: record,
            epochsRun: history.count, bestEpoch: stopping.bestEpoch)
        return Outcome(file: ModelFile(model: best, metadata: metadata), history: history)
    }
}

/// Training that cannot go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became infinite or NaN.
    case diverged(epoch: Int, learningRate: Double)
    /// A stop was requested (Ctrl-C, SIGTERM); nothing was saved.
    case interrupted(epoch: Int)

    public var description: String {
        switch self {
        case .interrupted(let epoch):
            "training was interrupted in epoch \(epoch); nothing was saved"
        case .diverged(let epoch, let rate):
            "training diverged in epoch \(epoch) (loss is not finite at learning rate \(rate)); try a lower "
                + "--learning-rate"
        }
    }
}
extension TrainingError: CellwiseError {}
