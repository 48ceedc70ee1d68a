import CellwiseTestSupport
import Foundation
import Testing

/// Interrupted searches and comparisons resume to exactly the result of an uninterrupted run,
/// and reruns are identical apart from timings, whatever `--jobs`.
@Suite(.serialized) struct ResumeTests {
    typealias CLI = CommandLineTests

    /// A model on the shipped MNIST sample (1,000 validation images: evaluations take real time).
    static let mnistModel: Result<String, any Error> = Result {
        let path = try CLI.temporaryDirectory().appendingPathComponent("mnist.json").path
        let run = try CLI.run([
            "train", "--dataset", "mnist5k", "--out", path, "--epochs", "3", "--training-limit", "600", "--quiet",
        ])
        guard run.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": run.error]) }
        return path
    }

    /// Starts `arguments`, waits until `file` (or the files of a directory) hold `lines` lines, then
    /// sends `signal`; returns the exit status.
    static func interrupt(_ arguments: [String], watching file: String, lines: Int, signal: Int32) throws -> (
        Int32, String
    ) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline {
            if lineCount(file) >= lines { break }
            usleep(10_000)
        }
        #expect(process.isRunning, "the run ended before it could be interrupted")
        kill(process.processIdentifier, signal)
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    static func lineCount(_ path: String) -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        let files =
            isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { "\(path)/\($0)" } : [path]
        return files.reduce(0) { count, file in
            count
                + (FileManager.default.contents(atPath: file).map { $0.filter { $0 == UInt8(ascii: "\n") }.count } ?? 0)
        }
    }

    /// JSON without the fields that are timings or describe the machine.
    static func withoutTimings(_ data: Data) throws -> NSDictionary {
        func strip(_ value: Any) -> Any {
            if let dictionary = value as? [String: Any] {
                var copy = [String: Any]()
                for (key, value) in dictionary
                where !["wall_seconds", "elapsed_seconds", "total_seconds", "machine"].contains(key) {
                    copy[key] = strip(value)
                }
                return copy
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return try #require(strip(JSONSerialization.jsonObject(with: data)) as? NSDictionary)
    }

    /// The tutorial's external strategy (plain Python, deterministic for a seed).
    static let externalStrategy = [
        "--strategy", "random-py", "--option",
        "command=[\"python3\", \"\(TestData.repositoryRoot.path)/strategies/random_example.py\"]",
    ]

    @Test(arguments: [["--strategy", "ga"], externalStrategy])
    func aKilledSearchResumesToTheUninterruptedResult(strategy: [String]) throws {
        let model = try Self.mnistModel.get()
        let directory = try CLI.temporaryDirectory()
        let killed = directory.appendingPathComponent("killed.jsonl").path
        let arguments =
            ["search", "--model", model] + strategy + [
                "--budget", "3000", "--seed", "4", "--json", "--trace", "--quiet",
            ]
        let (status, _) = try Self.interrupt(
            arguments + ["--trace-file", killed], watching: killed, lines: 700, signal: SIGKILL)
        #expect(status == SIGKILL)
        let partial = Self.lineCount(killed)
        #expect(partial > 1 && partial < 3001)
        let resumed = try CLI.run(arguments + ["--trace-file", killed, "--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let fresh = try CLI.run(arguments + ["--trace-file", directory.appendingPathComponent("fresh.jsonl").path])
        #expect(try Self.withoutTimings(Data(resumed.output.utf8)) == Self.withoutTimings(Data(fresh.output.utf8)))
        #expect(Self.lineCount(killed) == 3001, "the trace holds every evaluation once")
    }

    @Test func ctrlCWritesAPartialResultThatResumes() throws {
        let model = try Self.mnistModel.get()
        let directory = try CLI.temporaryDirectory()
        let trace = directory.appendingPathComponent("t.jsonl").path
        let arguments = [
            "search", "--model", model, "--strategy", "ga", "--budget", "3000", "--json", "--quiet", "--trace-file",
            trace,
        ]
        let (status, output) = try Self.interrupt(arguments, watching: trace, lines: 300, signal: SIGINT)
        #expect(status == 130)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["partial"] as? Bool == true)
        #expect((json["evaluations"] as? Int ?? 0) < 3000)
        let resumed = try CLI.run(arguments + ["--resume"])
        let fresh = try CLI.run([
            "search", "--model", model, "--strategy", "ga", "--budget", "3000", "--json", "--quiet",
            "--trace-file", directory.appendingPathComponent("f.jsonl").path,
        ])
        #expect(try Self.withoutTimings(Data(resumed.output.utf8)) == Self.withoutTimings(Data(fresh.output.utf8)))
        let different = try CLI.run([
            "search", "--model", model, "--strategy", "ga", "--budget", "2999", "--quiet",
            "--trace-file", trace, "--resume",
        ])
        #expect(different.status == 1)
        #expect(different.error.contains("belongs to another search (budget changed)"))
    }

    @Test func aKilledComparisonResumesAndRerunsAreIdenticalWithAnyJobCount() throws {
        let model = try Self.mnistModel.get()
        let directory = try CLI.temporaryDirectory()
        let config = directory.appendingPathComponent("c.toml").path
        try TestData.comparisonConfig(
            name: "resume", seed: 2, model: model, dataset: "mnist5k", tolerance: 0.02, budget: 1200,
            strategies: ["dfs", "ga", "greedy"]
        ).write(toFile: config, atomically: true, encoding: .utf8)
        func compare(_ name: String, _ extra: [String] = []) -> [String] {
            let out = directory.appendingPathComponent(name).path
            return ["compare", "--config", config, "--out", out, "--quiet"] + extra
        }
        let (status, _) = try Self.interrupt(
            compare("a"), watching: directory.appendingPathComponent("a/resume/traces").path,
            lines: 1500, signal: SIGKILL)
        #expect(status == SIGKILL)
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("a/resume/run.json").path),
            "no result file before the comparison ends")
        let resumed = try CLI.run(compare("a", ["--resume"]))
        #expect(resumed.status == 0, "\(resumed.error)")
        let one = try CLI.run(compare("b", ["--jobs", "1"]))
        let two = try CLI.run(compare("c", ["--jobs", "2"]))
        let runs = try ["a", "b", "c"].map {
            try Data(contentsOf: directory.appendingPathComponent("\($0)/resume/run.json"))
        }
        #expect(try Self.withoutTimings(runs[0]) == Self.withoutTimings(runs[1]))
        #expect(try Self.withoutTimings(runs[1]) == Self.withoutTimings(runs[2]))
        // Tables: identical but for the wall-time column.
        func withoutWallTime(_ name: String, _ file: String, separator: Character) throws -> [String] {
            let text = try String(
                contentsOf: directory.appendingPathComponent("\(name)/resume/\(file)"), encoding: .utf8)
            return text.split(separator: "\n").map { line in
                var fields = line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
                let column = separator == "," ? 3 : (file.hasSuffix(".md") ? 4 : 3)
                if fields.count > column { fields.remove(at: column) }
                return fields.joined(separator: String(separator))
            }
        }
        for (file, separator) in [("comparison.csv", Character(",")), ("comparison.md", "|"), ("comparison.tex", "&")] {
            let tables = try ["a", "b", "c"].map { try withoutWallTime($0, file, separator: separator) }
            #expect(tables[0] == tables[1] && tables[1] == tables[2], "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a/resume/traces").path))
        #expect(
            one.output == two.output
                || one.output.split(separator: "\n").count == two.output.split(separator: "\n").count)
    }
}
