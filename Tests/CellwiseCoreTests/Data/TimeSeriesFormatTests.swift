import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct TimeSeriesFormatTests {
    static let directory = TestData.repositoryRoot.appendingPathComponent("data/timeseries")

    /// The shipped ItalyPowerDemand saved on Windows (CRLF line endings) reads as the original.
    @Test func windowsLineEndingsReadAsTheOriginal() throws {
        let original = Self.directory.appendingPathComponent("ItalyPowerDemand_TRAIN.ts.gz").path
        let text = String(decoding: try Gzip.readFile(original), as: UTF8.self)
        let crlf = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(crlf.contains("\r\n"))
        let path = try TestData.directory().appendingPathComponent("ItalyPowerDemand_TRAIN.ts").path
        try crlf.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try TimeSeriesFormat.read(path) == TimeSeriesFormat.read(original))
        // A problem is still reported on its own line number.
        let broken = crlf.replacingOccurrences(of: "@data\r\n", with: "@data\r\n1,2,x:1\r\n")
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: DataError.self) { try TimeSeriesFormat.read(path) }
        let dataLine = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.hasPrefix("@data")
        }!
        #expect(error?.problem.hasPrefix("line \(dataLine + 2):") == true, "\(String(describing: error))")
    }

    /// Every committed file reads with the counts data/timeseries/README.md states.
    @Test(arguments: [
        ("JapaneseVowels_TRAIN", 270, 12, 7...29, 9), ("JapaneseVowels_TEST", 370, 12, 7...29, 9),
        ("JapaneseVowels_eq_TRAIN", 270, 12, 25...25, 9), ("JapaneseVowels_eq_TEST", 370, 12, 25...25, 9),
        ("BasicMotions_TRAIN", 40, 6, 100...100, 4), ("BasicMotions_TEST", 40, 6, 100...100, 4),
        ("ItalyPowerDemand_TRAIN", 67, 1, 24...24, 2), ("ItalyPowerDemand_TEST", 1029, 1, 24...24, 2),
    ])
    func committedFilesMatchTheirDescription(
        name: String, cases: Int, channels: Int, lengths: ClosedRange<Int>, classes: Int
    )
        throws
    {
        let set = try TimeSeriesFormat.read(Self.directory.appendingPathComponent("\(name).ts.gz").path)
        #expect(set.cases.count == cases)
        #expect(set.channels == channels)
        #expect(set.classNames.count == classes)
        #expect(set.cases.allSatisfy { lengths.contains($0.length) && $0.values.count == channels })
        #expect(Set(set.cases.map(\.label)) == Set(0..<classes), "every class occurs")
        if lengths.count > 1 {
            #expect(Set(set.cases.map(\.length)).count > 1, "lengths vary")
        }
    }

    /// The uncompressed files have the SHA-256 sums the README records (computed by sha256sum).
    @Test func checksumsMatchTheReadme() throws {
        let readme = try String(contentsOf: Self.directory.appendingPathComponent("README.md"), encoding: .utf8)
        let listed = readme.split(separator: "\n").filter { $0.hasPrefix("- ") && $0.contains(".ts: ") }
        #expect(listed.count == 8)
        for line in listed {
            let parts = line.dropFirst(2).split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            let file = Self.directory.appendingPathComponent("\(parts[0]).gz").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "gzip -dc \"$0\" | sha256sum", file]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let sum = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(sum.hasPrefix(parts[1]), "\(parts[0])")
        }
    }

    /// A value the archive writes is read exactly (the first case of ItalyPowerDemand_TRAIN).
    @Test func valuesAreReadAsWritten() throws {
        let set = try TimeSeriesFormat.read(Self.directory.appendingPathComponent("ItalyPowerDemand_TRAIN.ts.gz").path)
        #expect(set.name == "ItalyPowerDemand")
        #expect(set.classNames == ["1", "2"])
        #expect(Array(set.cases[0].values[0].prefix(3)) == [-0.71051757, -1.1833204, -1.3724416])
    }

    @Test(arguments: [
        ("@problemName X\n@classLabel true a b\n@data\n1,2:3,4:a\n1,2:c\n", "line 5: class label \"c\""),
        ("@classLabel true a b\n@data\n1,2:3:a\n", "line 3: channel 2 has 1 values, channel 1 has 2"),
        ("@dimensions 2\n@classLabel true a\n@data\n1,2:a\n", "line 4: 1 channels; @dimensions says 2"),
        ("@classLabel true a\n@data\n1,?,3:a\n", "line 3: channel 1: \"?\" is not a number"),
        ("@classLabel true a\n@data\n1,nan,3:a\n", "line 3: channel 1: nan is not finite"),
        ("@classLabel true a\n@seriesLength 4\n@data\n1,2,3:a\n", "line 4: 3 time steps; @seriesLength says 4"),
        ("@classLabel false\n@data\n", "line 1: @classLabel must be true"),
        ("@data\n1:a\n", "line 1: @data before @classLabel"),
        ("1,2:a\n", "line 1: expected a @ header line"),
        ("@classLabel true a\n@data\n", "no cases after @data"),
        ("@classLabel true a\n", "no @data section"),
    ])
    func malformedFilesNameTheLine(content: String, expected: String) throws {
        let path = try TestData.write(Array(content.utf8), to: "bad.ts", in: TestData.directory())
        let error = #expect(throws: DataError.self) { try TimeSeriesFormat.read(path) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }
}
