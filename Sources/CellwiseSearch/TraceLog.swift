import CellwiseCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// File-scope names for the system calls (inside TraceLog, `open`, `write` and `close` would name its methods).
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
private func systemClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

/// A search's evaluations on disk, one JSON line each, appended and flushed as the search runs,
/// so that an interrupted search (Ctrl-C, SIGTERM, even `kill -9`) can resume where it stopped.
///
/// The first line describes the search: every setting and input fingerprint that changes results
/// (``SearchProblem/settings(strategy:options:seed:)``); a resume whose settings differ is refused
/// with the names of what changed. A last line cut short by a kill is ignored, and a write that
/// fails (a full disk) is undone back to the last complete line before the error is reported.
public final class TraceLog {
    /// What identifies a search: resuming requires the same settings.
    public struct Header: Codable, Sendable, Equatable {
        /// The format version (2: named settings).
        public var cellwiseTrace = 2
        /// Every setting and fingerprint, by name.
        public var settings: [String: String]

        /// Creates a header.
        public init(settings: [String: String]) {
            self.settings = settings
        }

        /// The names of the settings that differ between `self` and `other`, sorted.
        public func changes(from other: Header) -> [String] {
            Set(settings.keys).union(other.settings.keys).filter { settings[$0] != other.settings[$0] }.sorted()
        }
    }

    /// The file.
    public let path: String
    private var descriptor: Int32
    /// One encoder for every line (an evaluation appends one).
    private let encoder = JSONEncoder.cellwiseCompact
    /// Bytes of complete lines in the file.
    private var length: Int64

    /// Starts a new log at `path` (replacing any), writing the header.
    ///
    /// - Throws: ``DataError`` when the file cannot be written.
    public init(creating path: String, header: Header) throws {
        self.path = path
        let data = try Self.encode(header) + Data("\n".utf8)
        try AtomicFile.write(data, to: path)
        descriptor = try Self.open(path)
        length = Int64(data.count)
    }

    /// Opens an existing log to continue it after its complete entries.
    private init(appendingTo path: String, validLength: Int64) throws {
        self.path = path
        descriptor = try Self.open(path)
        length = validLength
        guard ftruncate(descriptor, off_t(validLength)) == 0 else {  // drop a line cut short by a kill
            let problem = String(cString: strerror(errno))
            _ = systemClose(descriptor)
            throw SearchError.unreadableTrace(
                path: path, problem: "cannot truncate its incomplete last line (\(problem))")
        }
    }

    private static func open(_ path: String) throws -> Int32 {
        let descriptor = systemOpen(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SearchError.unreadableTrace(
                path: path, problem: "cannot open the trace for writing (\(String(cString: strerror(errno))))")
        }
        // Progress and results must never enter a trace. Standard error opened on the trace itself
        // (`2>>trace.jsonl`) is silenced; standard output there is refused (the results would be lost).
        var trace = stat()
        var other = stat()
        if fstat(descriptor, &trace) == 0 {
            if fstat(2, &other) == 0, other.st_dev == trace.st_dev, other.st_ino == trace.st_ino {
                let null = systemOpen("/dev/null", O_WRONLY)
                if null >= 0 {
                    _ = dup2(null, 2)
                    _ = systemClose(null)
                }
            }
            if fstat(1, &other) == 0, other.st_dev == trace.st_dev, other.st_ino == trace.st_ino {
                _ = systemClose(descriptor)
                throw SearchError.unreadableTrace(
                    path: path, problem: "is also standard output; redirect standard output elsewhere")
            }
        }
        return descriptor
    }

    deinit { if descriptor >= 0 { _ = systemClose(descriptor) } }

    /// Appends one evaluation and hands it to the operating system.
    ///
    /// - Throws: ``SearchError/traceWriteFailed(path:problem:)`` when the write fails; the file
    ///   is cut back to its last complete line first, so a resume continues from there.
    public func append(_ entry: TraceEntry) throws {
        try write(try encoder.encode(TraceRecord(entry)) + Data("\n".utf8))
    }

