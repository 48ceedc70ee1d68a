import CellwiseCKKS
import CellwiseCore
import Foundation

/// Runs `tools/ckks/cellwise_ckks.py` with OpenFHE's Python package in a virtual environment
/// that it creates on first use (`.build/ckks-venv` in the checkout, see ``Installation``), from the hash-pinned
/// `tools/ckks/requirements.txt` (`pip install --require-hashes`).
///
/// OpenFHE's wheel (`openfhe==1.6.1.0.22.4`) is built for CPython 3.10 only; the bridge looks for
/// `python3.10` on the PATH and under pyenv.
public struct OpenFHEBridge: Sendable {
    /// The pinned OpenFHE package.
    public static let package = "openfhe==1.6.1.0.22.4"

    /// The Python interpreter of the virtual environment.
    public let python: String
    /// The bridge script.
    public let script: String

    /// Finds (or makes) the environment.
    ///
    /// - Parameter log: Receives a line for each set-up step (creating the environment, installing).
    /// - Throws: ``DataError`` saying what to install when Python 3.10 is missing or the install fails.
    public init(log: (String) -> Void = { _ in }) throws {
        let environment = ProcessInfo.processInfo.environment
        let tools =
            try environment["CELLWISE_TOOLS"].map { URL(fileURLWithPath: $0) }
            ?? Installation.current().root.appendingPathComponent("tools")
        script = tools.appendingPathComponent("ckks/cellwise_ckks.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            throw DataError(
                script,
                "the CKKS bridge script is missing (set CELLWISE_HOME to a Cellwise checkout or installation)")
        }
        let venv =
            try environment["CELLWISE_CKKS_VENV"]
            ?? Installation.current().environments.appendingPathComponent("ckks-venv").path
        python = venv + "/bin/python"
        let marker = venv + "/.cellwise-openfhe"
        // Pinned with hashes: the environment is remade when the requirements change.
        let requirements = tools.appendingPathComponent("ckks/requirements.txt").path
        guard let pinned = FileManager.default.contents(atPath: requirements) else {
            throw DataError(requirements, "the CKKS bridge's requirements are missing")
        }
        let digest = SHA256.hex(of: [UInt8](pinned))
        if FileManager.default.contents(atPath: marker).map({ String(decoding: $0, as: UTF8.self) }) == digest {
            return
        }
        guard let interpreter = Self.findPython310() else {
            throw DataError(
                "python3.10",
                "not found: OpenFHE's Python package needs CPython 3.10 (install it, e.g. `pyenv install 3.10` or "
                    + "Debian's python3.10, so that python3.10 is on the PATH)"
            )
        }
        log("creating \(venv) with \(interpreter) and installing \(Self.package) (hash-pinned, once)")
        try Subprocess.check(
            Subprocess.run(interpreter, ["-m", "venv", "--clear", venv]),
            what: "creating the virtual environment \(venv)")
        try Subprocess.check(
            Subprocess.run(
                venv + "/bin/pip",
                ["install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", requirements]),
            what: "pip install --require-hashes -r \(requirements)")
        // Without the marker the environment is only checked again next time.
        _ = FileManager.default.createFile(atPath: marker, contents: Data(digest.utf8))
    }

    /// Runs the bridge with `arguments` and decodes its JSON output.
    ///
    /// - Parameter progress: Receives the bridge's progress lines (keys made, batch done) as they come.
    public func run<Output: Decodable>(
        _ arguments: [String], as type: Output.Type, progress: (@Sendable (String) -> Void)? = nil
    ) throws -> Output {
        var forward: (@Sendable (String) -> Void)?
        if let progress {
            forward = { line in
                let prefix = "progress: "
                if line.hasPrefix(prefix) { progress(String(line.dropFirst(prefix.count))) }
            }
        }
        let result = try Subprocess.run(python, [script] + arguments, errorLine: forward)
        try Subprocess.check(result, what: "the CKKS bridge")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Output.self, from: result.output)
        } catch {
            throw DataError(script, "unexpected output from the CKKS bridge (\(error))", reason: .external)
        }
    }

    static func findPython310() -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map {
            "\($0)/python3.10"
        }
        let home = ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? (NSHomeDirectory() + "/.pyenv")
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: home + "/versions") {
            candidates += versions.filter { $0.hasPrefix("3.10") }.sorted().reversed().map {
                "\(home)/versions/\($0)/bin/python3.10"
            }
        }
        // pyenv's shim exists even when 3.10 is not the selected version; prefer real interpreters.
        return candidates.filter { !$0.contains("/shims/") }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension OpenFHEBridge: EncryptedBackend {
    /// Runs `cellwise_ckks.py run` on the batches: it checks the job against its schema, makes
    /// (or reads back from `work`) the keys, and writes each batch's record when it is decrypted.
    public func compute(
        job: URL, batches: [Int], options: [String], work: URL, results: URL,
        progress: @escaping @Sendable (String) -> Void
    ) throws {
        _ = try run(
            ["run"] + options + [
                "--input", job.path, "--work", work.path, "--results", results.path,
                "--batches", batches.map(String.init).joined(separator: ","),
            ], as: Output.self, progress: progress)
    }

    /// What the bridge prints when a run is done (the results are in the batch files).
    private struct Output: Decodable {
        var ringDimension: Int
        var setupSeconds: Double
        var parameters: OpenFHEParameters
    }
}
