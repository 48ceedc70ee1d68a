import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseTraining

@Suite struct TrainerTests {
    /// The paper's configuration on the shipped sample (epochs capped to keep CI short) learns
    /// to at least 85% validation accuracy.
    @Test func learnsMNIST5k() throws {
        let data = try DatasetSource.mnist5k.load(splitSeed: 1)
        var config = TrainingConfiguration()
        config.epochs = 30
        var epochs = 0
        let outcome = try Trainer(configuration: config).train(data) { _ in epochs += 1 }
        let metadata = outcome.file.metadata
        #expect(metadata.validationAccuracy >= 0.85, "validation accuracy \(metadata.validationAccuracy)")
        #expect(metadata.testAccuracy >= 0.80)
        #expect(epochs == metadata.epochsRun)
        #expect(outcome.history.first!.validationLoss > outcome.history.map(\.validationLoss).min()!)
        #expect(metadata.cellRanges?.count == 28)
        #expect(metadata.dataset == "mnist5k" && metadata.splitSeed == 1)
    }

    @Test func theSameSeedGivesTheSameWeights() throws {
        let data = try Dataset(source: .csv(path: "synthetic"), pool: TestData.images(count: 200), seed: 1)
        var config = TrainingConfiguration()
        config.epochs = 2
        config.batchSize = 32
        let a = try Trainer(configuration: config).train(data).file.model
        let b = try Trainer(configuration: config).train(data).file.model
        #expect(a == b)
        config.seed = 2
        #expect(try Trainer(configuration: config).train(data).file.model != a)
    }

    @Test func rejectsImpossibleHyperparameters() {
        var config = TrainingConfiguration()
        config.batchSize = 0
        #expect(throws: ConfigurationError(key: "batch_size", problem: "must be at least 1, got 0")) {
            try Trainer(configuration: config)
        }
        config = TrainingConfiguration()
        config.minimumLearningRate = 1
        #expect(throws: ConfigurationError.self) { try Trainer(configuration: config) }
    }
}
