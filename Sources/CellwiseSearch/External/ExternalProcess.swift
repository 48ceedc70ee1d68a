import CellwiseCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process spoken to in lines of text: its standard input and output are pipes, its
/// standard error goes to a log file. Reading waits at most a timeout; a process that has died
/// or closed its output reads as the end.
final class ExternalProcess {
    /// Why a line could not be read.
    enum ReadFailure: Error {
        /// Nothing arrived within the timeout.
        case timedOut
        /// The process closed its output (it exited or crashed).
        case ended
        /// A line longer than the limit.
        case tooLong
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = [UInt8]()
    private var ended = false
    /// Where the process's standard error goes.
    let logPath: String

    /// Starts `command` (a program and its arguments; a program without `/` is looked up in PATH).
    init(command: [String], logPath: String, environment: [String: String] = [:]) throws {
        // A write to a process that has exited must be an error, not a signal that ends Cellwise.
        signal(SIGPIPE, SIG_IGN)
        self.logPath = logPath
        guard let program = command.first else { throw ExternalProcessError("the command is empty") }
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(command.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.standardInput = input
        process.standardOutput = output
        try FileManager.default.createDirectory(
            atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        do {
            try process.run()
        } catch {
            throw ExternalProcessError("cannot start \(program) (\(describeSystemError(error)))")
        }
    }

    /// Writes one line (a newline is added). Returns false when the process no longer reads.
    @discardableResult
    func send(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        let fd = input.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// The next line (without its newline), waiting at most `timeout` seconds.
    func readLine(timeout: Double, limit: Int = 64 << 20) throws(ReadFailure) -> String {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if ended { throw .ended }
            if buffer.count > limit { throw .tooLong }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw .timedOut }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left * 1000, 1000).rounded(.up)))
            if ready < 0 && errno != EINTR { throw .ended }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                if count < 0 && errno == EINTR { continue }
                ended = true
            } else {
                buffer += chunk[..<count]
            }
        }
    }

    /// Closes the process's input, waits up to `grace` seconds for it to exit, then kills it.
    /// Returns its exit status (nil if it had to be killed).
    @discardableResult
    func finish(grace: Double = 5) -> Int32? {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    /// How the process ended, for messages: `exit status 3`, `killed by signal 9`.
    var endDescription: String {
        guard !process.isRunning else { return "still running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    /// The last lines of the standard-error log, for messages.
    func logTail(lines: Int = 3) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}

/// A process that cannot be started.
struct ExternalProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
