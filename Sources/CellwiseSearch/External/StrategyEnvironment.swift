import CellwiseCore
import Foundation

/// The Python environment of the shipped adapters: a command whose program is `{python}` runs
/// with the Python of `.build/strategies-venv` (or `CELLWISE_STRATEGIES_VENV`), created on first
/// use with `python3 -m venv` and the pinned packages of `strategies/requirements.txt`; it is
/// reinstalled when that file changes.
enum StrategyEnvironment {
    /// The placeholder for the environment's Python in a command.
    static let placeholder = "{python}"

    /// The checkout's root (this file is Sources/CellwiseSearch/External/StrategyEnvironment.swift).
    static var checkout: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `command` with `{python}` replaced by the environment's Python (made first if needed).
    static func resolve(_ command: [String], log: (String) -> Void = { standardErrorLine($0) }) throws -> [String] {
        guard command.first == placeholder else { return command }
        let venv =
            ProcessInfo.processInfo.environment["CELLWISE_STRATEGIES_VENV"]
            ?? checkout.appendingPathComponent(".build/strategies-venv").path
        let requirements =
            ProcessInfo.processInfo.environment["CELLWISE_STRATEGIES_REQUIREMENTS"]
            ?? checkout.appendingPathComponent("strategies/requirements.txt").path
        guard let wanted = FileManager.default.contents(atPath: requirements) else {
            throw ExternalProcessError("cannot read \(requirements) (the adapters' pinned packages)")
        }
        let python = venv + "/bin/python"
        let marker = venv + "/.cellwise-requirements"
        if FileManager.default.contents(atPath: marker) != wanted {
            log("installing the adapters' Python packages (\(requirements)) into \(venv), once")
            try Subprocess.check(
                Subprocess.run("/usr/bin/env", ["python3", "-m", "venv", venv]),
                what: "creating \(venv) (is python3 with venv installed?)")
            try Subprocess.check(
                Subprocess.run(
                    venv + "/bin/pip", ["install", "--quiet", "--disable-pip-version-check", "-r", requirements]),
                what: "pip install -r \(requirements)")
            _ = FileManager.default.createFile(atPath: marker, contents: wanted)
        }
        return [python] + command.dropFirst()
    }

    private static func standardErrorLine(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
