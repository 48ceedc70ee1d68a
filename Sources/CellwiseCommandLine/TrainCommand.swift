import ArgumentParser
import Cellwise
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recurrent classifier (the paper's SimpleRNN(32)+Dense by default) and save a model file.",
        discussion: """
            Adam, batch 128, up to 100 epochs, early stopping on validation loss (patience 10,
            best weights restored), learning rate reduced on plateaus from 1e-2 to 1e-5.
            --cell gru or lstm and --layers N train other models (Keras semantics); --cell FILE.json
            trains a cell of your own, a cell graph in JSON (docs/encrypted-job.md#the-cell-graph),
            saved as model file version 3, as are --direction reverse or bidirectional (with --merge
            concat or sum) layers. Series are standardised per channel from the training
            split and pre-padded to the longest case.
            Progress goes to standard error, one line per epoch.

            Example:
              cellwise train --dataset mnist5k --out results/models/my-mnist5k.json --seed 1
              cellwise train --dataset fashion --out results/models/my-fashion.json --learning-rate 1e-3
              cellwise train --dataset JapaneseVowels --cell gru --out results/models/my-vowels-gru.json
              cellwise train --dataset JapaneseVowels --cell lstm --layers 2 --out results/models/vowels-lstm2.json
              cellwise train --dataset JapaneseVowels --cell gru --direction bidirectional --units 16 \\
                --out results/models/vowels-bigru.json
            """)

    @Option(
        help: """
            mnist5k, fashion, JapaneseVowels, BasicMotions, ItalyPowerDemand, a CSV file in the mnist5k layout, an \
            IDX image file, a directory of IDX files, or a NAME_TRAIN.ts[.gz] file.
            """)
    var dataset: String

    @Option(help: "Where to write the model file (JSON).")
    var out: String

    @Option(parsing: .unconditional, help: "Seed of the weight initialisation and batch order.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Seed of the train/validation/test split.")
    var splitSeed: UInt64 = 1

    @Option(help: "Cell kind: simple-rnn, gru, gru-reset-before, lstm, or a cell graph file (.json).")
    var cell: String = CellChoice.simpleRNN.rawValue

    @Option(parsing: .unconditional, help: "Stacked recurrent layers.")
    var layers: Int = 1

    @Option(help: "Which way every layer runs: forward, reverse or bidirectional.")
    var direction: String = LayerDirection.forward.rawValue

    @Option(help: "How a bidirectional layer's passes combine: concat or sum.")
    var merge: String = LayerMerge.concat.rawValue

    @Option(parsing: .unconditional, help: "Hidden units of every layer.")
    var units: Int = 32

    @Option(parsing: .unconditional, help: "Maximum number of epochs.")
    var epochs: Int = 100

    @Option(parsing: .unconditional, help: "Samples per Adam step.")
    var batchSize: Int = 128

    @Option(parsing: .unconditional, help: "Starting learning rate.")
    var learningRate: Double = 1e-2

    @Option(parsing: .unconditional, help: "Lowest learning rate reached by ReduceLROnPlateau.")
    var minLearningRate: Double = 1e-5

    @Option(parsing: .unconditional, help: "Factor applied to the learning rate on a plateau.")
    var reduceFactor: Double = 0.5

    @Option(parsing: .unconditional, help: "Epochs without improvement before the learning rate is reduced.")
    var reducePatience: Int = 3

    @Option(parsing: .unconditional, help: "Epochs without improvement before training stops (EarlyStopping).")
    var patience: Int = 10

    @Option(parsing: .unconditional, help: "Train on only the first N samples of the (shuffled) train split.")
    var trainingLimit: Int?

    @Flag(help: "Do not print per-epoch progress.")
    var quiet = false

    func run() throws {
        var config = TrainingConfiguration()
        config.seed = seed
        config.splitSeed = splitSeed
        // A built-in kind by name, or a graph of one's own from a file.
        var custom: RecurrentCell?
        if let choice = CellChoice(rawValue: cell) {
            config.cell = choice
        } else if cell.hasSuffix(".json") {
            custom = try Self.cell(fromFile: cell)
        } else {
            throw ConfigurationError(
                key: "--cell",
                problem: "is \"\(cell)\"; expected "
                    + CellChoice.allCases.map(\.rawValue).joined(separator: ", ") + " or a cell graph file (.json)")
        }
        config.layers = layers
        guard let direction = LayerDirection(rawValue: direction) else {
            throw ConfigurationError(
                key: "--direction", problem: "is \"\(self.direction)\"; expected forward, reverse or bidirectional")
        }
        guard let merge = LayerMerge(rawValue: merge) else {
            throw ConfigurationError(key: "--merge", problem: "is \"\(self.merge)\"; expected concat or sum")
        }
        config.direction = direction
        config.merge = merge
        config.units = units
        config.epochs = epochs
        config.batchSize = batchSize
        config.learningRate = learningRate
        config.minimumLearningRate = minLearningRate
        config.reduceFactor = reduceFactor
        config.reducePatience = reducePatience
        config.earlyStoppingPatience = patience
        config.trainingLimit = trainingLimit
        let trainer: Trainer
        do {
            trainer = try Trainer(configuration: config)
        } catch let error as ConfigurationError {
            // Name the option as typed: batch_size -> --batch-size.
            throw ConfigurationError(
                key: "--" + error.key.replacingOccurrences(of: "_", with: "-"), problem: error.problem)
        }
        let data = try DatasetSource(argument: dataset).load(splitSeed: splitSeed)
        if !quiet {
            standardError(
                "training on \(dataset): \(data.train.count) train, \(data.validation.count) validation, "
                    + "\(data.test.count) test samples"
            )
        }
        let outcome = try trainer.train(data, cell: custom) { report in
            guard !quiet else { return }
            standardError(
                String(
                    format: "epoch %3d/%d  loss %.4f  val_loss %.4f  val_acc %.4f  lr %.2g  %.2f s",
                    report.epoch, config.epochs, report.trainingLoss, report.validationLoss,
                    report.validationAccuracy, report.learningRate, report.seconds))
        }
        let previous = ModelFile.sha256(ofFileAt: out)
        let digest = try outcome.file.save(to: out)
        if let previous, previous != digest {
            // A shipped model retrained elsewhere differs (BLAS kernels): say so rather than replace it silently.
            standardError(
                "notice: replaced \(out) (SHA-256 \(previous)) by a retrained model that differs (SHA-256 \(digest)): "
                    + "training depends on the BLAS kernel (docs/model-file.md); git checkout restores a shipped one")
        }
        let m = outcome.file.metadata
        print(
            String(
                format:
                    "saved %@: validation accuracy %.4f, test accuracy %.4f (weights of epoch %d of %d, seed %llu, "
                    + "split seed %llu; SHA-256 %@)",
                out, m.validationAccuracy, m.testAccuracy, m.bestEpoch, m.epochsRun, seed, splitSeed, digest))
    }
}
extension TrainCommand {
    /// The cell a graph file defines.
    ///
    /// - Throws: ``DataError`` naming the file and what is wrong with the graph.
    static func cell(fromFile path: String) throws -> RecurrentCell {
        let graph = try CellGraph.load(from: path)
        let cell = RecurrentCell(graph)
        guard !cell.isBuiltIn else {
            throw DataError(path, "is the built-in \(cell.name); give --cell by name", reason: .invalid)
        }
        return cell
    }
}
