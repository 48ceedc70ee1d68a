import Cellwise
import CellwiseTestSupport
import Foundation
import Testing

/// The hostile inputs and process mishaps of issue 25, each through the executable as a user
/// (or an attacker) meets them: every one fails on the code before the fix.
@Suite(.serialized) struct HostileInputTests {
    typealias CLI = CommandLineTests

    /// The environment of the executable, with `extra` added.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    }

    /// Runs the executable with an environment of its own.
    static func run(_ arguments: [String], environment extra: [String: String], in directory: URL? = nil) throws
        -> CLI.Run
    {
        try CLI.launch(CLI.executable, arguments, in: directory, environment: extra)
    }

    static func isAlive(_ pid: Int32) -> Bool { Processes.isAlive(pid) }

    static func ends(_ pid: Int32, within seconds: Double = 10) -> Bool { Processes.ends(pid, within: seconds) }

    static func waitForFile(_ path: String, seconds: Double = 60) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") { return text }
            usleep(50_000)
        }
        return nil
    }

    // MARK: - External strategies

    /// A strategy that starts a worker of its own (a `sleep`) and writes its pid to `pidFile`.
    static func forkingStrategy(in directory: URL, pidFile: String) throws -> String {
        let path = directory.appendingPathComponent("forking.py").path
        try """
        import subprocess, sys
        sys.path.insert(0, "\(TestData.repositoryRoot.appendingPathComponent("strategies").path)")
        from cellwise_strategy import Session, Stop
        worker = subprocess.Popen(["sleep", "300"])
        open("\(pidFile)", "w").write(f"{worker.pid}\\n")
        session = Session()
        p = session.problem
        try:
            session.ask([[p.choices - 1] * p.sites])
        except Stop:
            pass
        session.done()
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anExternalStrategysOwnChildrenEndWithTheSearch() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let pidFile = directory.appendingPathComponent("worker.pid").path
        let script = try Self.forkingStrategy(in: directory, pidFile: pidFile)
        let run = try CLI.run([
            "search", "--model", model, "--strategy", "external", "--option", "command=[\"python3\", \"\(script)\"]",
            "--budget", "10", "--quiet", "--trace-file", directory.appendingPathComponent("t.jsonl").path,
        ])
        #expect(run.status == 0, "\(run.error)")
        let pid = try #require(Self.waitForFile(pidFile, seconds: 1).flatMap { Int32($0.dropLast()) })
        #expect(Self.ends(pid, within: 5), "the strategy's worker \(pid) outlived cellwise")
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
    }

    /// A 64 MiB line from a strategy is refused in linear time: with the CPU limited to 6 s (the
    /// quadratic reader needed 13 s or more), the search ends with the one-line refusal.
    @Test func aHugeLineFromAStrategyIsRefusedInLinearTime() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let script = directory.appendingPathComponent("huge.py").path
        try """
        import sys, time
        sys.stdout.write("x" * (70 << 20))
        sys.stdout.flush()
        time.sleep(30)
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let run = try DefectRegressionTests.shell(
            "ulimit -t 6;",
            [
                "search", "--model", model, "--strategy", "external", "--option",
                "command=[\"python3\", \"\(script)\"]", "--budget", "10", "--quiet", "--trace-file",
                directory.appendingPathComponent("t.jsonl").path,
            ])
        #expect(run.status == 1, "\(run.status) \(run.error)")
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
        #expect(run.error.contains("longer than"), "\(run.error)")
    }

    /// `--trace-file X.jsonl`, no folder part, with an external strategy (its log goes beside it).
    @Test func aTraceFileWithoutAFolderPartWorks() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let script = TestData.repositoryRoot.appendingPathComponent("strategies/random_example.py").path
        let run = try Self.run(
            [
                "search", "--model", model, "--strategy", "external", "--option",
                "command=[\"python3\", \"\(script)\"]", "--budget", "16", "--quiet", "--trace-file", "X.jsonl",
            ], environment: [:], in: directory)
        #expect(run.status == 0, "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("X.jsonl").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("X.stderr.log").path))
    }

    @Test func anOptionGivenTwiceIsRefused() throws {
        let model = try CLI.trainedModel.get()
        let run = try CLI.run([
            "search", "--model", model, "--strategy", "ga", "--option", "population=8", "--option", "population=16",
            "--budget", "10",
        ])
        #expect(run.status == 1)
        #expect(run.error.split(separator: "\n").count == 1)
        #expect(run.error.contains("population is given twice"), "\(run.error)")
    }

    /// A `run.json` cut short (a run missing, a trace shortened) is refused by `export`, and no
    /// table is written from it.
    @Test func anIncompleteRunJSONIsRefused() throws {
        let directory = try CLI.temporaryDirectory()
        let committed = TestData.repositoryRoot.appendingPathComponent("results/paper-mnist5k/run.json")
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: committed)) as? [String: Any])
        var withoutARun = whole
        withoutARun["runs"] = (whole["runs"] as? [Any]).map { Array($0.dropLast()) }
        var shortTrace = whole
        var runs = try #require(whole["runs"] as? [[String: Any]])
        runs[0]["trace"] = (runs[0]["trace"] as? [Any]).map { Array($0.prefix(100)) }
        shortTrace["runs"] = runs
        for (name, edited, complaint) in [
            ("missing", withoutARun, "is missing"), ("short", shortTrace, "its trace holds 100"),
        ] {
            let path = directory.appendingPathComponent("\(name).json").path
            try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: path))
            let out = directory.appendingPathComponent("\(name).md").path
            let run = try CLI.run(["export", "--run", path, "--format", "md", "--out", out])
            #expect(run.status == 1, "\(name)")
            #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
            #expect(run.error.contains("incomplete") && run.error.contains(complaint), "\(run.error)")
            #expect(!FileManager.default.fileExists(atPath: out), "no table from an incomplete run")
        }
        // The committed file itself exports.
        let out = directory.appendingPathComponent("whole.md").path
        #expect(try CLI.run(["export", "--run", committed.path, "--format", "md", "--out", out]).status == 0)
    }

    // MARK: - Encrypted runs

    /// An environment in which OpenFHE cannot be installed: no Python 3.10 anywhere, a virtual
    /// environment folder that does not exist. What is refused here is refused before any install.
    static func noOpenFHE(in directory: URL) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "PYENV_ROOT": directory.path, "HOME": directory.path,
            "CELLWISE_CKKS_VENV": directory.appendingPathComponent("venv").path,
        ]
    }

    @Test func anInsecureRingIsRefusedBeforeAnyInstall() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        for arguments in [
            ["ckks", "run", "--model", model, "--plan", "3*28", "--ring-dim", "1024"],
            ["ckks", "probe", "--ring-dim", "4096", "--out", directory.appendingPathComponent("p.toml").path],
            ["ckks", "parameters", "--ring-dim", "32768"],
        ] {
            let run = try Self.run(arguments, environment: Self.noOpenFHE(in: directory))
            #expect(run.status == 1, "\(arguments)")
            #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
            #expect(run.error.contains("--ring-dim") && run.error.contains("128-bit minimum"), "\(run.error)")
            #expect(run.error.contains("N = 65536"), "names the secure ring for the depth: \(run.error)")
            #expect(!run.error.contains("python3.10") && !run.error.contains("RuntimeError"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("venv").path))
    }

    @Test func moreSamplesThanTheDataAreRefusedNotClamped() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let run = try Self.run(
            [
                "ckks", "run", "--model", model, "--plan", "3*28", "--samples", "1000000000", "--insecure",
                "--ring-dim", "1024",
            ], environment: Self.noOpenFHE(in: directory))
        #expect(run.status == 1)
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
        #expect(run.error.contains("--samples") && run.error.contains("1000000000"), "\(run.error)")
        #expect(run.error.contains("test split"), "\(run.error)")
    }

    /// A stand-in for the OpenFHE bridge: a "python" that starts a worker (its pid in a file),
    /// says it started, and waits; found through CELLWISE_TOOLS and CELLWISE_CKKS_VENV.
    static func fakeBridge(in directory: URL) throws -> (environment: [String: String], pidFile: String) {
        let tools = directory.appendingPathComponent("tools")
        let venv = directory.appendingPathComponent("venv")
        try FileManager.default.createDirectory(
            at: tools.appendingPathComponent("ckks"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: venv.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let requirements = Data("openfhe==0 --hash=sha256:00\n".utf8)
        try requirements.write(to: tools.appendingPathComponent("ckks/requirements.txt"))
        try Data("# not run: the fake python ignores it\n".utf8).write(
            to: tools.appendingPathComponent("ckks/cellwise_ckks.py"))
        try Data(SHA256.hex(of: [UInt8](requirements)).utf8).write(to: venv.appendingPathComponent(".cellwise-openfhe"))
        let pidFile = directory.appendingPathComponent("worker.pid").path
        let python = venv.appendingPathComponent("bin/python").path
        try """
        #!/bin/sh
        sleep 300 &
        echo "$$ $!" > "\(pidFile).tmp" && mv "\(pidFile).tmp" "\(pidFile)"
        echo "progress: fake bridge started" >&2
        wait
        """.write(toFile: python, atomically: true, encoding: .utf8)
        chmod(python, 0o755)
        return (["CELLWISE_TOOLS": tools.path, "CELLWISE_CKKS_VENV": venv.path], pidFile)
    }

    /// A profile for N = 1024 written by hand (no OpenFHE needed to read it).
    static func handProfile(in directory: URL) throws -> String {
        let source = TestData.repositoryRoot.appendingPathComponent("configs/profiles/openfhe-n65536-secure.toml")
        let text = try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "ring_dimension = 65536", with: "ring_dimension = 1024")
            .replacingOccurrences(of: "name = \"openfhe-n65536-secure\"", with: "name = \"hand\"")
        let path = directory.appendingPathComponent("hand.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// SIGTERM or Ctrl-C during `ckks run` stops the bridge and everything it started before
    /// Cellwise exits with 143 or 130, and says where the run's folder stands.
    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aStoppedEncryptedRunStopsItsBridge(signal: Int32, status: Int32) throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let (environment, pidFile) = try Self.fakeBridge(in: directory)
        let out = directory.appendingPathComponent("run")
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = [
            "ckks", "run", "--model", model, "--plan", "3*28", "--samples", "2", "--insecure", "--ring-dim", "1024",
            "--profile", try Self.handProfile(in: directory), "--out", out.path,
        ]
        process.environment = Self.environment(environment)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pids = try #require(Self.waitForFile(pidFile), "the fake bridge did not start")
            .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(pids.count == 2)
        kill(process.processIdentifier, signal)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == status, "\(text)")
        #expect(text.contains("interrupted: the bridge was stopped") && text.contains(out.path), "\(text)")
        for pid in pids { #expect(Self.ends(pid, within: 2), "process \(pid) of the bridge outlived cellwise") }
        // The documented state: the run's description, and the private folder (0700) for the resume.
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("run.json").path))
        let attributes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("private").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path))
    }

    /// Keys are never written through a symbolic link: a `private` that is a link is refused.
    @Test func aSymlinkedPrivateFolderIsRefused() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let (environment, pidFile) = try Self.fakeBridge(in: directory)
        let out = directory.appendingPathComponent("run")
        let elsewhere = directory.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let arguments = [
            "ckks", "run", "--model", model, "--plan", "3*28", "--samples", "2", "--insecure", "--ring-dim", "1024",
            "--profile", try Self.handProfile(in: directory), "--out", out.path,
        ]
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: out.appendingPathComponent("private"), withDestinationURL: elsewhere)
        let run = try Self.run(arguments, environment: environment)
        #expect(run.status == 1)
        let errors = run.error.split(separator: "\n").filter { $0.hasPrefix("Error") }
        #expect(errors.count == 1 && errors[0].contains("is a symbolic link"), "\(run.error)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty, "nothing written through it")
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the bridge was not started")
    }
}