    /// Appends a note about the search (not an evaluation), e.g. the packages an external
    /// strategy reports: a line `{"note": {...}}` that resuming skips.
    ///
    /// - Throws: ``SearchError/traceWriteFailed(path:problem:)`` when the write fails.
    public func appendNote(_ note: [String: String]) throws {
        try write(try encoder.encode(["note": note]) + Data("\n".utf8))
    }

    /// Closes the file (further appends fail).
    public func close() throws {
        guard descriptor >= 0 else { return }
        let result = systemClose(descriptor)
        descriptor = -1
        if result != 0 { throw SearchError.traceWriteFailed(path: path, problem: String(cString: strerror(errno))) }
    }

    private func write(_ data: Data) throws {
        guard descriptor >= 0 else { throw SearchError.traceWriteFailed(path: path, problem: "the trace is closed") }
        var written = 0
        let failure: String? = data.withUnsafeBytes { bytes -> String? in
            while written < bytes.count {
                let n = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += n
            }
            return nil
        }
        if let failure {
            _ = ftruncate(descriptor, off_t(length))
            throw SearchError.traceWriteFailed(path: path, problem: failure)
        }
        length += Int64(written)
    }

    /// Reads a log for resuming: checks it belongs to a search with `header` and returns its
    /// entries and a log that continues it.
    ///
    /// - Throws: ``SearchError/traceMismatch(path:changed:)`` naming what changed, or
    ///   ``SearchError/unreadableTrace(path:problem:)`` when it is not a trace or is corrupt
    ///   before its last line.
    public static func resume(_ path: String, header expected: Header) throws -> (entries: [TraceEntry], log: TraceLog)
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SearchError.unreadableTrace(path: path, problem: "cannot read the trace")
        }
        let bytes = [UInt8](data)
        var lines = [ArraySlice<UInt8>]()
        var start = 0
        var complete = 0  // bytes of complete lines
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(bytes[start..<offset])
            start = offset + 1
            complete = start
        }
        guard let first = lines.first, let header = try? JSONDecoder.cellwise.decode(Header.self, from: Data(first))
        else {
            if let first = lines.first,
                (try? JSONSerialization.jsonObject(with: Data(first)) as? [String: Any])?["cellwise_trace"] as? Int == 1
            {
                throw SearchError.unreadableTrace(
                    path: path,
                    problem: "written by an older Cellwise (trace format 1); remove it or run without --resume")
            }
            throw SearchError.unreadableTrace(path: path, problem: "not a cellwise search trace (bad first line)")
        }
        guard header.cellwiseTrace == expected.cellwiseTrace else {
            throw SearchError.unreadableTrace(
                path: path,
                problem:
                    "trace format \(header.cellwiseTrace) is not supported (this cellwise writes "
                    + "\(expected.cellwiseTrace))"
            )
        }
        let changed = expected.changes(from: header)
        guard changed.isEmpty else { throw SearchError.traceMismatch(path: path, changed: changed) }
        var entries = [TraceEntry]()
        for (number, line) in lines.dropFirst().enumerated() {
            if (try? JSONDecoder.cellwise.decode([String: [String: String]].self, from: Data(line)))?["note"] != nil {
                continue
            }
            guard let decoded = try? JSONDecoder.cellwise.decode(TraceRecord.self, from: Data(line)),
                decoded.index == entries.count + 1, let entry = try? decoded.entry()
            else {
                throw SearchError.unreadableTrace(path: path, problem: "line \(number + 2) is corrupt")
            }
            entries.append(entry)
        }
        return (entries, try TraceLog(appendingTo: path, validLength: Int64(complete)))
    }

    private static func encode(_ value: some Encodable) throws -> Data {
        try JSONEncoder.cellwiseCompact.encode(value)
    }
}
