import Foundation
import Testing

/// Hundreds of malformed inputs through the real executable: each must end with exit code 0 (the
/// mutation happened to stay valid) or 1 with exactly one line on standard error naming the file or
/// value at fault — never a signal, a hang or a partial output file.
@Suite(.serialized) struct MalformedInputFuzzTests {
    typealias CLI = CommandLineTests

    struct Case {
        var name: String
        var arguments: [String]
        /// Text the error line must contain (usually the file's path).
        var mentions: String
        /// A file the command would write, which must not exist after a failure.
        var output: String?
        /// Whether the input is certainly invalid (exit 0 is then a failure).
        var mustFail = true
    }

    struct Outcome {
        var rejected = 0
        var accepted = 0
    }

    /// Runs `arguments` with a time limit; nil when it had to be killed.
    static func run(_ arguments: [String], seconds: Double = 30) throws -> (
        status: Int32, reason: Process.TerminationReason, error: String
    )? {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        let reader = DispatchQueue(label: "stderr")
        nonisolated(unsafe) var data = Data()
        let readDone = DispatchSemaphore(value: 0)
        reader.async {
            data = err.fileHandleForReading.readDataToEndOfFile()
            readDone.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 5)
            return nil
        }
        readDone.wait()
        return (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self))
    }

    static func check(_ cases: [Case], outcome: inout Outcome) throws {
        for c in cases {
            if let output = c.output { try? FileManager.default.removeItem(atPath: output) }
            guard let result = try run(c.arguments) else {
                Issue.record("\(c.name): hung (killed after 30 s)")
                continue
            }
            #expect(result.reason == .exit, "\(c.name): killed by signal \(result.status)")
            if result.status == 0 {
                #expect(!c.mustFail, "\(c.name): accepted malformed input")
                outcome.accepted += 1
                continue
            }
            outcome.rejected += 1
            #expect(result.status == 1, "\(c.name): exit status \(result.status): \(result.error)")
            let lines = result.error.split(separator: "\n")
            #expect(lines.count == 1, "\(c.name): \(lines.count) lines: \(result.error)")
            #expect(result.error.hasPrefix("Error: "), "\(c.name): \(result.error)")
            #expect(result.error.contains(c.mentions), "\(c.name): does not mention \(c.mentions): \(result.error)")
            if let output = c.output {
                #expect(!FileManager.default.fileExists(atPath: output), "\(c.name): left \(output) behind")
            }
        }
    }

    // MARK: - Mutations

    /// Deterministic mutations of `bytes`: truncations, bit flips, byte stomps, empty.
    static func mutations(of bytes: [UInt8], count: Int, seed: UInt64) -> [(String, [UInt8])] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 17
        }
        var result: [(String, [UInt8])] = [("empty", [])]
        for fraction in [0.0005, 0.01, 0.25, 0.5, 0.9, 0.999] {
            let n = max(1, Int(Double(bytes.count) * fraction))
            result.append(("truncated to \(n) bytes", Array(bytes.prefix(n))))
        }
        while result.count < count {
            var copy = bytes
            let position = Int(
                next() % UInt64(min(bytes.count, max(64, bytes.count / (result.count % 3 == 0 ? 1 : 50)))))
            if result.count % 2 == 0 {
                copy[position] ^= UInt8(1 << (next() % 8))
                result.append(("bit flip at \(position)", copy))
            } else {
                let stomp = [UInt8](repeating: UInt8(next() % 256), count: 8)
                copy.replaceSubrange(position..<min(copy.count, position + 8), with: stomp)
                result.append(("bytes stomped at \(position)", copy))
            }
        }
        return result
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    // MARK: - The suites

    @Test func malformedInputsNeverCrash() throws {
        let directory = try CLI.temporaryDirectory()
        var outcome = Outcome()
        var total = 0

        let model = try CLI.trainedModel.get()

        // Data files (train): the CSV sample layout, gzip-compressed, and IDX files.
        let csvPath = try CLI.smallCSV(in: directory, count: 30)
        let csv = try [UInt8](Data(contentsOf: URL(fileURLWithPath: csvPath)))
        let out = directory.appendingPathComponent("model-out.json").path
        var cases = [Case]()
        for (name, bytes) in Self.mutations(of: csv, count: 30, seed: 1) {
            let path = directory.appendingPathComponent("data-\(cases.count).csv").path
            try Self.write(bytes, path)
            cases.append(
                Case(
                    name: "csv \(name)",
                    arguments: ["train", "--dataset", path, "--out", out, "--epochs", "1", "--quiet"],
                    mentions: path, output: out, mustFail: name == "empty" || name.hasPrefix("truncated to 1 ")))
        }
        // gzip: compress with the system's gzip, then mutate.
        let gzSource = directory.appendingPathComponent("gz.csv").path
        try Self.write(csv, gzSource)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-n", "-f", gzSource]
        try gzip.run()
        gzip.waitUntilExit()
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: gzSource + ".gz")))
        for (name, bytes) in Self.mutations(of: gz, count: 30, seed: 2) {
            let path = directory.appendingPathComponent("data-\(cases.count).csv.gz").path
            try Self.write(bytes, path)
            cases.append(
                Case(
                    name: "gzip \(name)",
                    arguments: ["train", "--dataset", path, "--out", out, "--epochs", "1", "--quiet"],
                    mentions: path, output: out, mustFail: !name.hasPrefix("bit flip")))
        }
        // IDX: a header declaring far more images than the file holds must not allocate for them.
        func idx(_ magic: UInt32, _ dims: [UInt32], _ payload: [UInt8]) -> [UInt8] {
            ([magic] + dims).flatMap { v in [24, 16, 8, 0].map { UInt8((v >> UInt32($0)) & 0xFF) } } + payload
        }
        let pixels = [UInt8](repeating: 7, count: 10 * 784)
        let idxVariants: [(String, [UInt8], [UInt8])] = [
            ("huge declared count", idx(0x803, [0x7FFF_FFFF, 28, 28], pixels), idx(0x801, [10], Array(0..<10))),
            ("huge declared rows", idx(0x803, [10, 0xFFFF_FFFF, 28], pixels), idx(0x801, [10], Array(0..<10))),
            ("huge label count", idx(0x803, [10, 28, 28], pixels), idx(0x801, [0xFFFF_FFFF], Array(0..<10))),
            ("wrong image magic", idx(0x801, [10, 28, 28], pixels), idx(0x801, [10], Array(0..<10))),
            ("wrong label magic", idx(0x803, [10, 28, 28], pixels), idx(0x803, [10], Array(0..<10))),
            ("three dims declared as four", idx(0x804, [10, 28, 28], pixels), idx(0x801, [10], Array(0..<10))),
            ("label 200", idx(0x803, [10, 28, 28], pixels), idx(0x801, [10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 200])),
            ("header only", idx(0x803, [10, 28, 28], []), idx(0x801, [10], Array(0..<10))),
            ("magic only", Array(idx(0x803, [], [])), idx(0x801, [10], Array(0..<10))),
            ("labels truncated", idx(0x803, [10, 28, 28], pixels), Array(idx(0x801, [10], Array(0..<10)).prefix(12))),
            ("count mismatch", idx(0x803, [10, 28, 28], pixels), idx(0x801, [9], Array(0..<9))),
            (
                "27x28 images", idx(0x803, [10, 27, 28], Array(pixels.prefix(10 * 27 * 28))),
                idx(0x801, [10], Array(0..<10))
            ),
        ]
        for (name, images, labels) in idxVariants {
            let sub = directory.appendingPathComponent("idx-\(cases.count)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let imagePath = sub.appendingPathComponent("x-images-idx3-ubyte").path
            try Self.write(images, imagePath)
            try Self.write(labels, sub.appendingPathComponent("x-labels-idx1-ubyte").path)
            cases.append(
                Case(
                    name: "idx \(name)",
                    arguments: ["train", "--dataset", imagePath, "--out", out, "--epochs", "1", "--quiet"],
                    mentions: sub.path, output: out))
        }
        // Directories and non-files where files are expected.
        cases.append(
            Case(
                name: "directory as csv",
                arguments: [
                    "train", "--dataset", directory.appendingPathComponent("idx-60").path + "/x-images-idx3-ubyte/..",
                    "--out", out,
                ],
                mentions: "idx-60", output: out))
        try CLI.check(&total, cases, &outcome)

        // Model files (evaluate).
        let modelText = try [UInt8](Data(contentsOf: URL(fileURLWithPath: model)))
        cases = []
        for (name, bytes) in Self.mutations(of: modelText, count: 30, seed: 3) {
            let path = directory.appendingPathComponent("model-\(cases.count).json").path
            try Self.write(bytes, path)
            cases.append(
                Case(
                    name: "model \(name)", arguments: ["evaluate", "--model", path, "--plan", "17*28"], mentions: path,
                    mustFail: false))
        }
        let modelString = String(decoding: modelText, as: UTF8.self)
        let edits: [(String, String, String)] = [
            ("NaN weight", "\"dense\" : {\n    \"bias\" : [\n", "\"dense\" : {\n    \"bias\" : [\nNaN,"),
            ("Infinity weight", "\"bias\" : [\n", "\"bias\" : [\nInfinity,"),
            ("enormous weight", "\"dense\" : {\n    \"bias\" : [\n", "\"dense\" : {\n    \"bias\" : [\n1e400,"),
            ("negative units", "\"units\" : [\n", "\"units\" : [\n-32,"),
            ("enormous units", "\"units\" : [\n", "\"units\" : [\n99999999999,"),
            ("string version", "\"version\" : 2", "\"version\" : \"2\""),
            ("version 4", "\"version\" : 2", "\"version\" : 4"),
            ("unknown key", "\"version\" : 2", "\"version\" : 2, \"colour\" : \"blue\""),
            ("wrong type weights", "\"layers\" : [", "\"layers\" : {}, \"x\" : ["),
            ("unknown cell", "\"cell\" : \"SimpleRNN\"", "\"cell\" : \"Transformer\""),
            ("missing dataset", "\"dataset\" :", "\"datasat\" :"),
            ("time steps 29", "\"time_steps\" : 28", "\"time_steps\" : 29"),
            ("negative split seed", "\"split_seed\" : 1", "\"split_seed\" : -1"),
        ]
        for (name, original, replacement) in edits {
            let path = directory.appendingPathComponent("model-edit-\(cases.count).json").path
            #expect(modelString.contains(original), "fixture for \(name)")
            try Self.write(Array(modelString.replacingOccurrences(of: original, with: replacement).utf8), path)
            cases.append(
                Case(
                    name: "model \(name)", arguments: ["evaluate", "--model", path, "--plan", "17*28"], mentions: path))
        }
        cases.append(
            Case(
                name: "model is a directory", arguments: ["evaluate", "--model", directory.path, "--plan", "17*28"],
                mentions: directory.path))
        cases.append(
            Case(
                name: "model non-UTF-8",
                arguments: [
                    "evaluate", "--model",
                    try {
                        let path = directory.appendingPathComponent("latin1.json").path
                        try Self.write([0x7B, 0xE9, 0xFF, 0xFE, 0x7D], path)
                        return path
                    }(), "--plan", "17*28",
                ], mentions: "latin1.json"))
        try CLI.check(&total, cases, &outcome)

        // Plans (evaluate, cost).
        let plans = [
            "", ",", "*", "17*", "*28", "17**28", "17*-1", "-17*28", "17*0", "17*99999999999999999999", "0*28", "64*28",
            "t*28,", "17*28 17", "１７*28", "17;28", "17*2.5", "nan*28", "inf", "17*27", "17*29",
            "3*14,7*15", String(repeating: "17,", count: 5000) + "17", "17*100001", "T*28", "tanh*28,7", "x",
        ]
        cases = plans.enumerated().map { index, plan in
            Case(name: "plan #\(index)", arguments: ["evaluate", "--model", model, "--plan", plan], mentions: "plan")
        }
        cases += plans.prefix(20).enumerated().map { index, plan in
            Case(name: "cost plan #\(index)", arguments: ["cost", "--plan", plan], mentions: "plan", mustFail: false)
        }
        try CLI.check(&total, cases, &outcome)

        // TOML: comparison configs, cost profiles, measurements.
        // A small comparison (the e2e model, budget 25), so that mutations that stay valid run quickly.
        let configText = try String(
            contentsOfFile: CompareCommandTests.config(model: model, in: directory), encoding: .utf8)
        let profileText = try CLI.run(["profiles", "--show", "heaan-fgb"]).output
        let measuredText =
            "[[measurement]]\nplan = \"17*28\"\nseconds = 628.03\n[[measurement]]\nplan = \"7*4,17*24\"\nseconds = "
            + "581.23\n"
        let tomlEdits: [(String, String)] = [
            ("= 2048", "= -2048"), ("= 2048", "= 1e999"), ("= 2048", "= nan"), ("= 2048", "= inf"),
            ("= 2048", "= \"2048\""),
            ("= 0.02", "= -0.02"), ("= 0.02", "= nan"), ("= 18.", "= -18."), ("= 0.15", "= nan"), ("= 0.14", "= inf"),
            ("= 65536", "= 99999999999999999999999"), ("= 9\n", "= 0\n"), ("= 9\n", "= -9\n"), ("\"ideal\"", "3"),
            ("[search]", "[search]\nturbo = true"), ("[costs]", "[costs]\ndiscount = 0.5"), ("= 628.03", "= -1"),
            ("= 628.03", "= nan"), ("\"17*28\"", "\"17*0\""), ("\"17*28\"", "17"), ("[[measurement]]", "[measurement]"),
            ("seeds = [1, 2, 3, 4, 5]", "seeds = [1, \"two\"]"), ("seeds = [1, 2, 3, 4, 5]", "seeds = 5"),
            ("interval = [-8.0, 8.0]", "interval = [-8.0, nan]"), ("degrees = [3, 7, 17]", "degrees = [3, 7, 0]"),
            ("strategies = [", "strategies = [\"\","), ("name = ", "name = 3\nx = "), ("\n", "\n[[[\n"),
        ]
        cases = []
        for (label, text, argumentsFor) in [
            (
                "config", configText,
                { (path: String) in
                    ["compare", "--config", path, "--out", directory.appendingPathComponent("never").path]
                }
            ),
            ("profile", profileText, { (path: String) in ["cost", "--plan", "17*28", "--profile", path] }),
            (
                "measurements", measuredText,
                { (path: String) in ["calibrate", "--profile", "heaan-fgb", "--measured", path, "--out", out] }
            ),
        ] as [(String, String, (String) -> [String])] {
            var variants = tomlEdits.filter { text.contains($0.0) }.map {
                ("\($0.0) -> \($0.1)", text.replacingOccurrences(of: $0.0, with: $0.1))
            }
            variants += Self.mutations(of: Array(text.utf8), count: 12, seed: 4).map {
                ($0.0, String(decoding: $0.1, as: UTF8.self))
            }
            for (name, variant) in variants {
                let path = directory.appendingPathComponent("\(label)-\(cases.count).toml").path
                try Self.write(Array(variant.utf8), path)
                let expectedFailure = tomlEdits.contains { "\($0.0) -> \($0.1)" == name } || name == "empty"
                cases.append(
                    Case(
                        name: "\(label) \(name)", arguments: argumentsFor(path), mentions: path,
                        output: label == "measurements" ? out : nil, mustFail: expectedFailure))
            }
            let binary = directory.appendingPathComponent("\(label)-binary.toml").path
            try Self.write([0xFF, 0xFE, 0x00, 0x41, 0xC3, 0x28], binary)
            cases.append(Case(name: "\(label) non-UTF-8", arguments: argumentsFor(binary), mentions: binary))
            cases.append(
                Case(name: "\(label) directory", arguments: argumentsFor(directory.path), mentions: directory.path))
        }
        try CLI.check(&total, cases, &outcome)

        // run.json (export).
        let runDirectory = directory.appendingPathComponent("cmp")
        let config = try CompareCommandTests.config(model: model, in: directory)
        _ = try CLI.run(["compare", "--config", config, "--out", runDirectory.path, "--quiet"])
        let runJSON = try [UInt8](Data(contentsOf: runDirectory.appendingPathComponent("small/run.json")))
        cases = []
        let exportOut = directory.appendingPathComponent("export.md").path
        for (name, bytes) in Self.mutations(of: runJSON, count: 25, seed: 5) {
            let path = directory.appendingPathComponent("run-\(cases.count).json").path
            try Self.write(bytes, path)
            cases.append(
                Case(
                    name: "run.json \(name)",
                    arguments: ["export", "--run", path, "--format", "md", "--out", exportOut],
                    mentions: path, output: exportOut, mustFail: name == "empty" || name.hasPrefix("truncated")))
        }
        try CLI.check(&total, cases, &outcome)

        #expect(total >= 200, "only \(total) malformed cases")
        print(
            "malformed inputs tried: \(total); rejected with a one-line error: \(outcome.rejected); accepted (still "
                + "valid): \(outcome.accepted)"
        )
    }
}

extension CommandLineTests {
    /// Runs the cases and adds their number to `total`.
    static func check(
        _ total: inout Int, _ cases: [MalformedInputFuzzTests.Case], _ outcome: inout MalformedInputFuzzTests.Outcome
    ) throws {
        total += cases.count
        try MalformedInputFuzzTests.check(cases, outcome: &outcome)
    }
}
