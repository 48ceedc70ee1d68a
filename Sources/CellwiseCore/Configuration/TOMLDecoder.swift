import Foundation

/// A configuration type that checks its values after decoding.
///
/// ``TOMLDecoder`` calls ``validate()`` after decoding such a type, and so does every other
/// reader of it (e.g. `run.json`), so a value is checked the same way wherever it comes from.
public protocol ValidatedConfiguration {
    /// Throws a ``ConfigurationError`` whose key is the TOML key path at fault (`search.budget`).
    func validate() throws
}

/// A string enumeration a configuration names by its raw value; a wrong value is reported with
/// the choices.
public protocol ConfigurationChoice: CaseIterable, RawRepresentable where RawValue == String {}

/// Decodes `Decodable` types from Cellwise's strict TOML: every problem is a one-line
/// ``ConfigurationError`` naming the file and the key as written (`configs/x.toml: search.budget:
/// must be an integer`), and a key the type does not read is rejected, so a typo is never
/// silently ignored.
///
/// ```swift
/// struct Section: Decodable { var budget: Int; var seeds: [UInt64] }
/// let section = try TOMLDecoder().decode(Section.self, from: "budget = 8\nseeds = [1, 2]", file: "x.toml")
/// ```
///
/// Keys are matched exactly against the type's coding keys (give snake_case `CodingKeys`). Numbers
/// must be finite; an integer is accepted where a floating-point number is expected.
public struct TOMLDecoder: Sendable {
    /// Creates a decoder.
    public init() {}

    /// Decodes `type` from a TOML file.
    public func decode<T: Decodable>(_ type: T.Type, contentsOf file: String) throws -> T {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw ConfigurationError(key: file, problem: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(key: file, problem: "is a directory, expected a TOML file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(key: file, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: file, problem: "is not UTF-8 text")
        }
        return try decode(type, from: text, file: file)
    }

    /// Decodes `type` from TOML text; `file` names it in errors.
    public func decode<T: Decodable>(_ type: T.Type, from text: String, file: String) throws -> T {
        let root: TOMLTable
        do {
            root = try TOMLReader.parse(text)
        } catch let error as TOMLReader.TOMLSyntaxError {
            throw ConfigurationError(key: file, problem: "line \(error.line): \(error.problem)")
        }
        let state = DecodingState(file: file)
        let value: T
        do {
            value = try T(from: TOMLValueDecoder(value: .table(root), codingPath: [], state: state))
        } catch let error as DecodingError {
            throw state.error(for: error)
        }
        try state.rejectUnknownKeys(in: root, path: "")
        if let validated = value as? any ValidatedConfiguration {
            do {
                try validated.validate()
            } catch let error as ConfigurationError {
                throw ConfigurationError(key: "\(file): \(error.key)", problem: error.problem)
            }
        }
        return value
    }
}

/// What the decoders of one document share: the file and the keys read.
private final class DecodingState {
    let file: String
    var read: Set<String> = []

    init(file: String) { self.file = file }

    func error(_ path: [any CodingKey], _ problem: String) -> ConfigurationError {
        ConfigurationError(key: "\(file): \(Self.name(path))", problem: problem)
    }

    static func name(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    func error(for error: DecodingError) -> ConfigurationError {
        switch error {
        case .keyNotFound(let key, let context):
            return self.error(context.codingPath + [key], "is missing")
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context):
            return self.error(context.codingPath, context.debugDescription)
        @unknown default:
            return ConfigurationError(key: file, problem: "cannot be decoded")
        }
    }

    /// Throws for the first key (in file order) no decoder read.
    func rejectUnknownKeys(in table: TOMLTable, path: String) throws {
        for (key, value) in table.entries {
            let name = path.isEmpty ? key : "\(path).\(key)"
            guard read.contains(name) else {
                throw ConfigurationError(key: "\(file): \(name)", problem: "unknown key")
            }
            switch value {
            case .table(let sub): try rejectUnknownKeys(in: sub, path: name)
            case .tableArray(let tables):
                for (index, sub) in tables.enumerated() { try rejectUnknownKeys(in: sub, path: "\(name)[\(index)]") }
            default: break
            }
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct TOMLValueDecoder: Decoder {
    let value: TOMLValue
    let codingPath: [any CodingKey]
    let state: DecodingState
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .table(let table) = value else {
            throw state.error(codingPath, "must be a table, not \(value.kind)")
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(table: table, codingPath: codingPath, state: state))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let values): return UnkeyedContainer(values: values, codingPath: codingPath, state: state)
        case .tableArray(let tables):
            return UnkeyedContainer(values: tables.map { .table($0) }, codingPath: codingPath, state: state)
        default: throw state.error(codingPath, "must be a list, not \(value.kind)")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(value: value, codingPath: codingPath, state: state)
    }
}

/// Scalar conversions shared by the containers, with errors that name the key.
private struct SingleValue: SingleValueDecodingContainer {
    let value: TOMLValue
    let codingPath: [any CodingKey]
    let state: DecodingState

