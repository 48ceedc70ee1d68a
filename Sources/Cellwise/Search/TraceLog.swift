import Foundation

/// A search's evaluations on disk, one JSON line each, appended and flushed as the search runs,
/// so that an interrupted search (Ctrl-C, SIGTERM, even `kill -9`) can resume where it stopped.
///
/// The first line describes the search (strategy, seed, budget, tolerance, space, cost model and a
/// fingerprint of the model); a resume with different settings is refused. A last line cut short by
/// a kill is ignored.
public final class TraceLog {
    /// What identifies a search: resuming requires the same settings.
    public struct Header: Codable, Sendable, Equatable {
        /// The format name.
        public var cellwiseTrace = 1
        /// Strategy name.
        public var strategy: String
        /// Strategy options.
        public var options: [String: String]
        /// Seed.
        public var seed: UInt64
        /// Evaluation budget.
        public var budget: Int?
        /// Time budget.
        public var seconds: Double?
        /// Tolerance.
        public var tolerance: Tolerance
        /// Candidate degrees.
        public var degrees: [Int]
        /// Free cells.
        public var freeCells: [Int]
        /// Cost profile name and costs, depth rule, placement.
        public var costModel: String
        /// A fingerprint of the model, data and fitting interval.
        public var model: String

        /// Creates a header.
        public init(strategy: String, options: [String: String], setup: Search.Setup, model: String) {
            self.strategy = strategy
            self.options = options
            seed = setup.seed
            budget = setup.budget.evaluations
            seconds = setup.budget.seconds
            tolerance = setup.tolerance
            degrees = setup.space.degrees
            freeCells = setup.space.freeCells
            let c = setup.costModel.profile.costs
            costModel = "\(setup.costModel.profile.name) \(c.bootstrap) \(c.multiplication) \(c.plaintextMultiplication) \(c.rotation) \(c.addition) \(setup.costModel.depthRule.rawValue) \(setup.placement.rawValue)"
            self.model = model
        }
    }

    /// The file.
    public let path: String
    private let handle: FileHandle

    /// Starts a new log at `path` (replacing any), writing the header.
    public init(creating path: String, header: Header) throws {
        self.path = path
        try AtomicFile.write(Data((try Self.encode(header)) + "\n".utf8), to: path)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DataError(path, "cannot open the trace for writing") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    /// Opens an existing log to continue it after its (complete) entries.
    private init(appendingTo path: String, validLength: UInt64) throws {
        self.path = path
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DataError(path, "cannot open the trace for writing") }
        handle.truncateFile(atOffset: validLength)  // drop a line cut short by a kill
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one evaluation and flushes it to the operating system.
    public func append(_ entry: TraceEntry) {
        guard let data = try? Self.encode(ComparisonRecord.TraceRecord(entry)) else { return }
        handle.write(data + "\n".utf8)
    }

    /// Reads a log for resuming: checks it belongs to a search with `header` and returns its
    /// entries and a log that continues it.
    ///
    /// - Throws: ``DataError`` naming the file when it is not a trace, belongs to another search,
    ///   or is corrupt before its last line.
    public static func resume(_ path: String, header expected: Header) throws -> (entries: [TraceEntry], log: TraceLog) {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(path, "cannot read the trace") }
        let bytes = [UInt8](data)
        var lines = [ArraySlice<UInt8>]()
        var start = 0
        var complete = 0  // bytes of complete lines
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(bytes[start..<offset])
            start = offset + 1
            complete = start
        }
        guard let first = lines.first, let header = try? decoder.decode(Header.self, from: Data(first)) else {
            throw DataError(path, "not a cellwise search trace (bad first line)")
        }
        guard header == expected else {
            let difference = describeDifference(header, expected)
            throw DataError(path, "belongs to another search (\(difference) differs); remove it or run without --resume")
        }
        var entries = [TraceEntry]()
        for (number, line) in lines.dropFirst().enumerated() {
            guard let decoded = try? decoder.decode(ComparisonRecord.TraceRecord.self, from: Data(line)),
                  decoded.index == entries.count + 1, let entry = try? decoded.entry() else {
                throw DataError(path, "line \(number + 2) is corrupt")
            }
            entries.append(entry)
        }
        return (entries, try TraceLog(appendingTo: path, validLength: UInt64(complete)))
    }

    private static func describeDifference(_ a: Header, _ b: Header) -> String {
        if a.strategy != b.strategy { return "the strategy" }
        if a.options != b.options { return "the strategy options" }
        if a.seed != b.seed { return "the seed" }
        if a.budget != b.budget || a.seconds != b.seconds { return "the budget" }
        if a.tolerance != b.tolerance { return "the tolerance" }
        if a.degrees != b.degrees || a.freeCells != b.freeCells { return "the search space" }
        if a.costModel != b.costModel { return "the cost model" }
        if a.model != b.model { return "the model, data or interval" }
        return "the format"
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    private static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// A short fingerprint of bytes (FNV-1a, 64 bits), for telling models apart.
public func fingerprint(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(hash, radix: 16).leftPadded(to: 16)
}
