import CellwiseCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process spoken to in lines of text: its standard input and output are pipes, its
/// standard error goes to a log file. Reading waits at most a timeout; a process that has died
/// or closed its output reads as the end. The process runs in a process group of its own, and
/// ending it ends the group: a strategy's own workers never outlive the search.
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

    private let child: ChildProcess
    /// Bytes read and not yet returned: `buffer[consumed...]`; `scanned` bytes of it hold no newline.
    private var buffer = [UInt8]()
    private var consumed = 0
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var ended = false
    /// Where the process's standard error goes.
    let logPath: String

    /// Starts `command` (a program and its arguments; a program without `/` is looked up in PATH).
    init(command: [String], logPath: String, environment: [String: String] = [:]) throws {
        // A write to a process that has exited must be an error, not a signal that ends Cellwise.
        signal(SIGPIPE, SIG_IGN)
        self.logPath = logPath
        guard let program = command.first else { throw ExternalProcessError("the command is empty") }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let folder = (logPath as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw ExternalProcessError("cannot make the folder of the log \(logPath) (\(describeSystemError(error)))")
        }
        do {
            child = try ChildProcess(
                program, Array(command.dropFirst()), environment: merged, input: .pipe, output: .pipe,
                error: .file(logPath))
        } catch let error as DataError {
            throw ExternalProcessError("cannot start \(program) (\(error.problem))")
        }
    }

    /// Writes one line (a newline is added). Returns false when the process no longer reads.
    @discardableResult
    func send(_ line: String) -> Bool {
        guard let fd = child.inputDescriptor else { return false }
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
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

    /// The next line (without its newline), waiting at most `timeout` seconds. Each byte read is
    /// scanned once, so a long line costs time linear in its length.
    func readLine(timeout: Double, limit: Int = 64 << 20) throws(ReadFailure) -> String {
        guard let fd = child.outputDescriptor else { throw .ended }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = newlineIndex(from: consumed + scanned) {
                let line = String(decoding: buffer[consumed..<newline], as: UTF8.self)
                consumed = newline + 1
                scanned = 0
                // Drop what was returned once it is most of the buffer (amortised linear).
                if consumed > buffer.count / 2 {
                    buffer.removeFirst(consumed)
                    consumed = 0
                }
                return line
            }
            scanned = buffer.count - consumed
            if ended { throw .ended }
            if scanned > limit { throw .tooLong }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw .timedOut }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left * 1000, 1000).rounded(.up)))
            if ready < 0 && errno != EINTR { throw .ended }
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                if count < 0 && errno == EINTR { continue }
                ended = true
            } else {
                buffer.append(contentsOf: chunk[..<count])
            }
        }
    }

    /// The first newline in `buffer[start...]` (memchr: fast in any build).
    private func newlineIndex(from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let found = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Closes the process's input, waits up to `grace` seconds for it to exit, then ends its
    /// group (anything it started included). Returns its exit status (nil if it had to be killed).
    @discardableResult
    func finish(grace: Double = 5) -> Int32? {
        child.closeInput()
        let deadline = Date().addingTimeInterval(grace)
        while child.ended == nil && Date() < deadline { usleep(10_000) }
        let termination = child.ended
        child.terminateGroup(grace: 0)  // the leader, if it is still running, and whatever it started
        if case .exited(let status) = termination { return status }
        return nil
    }

    /// Whether the process is still running.
    var isRunning: Bool { child.ended == nil }

    /// How the process ended, for messages: `exit status 3`, `killed by signal 9`.
    var endDescription: String {
        switch child.ended {
        case nil: "still running"
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
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
