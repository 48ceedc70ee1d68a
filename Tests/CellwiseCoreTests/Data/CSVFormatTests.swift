import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct CSVFormatTests {
    @Test func readsTheMNISTLayoutPlainAndCompressed() throws {
        let images = try TestData.images(count: 12)
        let directory = try TestData.directory()
        let plain = try TestData.write(Array(TestData.csv(images).utf8), to: "d.csv", in: directory)
        let read = try CSVFormat.read(plain)
        #expect(read.pixels == images.pixels)
        #expect(read.labels == images.labels)
        let compressed = try TestData.write(Array(TestData.csv(images).utf8), to: "e.csv", in: directory, gzip: true)
        #expect(try CSVFormat.read(compressed).pixels == images.pixels)
    }

    @Test func theShippedSampleHasFiveThousandDigitsOfEveryClass() throws {
        let path = TestData.repositoryRoot
            .appendingPathComponent("data/mnist-5k.csv.gz").path
        let images = try CSVFormat.read(path)
        #expect(images.count == 5000)
        #expect(Set(images.labels) == Set(0...9))
        #expect(images.pixels.max() == 255)
    }

    @Test(arguments: [
        ("1,2,3\n", "line 1: 3 values"),
        (String(repeating: "0,", count: 784) + "10\n", "label 10 is outside 0-9"),
        (String(repeating: "0,", count: 783) + "256,1\n", "pixel 784 is 256"),
        (String(repeating: "0,", count: 784) + "x\n", "unexpected character 'x'"),
        (String(repeating: "0,", count: 784) + "\n", "empty or non-numeric field 785"),
        ("\n\n", "no images"),
    ])
    func rejectsMalformedLinesNamingTheFileAndLine(content: String, expected: String) throws {
        let path = try TestData.write(Array(content.utf8), to: "bad.csv", in: TestData.directory())
        let error = #expect(throws: DataError.self) { try CSVFormat.read(path) }
        #expect(error?.path == path)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func rejectsMissingEmptyTruncatedAndCorruptFiles() throws {
        let directory = try TestData.directory()
        #expect(throws: DataError("/nonexistent/x.csv", "no such file", reason: .missing)) {
            try CSVFormat.read("/nonexistent/x.csv")
        }
        let empty = try TestData.write([], to: "empty.csv", in: directory)
        #expect(throws: DataError(empty, "file is empty", reason: .empty)) { try CSVFormat.read(empty) }

        let compressed = try TestData.write(
            Array(TestData.csv(TestData.images(count: 20)).utf8), to: "t.csv", in: directory, gzip: true)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: compressed)))
        let truncated = try TestData.write(Array(bytes.prefix(bytes.count / 2)), to: "truncated.csv.gz", in: directory)
        let truncatedError = #expect(throws: DataError.self) { try CSVFormat.read(truncated) }
        #expect(truncatedError?.problem.contains("truncated gzip") == true)

        var corrupt = bytes
        for i in 20..<60 { corrupt[i] ^= 0x5A }
        let corruptPath = try TestData.write(corrupt, to: "corrupt.csv.gz", in: directory)
        let corruptError = #expect(throws: DataError.self) { try CSVFormat.read(corruptPath) }
        #expect(corruptError?.problem.contains("gzip") == true)
    }
}
