import CellwiseTestSupport
import Foundation
import Testing

/// A one-node Ray cluster for a test, with its own token, home and temporary directory, and the
/// dispatcher (tools/ray/dispatch.py) pointed at it.
struct LocalRayCluster {
    typealias CLI = CommandLineTests

    /// Python with Ray: CELLWISE_PYTHON (set by `make test`) or .build/python-venv.
    static var python: URL? {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["CELLWISE_PYTHON"],
            TestData.repositoryRoot.appendingPathComponent(".build/python-venv/bin/python").path,
        ]
        guard
            let path = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        let ray = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("ray")
        return FileManager.default.isExecutableFile(atPath: ray.path) ? URL(fileURLWithPath: path) : nil
    }

    /// Runs a program with extra environment variables; its output goes through files, not pipes
    /// (`ray start` leaves daemons that would hold a pipe open).
    static func launch(_ program: URL, _ arguments: [String], environment: [String: String], in directory: URL)
        throws -> (status: Int32, output: String, error: String)
    {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let id = UUID().uuidString
        let (outPath, errPath) = (
            directory.appendingPathComponent("\(id).out"), directory.appendingPathComponent("\(id).err")
        )
        FileManager.default.createFile(atPath: outPath.path, contents: nil)
        FileManager.default.createFile(atPath: errPath.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outPath)
        process.standardError = try FileHandle(forWritingTo: errPath)
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOf: outPath, encoding: .utf8),
            try String(contentsOf: errPath, encoding: .utf8)
        )
    }

    let python: URL
    let directory: URL
    let environment: [String: String]
    let port: Int
    private let temp: String

    /// Starts `ray start --head` with two CPUs.
    init(in directory: URL) throws {
        python = try #require(Self.python, "make test installs Ray in .build/python-venv")
        self.directory = directory
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        // Short: Ray's sockets live there.
        temp = "/tmp/cwray-\(UInt32.random(in: 0...UInt32.max))"
        let token = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
        environment = [
            "HOME": home.path, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token, "RAY_USAGE_STATS_ENABLED": "0",
        ]
        port = Int.random(in: 21_000...29_000)
        let start = try Self.launch(
            ray,
            [
                "start", "--head", "--port=\(port)", "--num-cpus=2", "--include-dashboard=false",
                "--disable-usage-stats", "--temp-dir=\(temp)",
            ], environment: environment, in: directory)
        if start.status != 0 { stop() }
        try #require(start.status == 0, "ray start: \(start.error)")
    }

    private var ray: URL { python.deletingLastPathComponent().appendingPathComponent("ray") }

    /// Runs tools/ray/dispatch.py against the cluster with the test's cellwise executable (its own
    /// options first: a command to shard comes last, after `--`).
    func dispatch(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try Self.launch(
            python,
            [
                TestData.repositoryRoot.appendingPathComponent("tools/ray/dispatch.py").path, "--cellwise",
                CLI.executable.path, "--address", "127.0.0.1:\(port)",
            ] + arguments, environment: environment, in: directory)
    }

    /// `ray stop --force` and the temporary directory removed.
    func stop() {
        _ = try? Self.launch(ray, ["stop", "--force"], environment: environment, in: directory)
        try? FileManager.default.removeItem(atPath: temp)
    }
}
