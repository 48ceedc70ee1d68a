import Foundation

/// A strict reader of one TOML table: typed look-ups that name the key on error, and a final
/// check that rejects keys nobody asked for (a typo must not be silently ignored).
///
/// ```swift
/// let table = try ConfigTable(contentsOf: "configs/profiles/heaan-fgb.toml")
/// let name = try table.string("name")
/// let parameters = try table.table("parameters")
/// let levels = try parameters.int("levels_after_bootstrap", in: 1...64)
/// try parameters.finish()
/// try table.finish()
/// ```
public final class ConfigTable {
    /// The file the table came from (named in errors).
    public let file: String
    /// The dotted key path of this table (empty for the root).
    public let path: String
    private let table: TOMLTable
    private var used: Set<String> = []

    /// Parses a TOML file.
    ///
    /// - Throws: ``ConfigurationError`` naming the file, and the line of a syntax error.
    public convenience init(contentsOf file: String) throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ConfigurationError(key: file, problem: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(key: file, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: file, problem: "is not UTF-8 text")
        }
        try self.init(string: text, file: file)
    }

    /// Parses TOML text; `file` is only used in errors.
    public convenience init(string: String, file: String) throws {
        let table: TOMLTable
        do {
            table = try TOMLReader.parse(string)
        } catch let error as TOMLReader.TOMLSyntaxError {
            throw ConfigurationError(key: file, problem: "line \(error.line): \(error.problem)")
        }
        self.init(table: table, file: file, path: "")
    }

    private init(table: TOMLTable, file: String, path: String) {
        self.table = table
        self.file = file
        self.path = path
    }

    /// The keys present in the table.
    public var keys: [String] { table.keys }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { table[key] != nil }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about `key` of this table.
    public func error(_ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(key: "\(file): \(name(key))", problem: problem)
    }

    private func value(_ key: String) throws -> TOMLValue {
        used.insert(key)
        guard let value = table[key] else { throw error(key, "is missing") }
        return value
    }

    /// A sub-table.
    public func table(_ key: String) throws -> ConfigTable {
        guard case .table(let sub) = try value(key) else { throw error(key, "must be a table") }
        return ConfigTable(table: sub, file: file, path: name(key))
    }

    /// An optional sub-table.
    public func optionalTable(_ key: String) throws -> ConfigTable? {
        contains(key) ? try table(key) : nil
    }

    /// A string.
    public func string(_ key: String) throws -> String {
        guard case .string(let string) = try value(key) else { throw error(key, "must be a string") }
        return string
    }

    /// A string from a fixed set.
    public func string(_ key: String, oneOf choices: [String]) throws -> String {
        let string = try string(key)
        guard choices.contains(string) else {
            throw error(key, "is \"\(string)\"; expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return string
    }

    /// An integer within `range`.
    public func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard case .integer(let int) = try value(key) else { throw error(key, "must be an integer") }
        guard range.contains(int) else { throw error(key, "is \(int); expected \(range.lowerBound)-\(range.upperBound)") }
        return int
    }

    /// A number (integer or float) that is finite and at least `minimum`.
    public func double(_ key: String, minimum: Double = -.infinity) throws -> Double {
        let double: Double
        switch try value(key) {
        case .float(let x): double = x
        case .integer(let n): double = Double(n)
        default: throw error(key, "must be a number")
        }
        guard double.isFinite else { throw error(key, "must be finite") }
        guard double >= minimum else {
            throw error(key, minimum == 0 ? "must not be negative (is \(double))" : "is \(double); must be at least \(minimum)")
        }
        return double
    }

    /// An array of sub-tables (`[[key]]`).
    public func tables(_ key: String) throws -> [ConfigTable] {
        guard case .tableArray(let list) = try value(key) else { throw error(key, "must be an array of tables ([[\(key)]])") }
        return list.enumerated().map { index, sub in ConfigTable(table: sub, file: file, path: name("\(key)[\(index)]")) }
    }

    /// A list of integers.
    public func integers(_ key: String) throws -> [Int] {
        try list(key).map { value in
            guard case .integer(let int) = value else { throw error(key, "must be a list of integers") }
            return int
        }
    }

    /// A list of finite numbers (integers or floats).
    public func numbers(_ key: String) throws -> [Double] {
        try list(key).map { value in
            switch value {
            case .integer(let n): return Double(n)
            case .float(let x) where x.isFinite: return x
            default: throw error(key, "must be a list of finite numbers")
            }
        }
    }

    /// A list of strings.
    public func strings(_ key: String) throws -> [String] {
        try list(key).map { value in
            guard case .string(let string) = value else { throw error(key, "must be a list of strings") }
            return string
        }
    }

    /// A string, integer, float or boolean, as text (for free-form options).
    public func scalarText(_ key: String) throws -> String {
        switch try value(key) {
        case .string(let string): return string
        case .integer(let int): return String(int)
        case .float(let double): return String(double)
        case .boolean(let bool): return String(bool)
        default: throw error(key, "must be a string, number or boolean")
        }
    }

    private func list(_ key: String) throws -> [TOMLValue] {
        guard case .array(let array) = try value(key) else { throw error(key, "must be a list") }
        return array
    }

    /// Marks `key` as known without reading it.
    public func allow(_ key: String) { used.insert(key) }

    /// Rejects keys that were never read.
    public func finish() throws {
        if let unknown = table.keys.sorted().first(where: { !used.contains($0) }) {
            throw error(unknown, "unknown key")
        }
    }
}