    func fail(_ problem: String) -> ConfigurationError { state.error(codingPath, problem) }

    func decodeNil() -> Bool { false }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .boolean(let bool) = value else { throw fail("must be true or false, not \(value.kind)") }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw fail("must be a string, not \(value.kind)") }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double {
        let number: Double
        switch value {
        case .float(let x): number = x
        case .integer(let n): number = Double(n)
        default: throw fail("must be a number, not \(value.kind)")
        }
        guard number.isFinite else { throw fail("must be a finite number, not \(number)") }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float {
        let number = try decode(Double.self)
        guard abs(number) <= Double(Float.greatestFiniteMagnitude) else { throw fail("is too large (\(number))") }
        return Float(number)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .integer(let n) = value else { throw fail("must be an integer, not \(value.kind)") }
        guard let converted = T(exactly: n) else {
            throw fail(n < 0 && T.min == 0 ? "must not be negative (is \(n))" : "is out of range (\(n))")
        }
        return converted
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let choices = T.self as? any ConfigurationChoice.Type {
            let text = try decode(String.self)
            return try Self.choice(text, of: choices, fail: fail) as! T  // swiftlint:disable:this force_cast
        }
        return try T(from: TOMLValueDecoder(value: value, codingPath: codingPath, state: state))
    }

    private static func choice<C: ConfigurationChoice>(
        _ text: String, of type: C.Type,
        fail: (String) -> ConfigurationError
    ) throws -> C {
        guard let choice = C(rawValue: text) else {
            throw fail(
                "is \"\(text)\"; expected one of \(C.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return choice
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let table: TOMLTable
    let codingPath: [any CodingKey]
    let state: DecodingState

    private func name(_ key: Key) -> String { DecodingState.name(codingPath + [key]) }

    var allKeys: [Key] {
        table.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool {
        state.read.insert(name(key))
        return table[key.stringValue] != nil
    }

    private func single(_ key: Key) throws -> SingleValue {
        state.read.insert(name(key))
        guard let value = table[key.stringValue] else { throw state.error(codingPath + [key], "is missing") }
        return SingleValue(value: value, codingPath: codingPath + [key], state: state)
    }

    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try single(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try single(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try single(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try single(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try single(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try single(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try single(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try single(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try single(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try single(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try single(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try single(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try single(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try single(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try single(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let value = try single(key).value
        return try TOMLValueDecoder(value: value, codingPath: codingPath + [key], state: state).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try single(key).value
        return try TOMLValueDecoder(value: value, codingPath: codingPath + [key], state: state).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        TOMLValueDecoder(value: .table(table), codingPath: codingPath, state: state)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TOMLValueDecoder(value: try single(key).value, codingPath: codingPath + [key], state: state)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let values: [TOMLValue]
    let codingPath: [any CodingKey]
    let state: DecodingState
    var currentIndex = 0

    init(values: [TOMLValue], codingPath: [any CodingKey], state: DecodingState) {
        self.values = values
        self.codingPath = codingPath
        self.state = state
    }

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private mutating func next() throws -> SingleValue {
        guard !isAtEnd else { throw state.error(codingPath, "has too few entries") }
        defer { currentIndex += 1 }
        return SingleValue(value: values[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)], state: state)
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<
        NestedKey
    > {
        let item = try next()
        return try TOMLValueDecoder(value: item.value, codingPath: item.codingPath, state: state).container(
            keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let item = try next()
        return try TOMLValueDecoder(value: item.value, codingPath: item.codingPath, state: state).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let item = try next()
        return TOMLValueDecoder(value: item.value, codingPath: item.codingPath, state: state)
    }
}
