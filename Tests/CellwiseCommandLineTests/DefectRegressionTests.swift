import Foundation
import Testing

/// Defects a user met, each reproduced through the executable: a full disk, lost output,
/// progress in traces, inputs that were silently accepted, and runs that would not stop.
@Suite(.serialized) struct DefectRegressionTests {
    typealias CLI = CommandLineTests

    /// Runs the executable through `/bin/sh -c "<prefix> exec cellwise ARGS <suffix>"`, so that a
    /// test can set a file-size limit or close or redirect a standard descriptor.
    static func shell(_ prefix: String, _ arguments: [String], _ suffix: String = "") throws -> CLI.Run {
        try CLI.launch(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "\(prefix) exec \"$0\" \"$@\" \(suffix)", CLI.executable.path] + arguments)
    }

    /// Every line of a trace is one JSON object (the header first).
    static func expectWholeTrace(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.last == UInt8(ascii: "\n"), "the trace ends with a complete line")
        let lines = data.split(separator: UInt8(ascii: "\n"))
        for (number, line) in lines.enumerated() {
            #expect(
                (try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any], "line \(number + 1) is JSON")
        }
        return lines.count
    }

    @Test func aFullDiskWhileTracingIsAOneLineErrorAndTheTraceResumes() throws {
        let model = try ResumeTests.mnistModel.get()
        let directory = try CLI.temporaryDirectory()
        let trace = directory.appendingPathComponent("t.jsonl").path
        let arguments = [
            "search", "--model", model, "--strategy", "random", "--budget", "1200", "--json", "--quiet", "--trace-file",
            trace,
        ]
        // 64 blocks of 512 bytes: the trace fills the "disk" after a few hundred evaluations.
        let full = try Self.shell("ulimit -f 64;", arguments)
        #expect(full.status == 1)
        #expect(full.error.split(separator: "\n").count == 1, "one line: \(full.error)")
        #expect(full.error.contains("cannot append to the trace") && full.error.contains("--resume"), "\(full.error)")
        #expect(!full.error.contains("Error Domain"))
        let kept = try Self.expectWholeTrace(trace)
        #expect(kept > 10 && kept < 1200)
        let resumed = try CLI.run(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let fresh = try CLI.run([
            "search", "--model", model, "--strategy", "random", "--budget", "1200", "--json", "--quiet",
            "--trace-file", directory.appendingPathComponent("fresh.jsonl").path,
        ])
        #expect(
            try ResumeTests.withoutTimings(Data(resumed.output.utf8))
                == ResumeTests.withoutTimings(Data(fresh.output.utf8)))
    }

    @Test func aFullDiskWhileWritingResultsLeavesThePreviousResultsWhole() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let config = try CompareCommandTests.config(model: model, in: directory)
        let results = directory.appendingPathComponent("results").path
        let first = try CLI.run(["compare", "--config", config, "--out", results, "--quiet"])
        try #require(first.status == 0, "\(first.error)")
        let runJSON = "\(results)/small/run.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: runJSON))
        // Traces (a few KB each) fit; run.json (every trace of every run) does not.
        let full = try Self.shell("ulimit -f 24;", ["compare", "--config", config, "--out", results, "--quiet"])
        #expect(full.status == 1)
        #expect(full.error.split(separator: "\n").count == 1, "one line: \(full.error)")
        #expect(full.error.contains("previous results are unchanged"), "\(full.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: runJSON)) == before, "run.json is the previous one, whole")
        let left = try FileManager.default.contentsOfDirectory(atPath: results)
        #expect(left == ["small"], "no half-written directory is left: \(left)")
    }

    @Test func outputThatCannotBeWrittenIsAnError() throws {
        let run = try Self.shell("", ["strategies"], "> /dev/full")
        #expect(run.status == 1)
        #expect(run.error.contains("standard output: cannot write"), "\(run.error)")
    }

    @Test func progressNeverEntersATrace() throws {
        let model = try ResumeTests.mnistModel.get()
        let directory = try CLI.temporaryDirectory()
        let trace = directory.appendingPathComponent("t.jsonl").path
        let arguments = ["search", "--model", model, "--strategy", "ga", "--budget", "300", "--trace-file", trace]
        // Standard error closed: the trace must not inherit its descriptor.
        let closed = try Self.shell("", arguments, "2>&-")
        #expect(closed.status == 0)
        #expect(try Self.expectWholeTrace(trace) == 301)
        // Standard error appended to the trace itself while resuming it.
        let same = try Self.shell("", arguments + ["--resume"], "2>>\(trace)")
        #expect(same.status == 0)
        #expect(try Self.expectWholeTrace(trace) == 301)
        // Standard output on the trace is refused.
        let refused = try Self.shell("", arguments + ["--resume"], ">>\(trace)")
        #expect(refused.status == 1)
        #expect(refused.error.contains("is also standard output"), "\(refused.error)")
    }

    @Test func ctrlCWhileCompareTrainsStopsPromptly() throws {
        let directory = try CLI.temporaryDirectory()
        let data = try CLI.smallCSV(in: directory, count: 400)
        let model = directory.appendingPathComponent("model.json").path
        let config = directory.appendingPathComponent("long.toml").path
        try """
        name = "long"
        seed = 1
        [model]
        file = "\(model)"
        dataset = "\(data)"
        [training]
        epochs = 100000
        patience = 100000
        reduce_patience = 100000
        [approximation]
        degrees = [7, 17]
        interval = [-8.0, 8.0]
        [cost]
        profile = "heaan-fgb"
        depth = "ideal"
        placement = "greedy"
        [search]
        tolerance = 0.02
        tolerance_mode = "relative"
        budget = 10
        seeds = [1]
        strategies = ["greedy"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["compare", "--config", config, "--out", directory.appendingPathComponent("results").path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until training reports its first epochs, then interrupt.
        var seen = Data()
        while process.isRunning, String(decoding: seen, as: UTF8.self).components(separatedBy: "epoch").count < 3 {
            seen += err.fileHandleForReading.availableData
        }
        let interrupted = Date()
        process.interrupt()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(interrupted)
        #expect(process.terminationStatus == 130)
        #expect(seconds < 2, "stopped \(seconds) s after Ctrl-C")
        #expect(!FileManager.default.fileExists(atPath: model), "no model is saved from an interrupted training")
    }

    @Test func silentlyWrongInputsAreRefused() throws {
        let test = CLI()
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        // A negative budget is a budget error, not "Missing value".
        try test.expectOneLineError(
            ["search", "--model", model, "--strategy", "dfs", "--budget", "-5"],
            mentions: ["budget", "-5"])
        // An option given twice.
        try test.expectOneLineError(
            ["evaluate", "--model", model, "--model", model, "--plan", "17*28"],
            mentions: ["--model", "more than once"])
        // A fitting interval far beyond where tanh is not ±1.
        try test.expectOneLineError(
            ["evaluate", "--model", model, "--plan", "17*28", "--interval", "1e300"],
            mentions: ["interval", "within"])
        // An output path that cannot be written names the path, not a Foundation error code.
        let blocked = try CLI.run([
            "train", "--dataset", "mnist5k", "--out", "/proc/version/model.json", "--epochs", "1",
            "--training-limit", "50", "--quiet",
        ])
        #expect(blocked.status == 1)
        #expect(blocked.error.contains("/proc/version") && !blocked.error.contains("Error Domain"), "\(blocked.error)")
        // A model whose class count does not match the labels.
        var json = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any])
        var architecture = try #require(json["architecture"] as? [String: Any])
        let units = try #require((architecture["units"] as? [Int])?.last)
        architecture["classes"] = 5
        json["dense"] = [
            "kernel": [Double](repeating: 0.1, count: units * 5), "bias": [Double](repeating: 0, count: 5),
        ]
        json["architecture"] = architecture
        let five = directory.appendingPathComponent("five.json").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: five))
        try test.expectOneLineError(["evaluate", "--model", five, "--plan", "17*28"], mentions: ["5 classes", "10"])
        // A config whose dataset is not the cached model's.
        let config = try CompareCommandTests.config(model: model, in: directory)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let otherData = text.replacingOccurrences(of: "dataset = \"", with: "dataset = \"mnist5k\"\n# was \"")
        try otherData.write(toFile: config, atomically: true, encoding: .utf8)
        try test.expectOneLineError(
            ["compare", "--config", config, "--out", directory.path], mentions: ["model.dataset", "was trained on"])
        // A cached model reused after [training] changed.
        try (text + "\n[training]\nepochs = 3\n").write(toFile: config, atomically: true, encoding: .utf8)
        try test.expectOneLineError(
            ["compare", "--config", config, "--out", directory.path],
            mentions: ["training", "epochs 3 in the config, 2 in the model"])
    }
}
