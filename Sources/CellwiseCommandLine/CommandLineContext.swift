import Cellwise
import Foundation
import Synchronization

/// What the commands share for one process: the strategy registry and the checks made around
/// parsing and output.
enum CommandLineContext {
    private static let registryStorage = Mutex(StrategyRegistry.builtIn)

    /// The strategies `search`, `compare` and `strategies` know: the built-in ones and those
    /// handed to ``CellwiseCommand/main(strategies:arguments:)``.
    static var registry: StrategyRegistry {
        get { registryStorage.withLock { $0 } }
        set { registryStorage.withLock { $0 = newValue } }
    }

    /// Options that may be given more than once (each value is used).
    static let repeatableOptions: Set<String> = ["--plan", "--option"]

    /// Opens /dev/null on standard input, output or error when the process was started with one
    /// of them closed: otherwise the next file opened (a trace) would take its number and
    /// progress lines meant for standard error would land in it.
    static func ensureStandardDescriptors() {
        // A file-size limit (or a full quota) must end a write with an error, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        for descriptor in Int32(0)...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0, opened != descriptor {
                _ = dup2(opened, descriptor)
                _ = close(opened)
            }
        }
    }

    /// Refuses an option given twice where only one value would be kept.
    static func rejectRepeatedOptions(_ arguments: [String]) throws {
        var seen = Set<String>()
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            let name = String(argument.split(separator: "=", maxSplits: 1)[0])
            guard !repeatableOptions.contains(name) else { continue }
            guard seen.insert(name).inserted else {
                throw ConfigurationError(key: name, problem: "is given more than once; give it once")
            }
        }
    }

    /// Reports a failed write to standard output (a closed pipe, a full disk, /dev/full).
    static func flushStandardOutput() throws {
        try StandardOutput.check()
    }
}

/// The one place that turns an error into the line a user reads and the exit code.
enum ErrorReport {
    /// The exit code: 130 or 143 after Ctrl-C or SIGTERM, 1 for every other error.
    static func exitCode(for error: any Error) -> Int32 {
        if case SearchStop.interrupted = error { return Interruption.exitStatus }
        if case TrainingError.interrupted = error { return Interruption.exitStatus }
        if error is Subprocess.Interrupted { return Interruption.exitStatus }
        return 1
    }

    /// One line naming what is wrong. Cellwise's own errors describe themselves; errors from
    /// Foundation are translated so that their codes never reach the user.
    static func message(for error: any Error, argumentParser: (any Error) -> String) -> String {
        let text: String
        switch error {
        case let error as CocoaError:
            text = describe(error)
        case let error as any CellwiseError:
            text = error.description
        default:
            let parsed = argumentParser(error)
            // A system error that is not a CocoaError (e.g. a POSIX error) never shows its domain and code.
            text = parsed.contains("Error Domain=") ? describeSystemError(error) : parsed
        }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    private static func describe(_ error: CocoaError) -> String {
        let path =
            (error.userInfo[NSFilePathErrorKey] as? String) ?? error.userInfo[NSURLErrorKey].map { "\($0)" } ?? "file"
        return "\(path): \(describeSystemError(error))"
    }
}
