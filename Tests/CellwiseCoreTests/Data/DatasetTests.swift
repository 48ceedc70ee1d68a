import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct DatasetTests {
    @Test func mnist5kSplitsThreeThousandOneThousandOneThousandBySeed() throws {
        let a = try DatasetSource.mnist5k.load(splitSeed: 1)
        #expect((a.train.count, a.validation.count, a.test.count) == (3000, 1000, 1000))
        #expect(a.train.features.count == 3000 * 784)
        #expect(a.train.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        let again = try DatasetSource.mnist5k.load(splitSeed: 1)
        #expect(again.validation.labels == a.validation.labels)
        #expect(again.test.features == a.test.features)
        let other = try DatasetSource.mnist5k.load(splitSeed: 2)
        #expect(other.test.features != a.test.features)
    }

    @Test func trainTestSourcesHoldOutATwelfthForValidation() throws {
        let training = try TestData.images(count: 120)
        let test = try TestData.images(count: 30, seed: 9)
        let data = try Dataset(source: .idxDirectory(path: "x"), training: training, test: test, seed: 3)
        #expect((data.train.count, data.validation.count, data.test.count) == (110, 10, 30))
    }

    @Test func directoriesOfIDXFilesAndPathsAreSources() throws {
        let directory = try TestData.directory()
        let images = try TestData.images(count: 24)
        for stem in ["train", "t10k"] {
            try TestData.write(TestData.idxImages(images), to: "\(stem)-images-idx3-ubyte", in: directory, gzip: true)
            try TestData.write(
                TestData.idxLabels(images.labels), to: "\(stem)-labels-idx1-ubyte", in: directory, gzip: true)
        }
        let source = try DatasetSource(argument: directory.path)
        #expect(source == .idxDirectory(path: directory.path))
        #expect(try source.load(splitSeed: 1).test.count == 24)
        let pair = try DatasetSource(argument: directory.appendingPathComponent("train-images-idx3-ubyte.gz").path)
        #expect(try pair.load(splitSeed: 1).train.count == 24 - 2 * 4)

        let incomplete = try TestData.directory()
        let error = #expect(throws: DataError.self) { try DatasetSource(argument: incomplete.path).load(splitSeed: 1) }
        #expect(error?.description.contains("missing train-images-idx3-ubyte") == true)
        #expect(throws: DataError.self) { try DatasetSource(argument: "/no/such/data.csv") }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DatasetSource.fashionDirectory)))
    func fashionSplits55000And5000And10000() throws {
        let data = try DatasetSource.fashion.load(splitSeed: 1)
        #expect((data.train.count, data.validation.count, data.test.count) == (55000, 5000, 10000))
    }
}
