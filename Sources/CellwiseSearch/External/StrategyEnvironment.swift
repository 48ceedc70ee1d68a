import CellwiseCore
import Foundation

/// The Python environment of the shipped adapters: a command whose program is `{python}` runs
/// with the Python of `.build/strategies-venv` (see ``Installation``; or `CELLWISE_STRATEGIES_VENV`), created on first
/// use with `python3 -m venv` and the pinned packages of `strategies/requirements.txt`; it is
/// reinstalled when that file changes.
enum StrategyEnvironment {
    /// The placeholder for the environment's Python in a command.
    static let placeholder = "{python}"

    /// `command` with `{python}` replaced by the environment's Python (made first if needed).
    static func resolve(_ command: [String], log: (String) -> Void = { standardErrorLine($0) }) throws -> [String] {
        guard command.first == placeholder else { return command }
        let environment = ProcessInfo.processInfo.environment
        let venv =
            try environment["CELLWISE_STRATEGIES_VENV"]
            ?? Installation.current().environments.appendingPathComponent("strategies-venv").path
        let requirements =
            try environment["CELLWISE_STRATEGIES_REQUIREMENTS"]
            ?? Installation.current().resource("strategies/requirements.txt")
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
