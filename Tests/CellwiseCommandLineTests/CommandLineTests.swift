import Foundation
import Testing

/// Runs the built `cellwise` executable as a user would.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    static let executable: URL = {
        // The test runner sits in the same products directory as the executable.
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        return products.appendingPathComponent("cellwise")
    }()

    /// Runs the `cellwise` executable with `arguments`.
    static func run(_ arguments: [String]) throws -> Run {
        try launch(executable, arguments)
    }

    /// Runs any program and collects its exit status, standard output and standard error.
    ///
    /// - Parameter environment: Variables added to the test's environment for the program.
    static func launch(
        _ program: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil
    ) throws -> Run {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }

    /// Set by `make test` (and so CI): tests that need optional tools (Python 3.10, Jupyter) must
    /// run and pass; without it they are reported as skipped where the tools are missing.
    static var requireAllTests: Bool { ProcessInfo.processInfo.environment["CELLWISE_REQUIRE_ALL_TESTS"] == "1" }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A small CSV data set in the mnist5k layout.
    static func smallCSV(in directory: URL, count: Int = 60) throws -> String {
        var lines = [String]()
        var state: UInt64 = 12345
        for i in 0..<count {
            var row = [String]()
            for _ in 0..<784 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                row.append(String((state >> 33) % 256))
            }
            row.append(String(i % 10))
            lines.append(row.joined(separator: ","))
        }
        let path = directory.appendingPathComponent("small.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One trained model shared by the tests below.
    static let trainedModel: Result<String, any Error> = Result {
        let directory = try temporaryDirectory()
        let data = try smallCSV(in: directory)
        let model = directory.appendingPathComponent("model.json").path
        let run = try Self.run([
            "train", "--dataset", data, "--out", model, "--epochs", "2", "--batch-size", "16", "--quiet",
        ])
        guard run.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": run.error]) }
        return model
    }

    /// Expects exit status 1 and exactly one line on standard error containing every fragment.
    func expectOneLineError(_ arguments: [String], mentions fragments: [String]) throws {
        let run = try Self.run(arguments)
        #expect(run.status == 1, "exit status for \(arguments)")
        let lines = run.error.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(run.error)")
        for fragment in fragments { #expect(run.error.contains(fragment), "stderr: \(run.error)") }
    }

    @Test(arguments: [[], ["train"], ["evaluate"], ["ranges"], ["bench"]])
    func everyCommandsHelpShowsAnExample(command: [String]) throws {
        let run = try Self.run(command + ["--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("Example"))
        #expect(run.output.contains("cellwise"))
    }

    @Test func trainsThenEvaluatesAsJSON() throws {
        let model = try Self.trainedModel.get()
        let run = try Self.run(["evaluate", "--model", model, "--plan", "t,17*26,3", "--split", "validation", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect((json["plan"] as? [String])?.count == 28)
        #expect((json["plan"] as? [String])?.first == "t")
        #expect((json["plan"] as? [String])?.last == "3")
        let specs = try #require(json["candidates"] as? [[String: Any]])
        #expect(specs.map { $0["token"] as? String } == ["17", "3"], "one spec per distinct fit")
        #expect((specs[0]["cells"] as? [Int]) == Array(1...26))
        #expect((specs[1]["chebyshev"] as? [Double])?.count == 4)
        #expect(json["split"] as? String == "validation")
        #expect(json["samples"] as? Int == 12)
        let accuracy = try #require(json["accuracy"] as? Double)
        #expect(accuracy >= 0 && accuracy <= 1)
        #expect(json["split_seed"] as? Int == 1)

        let text = try Self.run(["evaluate", "--model", model, "--plan", "17*28"])
        #expect(text.status == 0)
        #expect(text.output.contains("accuracy"))
        let ranges = try Self.run(["ranges", "--model", model, "--json"])
        #expect(ranges.status == 0)
        #expect(ranges.output.contains("\"outside\""))
    }

    @Test(arguments: [
        ("17*27", "has 27 cells, the model has 28"),
        ("17*0,17*28", "repeat count"),
        ("19x*28", "candidate \"19x\": unknown method \"x\""),
        ("99*28", "candidate \"99\": must be 1-63, got 99"),
    ])
    func malformedPlansAreOneLineErrors(plan: String, fragment: String) throws {
        let model = try Self.trainedModel.get()
        try expectOneLineError(["evaluate", "--model", model, "--plan", plan], mentions: [plan, fragment])
    }

    @Test func badModelFilesAreOneLineErrors() throws {
        let directory = try Self.temporaryDirectory()
        try expectOneLineError(
            ["evaluate", "--model", "/no/such/model.json", "--plan", "17*28"],
            mentions: ["/no/such/model.json", "no such file"])
        let model = try Self.trainedModel.get()
        var text = try String(contentsOfFile: model, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 7")
        let future = directory.appendingPathComponent("future.json").path
        try text.write(toFile: future, atomically: true, encoding: .utf8)
        try expectOneLineError(["evaluate", "--model", future, "--plan", "17*28"], mentions: [future, "version 7"])
    }

    @Test func badDataIsAOneLineErrorAndWritesNoModel() throws {
        let directory = try Self.temporaryDirectory()
        let data = directory.appendingPathComponent("bad.csv").path
        try "1,2,3\n".write(toFile: data, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("never.json").path
        try expectOneLineError(["train", "--dataset", data, "--out", out], mentions: [data, "line 1"])
        #expect(!FileManager.default.fileExists(atPath: out))
        let corrupt = directory.appendingPathComponent("corrupt.csv.gz").path
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02]).write(to: URL(fileURLWithPath: corrupt))
        try expectOneLineError(["train", "--dataset", corrupt, "--out", out], mentions: [corrupt, "gzip"])
        try expectOneLineError(["train", "--dataset", "/no/data.csv", "--out", out], mentions: ["/no/data.csv"])
        try expectOneLineError(
            ["train", "--dataset", "mnist5k", "--out", out, "--batch-size", "0"], mentions: ["batch-size"])
    }
}
