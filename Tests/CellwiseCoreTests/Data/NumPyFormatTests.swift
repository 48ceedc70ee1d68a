import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

/// `.npy`, `.npz` and NumPy data sets, against files NumPy wrote (Fixtures/numpy/make_numpy.py).
@Suite struct NumPyFormatTests {
    let directory = TestData.fixtures.appendingPathComponent("numpy")

    func fixture(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test func readsSignedIntegersOfEveryWidth() throws {
        let array = try NumPyArray.read(fixture("int16.npy"))
        #expect(array.shape == [2, 2])
        #expect(array.values == [-3, 4, 5, -32768])
        #expect(array.descr == "<i2")
    }

    @Test func readsCompressedAndStoredArchives() throws {
        let compressed = try NumPyArchive.read(fixture("series.npz"))
        #expect(Set(compressed.keys) == ["x_train", "y_train", "x_test", "y_test"])
        #expect(compressed["x_train"]?.shape == [6, 4, 2])
        #expect(compressed["x_train"]?.values[1] == Double(Float(0.1)))
        #expect(compressed["x_train"]?.values[8].isNaN == true)
        let stored = try NumPyArchive.read(fixture("plain.npz"))
        #expect(stored["X_train"]?.shape == [6, 4])
        #expect(stored["y_test"]?.values == [2, 1, 0])
    }

    @Test func writtenArchivesReadBack() throws {
        let path = try TestData.directory().appendingPathComponent("round.npz").path
        let floats = NumPyArray(shape: [2, 3], values: [1.5, -2, 0, 3.25, 1e-3, 7])
        let integers = NumPyArray(shape: [3], values: [0, 9, -4], descr: "<i8")
        try NumPyArchive.write([("a", floats), ("labels", integers)], to: path)
        let read = try NumPyArchive.read(path)
        #expect(read["a"]?.shape == [2, 3])
        #expect(read["a"]?.values == floats.values.map { Double(Float($0)) })
        #expect(read["labels"]?.values == [0, 9, -4])
    }

    @Test func nanPaddingBecomesLengths() throws {
        for name in ["series.npz", "plain.npz"] {
            let data = try DatasetSource(argument: fixture(name)).load(splitSeed: 3)
            #expect(data.test.count == 3)
            #expect(data.train.count + data.validation.count == 6)
            #expect(data.train.classCount == 3)
            #expect(data.train.timeSteps == 4)
            #expect(data.train.featureCount == (name == "series.npz" ? 2 : 1))
            let lengths = data.train.lengths + data.validation.lengths
            #expect(lengths.sorted() == [2, 3, 4, 4, 4, 4])
        }
    }

    @Test func badArraysAreNamed() throws {
        #expect(throws: DataError.self) { try NumPyArray.read(fixture("fortran.npy")) }
        do {
            _ = try NumPyArray.read(fixture("strings.npy"))
            Issue.record("a string array was read")
        } catch let error as DataError {
            #expect(error.problem.contains("strings"))
        }
        do {
            _ = try NumPyArray(npy: Array("not numpy".utf8), name: "x.npy")
            Issue.record("text was read as .npy")
        } catch let error as DataError {
            #expect(error.problem.contains("bad magic"))
        }
        // A truncated archive.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("series.npz")))
        let path = try TestData.directory().appendingPathComponent("cut.npz").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.self) { try NumPyArchive.read(path) }
    }
}
