/// A value of Cellwise's TOML reader.
indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)
    case tableArray([TOMLTable])

    /// The value's kind, for error messages.
    var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .tableArray: "an array of tables"
        }
    }
}

/// A TOML table: its keys in file order.
struct TOMLTable: Equatable, Sendable {
    /// Keys and values, in the order they appear.
    var entries: [(key: String, value: TOMLValue)] = []

    /// An empty table.
    init() {}

    /// The value of `key`.
    subscript(key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The keys, in file order.
    var keys: [String] { entries.map(\.key) }

    static func == (a: TOMLTable, b: TOMLTable) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A small, strict TOML reader for Cellwise's configuration files: tables, arrays of tables,
/// bare and quoted keys, basic and literal strings, integers, floats (including inf and nan),
/// booleans and arrays (which may span lines). It never traps on malformed input: every problem
/// is a ``TOMLSyntaxError`` with its line. Inline tables, dotted keys, dates and multi-line
/// strings are not supported and are reported as such.
enum TOMLReader {
    /// A syntax error and its 1-based line.
    struct TOMLSyntaxError: Error, Equatable, CustomStringConvertible {
        /// The line of the problem.
        var line: Int
        /// What is wrong.
        var problem: String
        var description: String { "line \(line): \(problem)" }
    }

    /// Parses `text` into its root table.
    static func parse(_ text: String) throws -> TOMLTable {
        var parser = Parser(Array(text.unicodeScalars))
        return try parser.document()
    }

    private struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1
        var root = TOMLTable()
        /// Path of the current table; the last component's index into an array of tables, if any.
        var current: [String] = []
        var definedTables: Set<String> = [""]

        init(_ s: [Unicode.Scalar]) { self.s = s }

        func fail(_ problem: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, problem: problem) }

        var atEnd: Bool { i >= s.count }
        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" { i += 1 }
        }

        mutating func skipComment() {
            if peek == "#" { while let c = peek, c != "\n" { i += 1 } }
        }

        /// Skips blank lines, comments and newlines (between statements and inside arrays).
        mutating func skipWhitespaceAndNewlines() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\r" {
                    i += 1
                } else if c == "\n" {
                    i += 1
                    line += 1
                } else if c == "#" {
                    skipComment()
                } else {
                    break
                }
            }
        }

        mutating func endOfLine() throws {
            skipSpaces()
            skipComment()
            if peek == "\r" { i += 1 }
            guard let c = peek else { return }
            guard c == "\n" else { throw fail("unexpected \"\(c)\" after a value") }
            i += 1
            line += 1
        }

        mutating func document() throws -> TOMLTable {
            while true {
                skipWhitespaceAndNewlines()
                guard let c = peek else { return root }
                if c == "[" {
                    try header()
                } else {
                    let key = try self.key()
                    skipSpaces()
                    guard peek == "=" else { throw fail("expected \"=\" after the key \"\(key)\"") }
                    i += 1
                    skipSpaces()
                    let value = try self.value(depth: 0)
                    try insert(key, value)
                    try endOfLine()
                }
            }
        }

        mutating func header() throws {
            i += 1
            let isArray = peek == "["
            if isArray { i += 1 }
            skipSpaces()
            var path = [try key(inHeader: true)]
            skipSpaces()
            while peek == "." {
                i += 1
                skipSpaces()
                path.append(try key(inHeader: true))
                skipSpaces()
            }
            guard peek == "]" else { throw fail("expected \"]\" to close the table header") }
            i += 1
            if isArray {
                guard peek == "]" else { throw fail("expected \"]]\" to close the array-of-tables header") }
                i += 1
            }
            try endOfLine()
            try open(path, isArray: isArray)
        }

        mutating func key(inHeader: Bool = false) throws -> String {
            guard let c = peek else { throw fail("expected a key") }
            if c == "\"" || c == "'" {
                guard case .string(let text) = try string() else { throw fail("expected a key") }
                return text
            }
            var text = ""
            while let c = peek,
                ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c == "-"
            {
                text.unicodeScalars.append(c)
                i += 1
            }
            guard !text.isEmpty else { throw fail("expected a key, found \"\(c)\"") }
            if peek == "." && !inHeader { throw fail("dotted keys are not supported; use a [table] header") }
            return text
        }

        mutating func value(depth: Int) throws -> TOMLValue {
            guard depth < 32 else { throw fail("arrays nested too deeply") }
            guard let c = peek else { throw fail("expected a value") }
            switch c {
            case "\"", "'": return try string()
            case "[": return try array(depth: depth)
            case "{": throw fail("inline tables are not supported; use a [table] header")
            case "t", "f":
                if match("true") { return .boolean(true) }
                if match("false") { return .boolean(false) }
                throw fail("expected a value")
            default: return try number()
            }
        }

        mutating func match(_ word: String) -> Bool {
            let scalars = Array(word.unicodeScalars)
            guard i + scalars.count <= s.count, Array(s[i..<(i + scalars.count)]) == scalars else { return false }
            if i + scalars.count < s.count, isWordCharacter(s[i + scalars.count]) { return false }
            i += scalars.count
            return true
        }

        func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "."
                || c == "+" || c == "-"
        }

        mutating func string() throws -> TOMLValue {
            let quote = s[i]
            i += 1
            if peek == quote, i + 1 < s.count, s[i + 1] == quote { throw fail("multi-line strings are not supported") }
            var text = ""
            while true {
                guard let c = peek else { throw fail("unterminated string") }
                i += 1
                if c == quote { return .string(text) }
                if c == "\n" { throw fail("unterminated string") }
                if c == "\\" && quote == "\"" {
                    guard let e = peek else { throw fail("unterminated string") }
                    i += 1
                    switch e {
                    case "\"": text += "\""
                    case "\\": text += "\\"
                    case "n": text += "\n"
                    case "t": text += "\t"
                    case "r": text += "\r"
                    case "b": text += "\u{8}"
                    case "f": text += "\u{C}"
                    case "u", "U":
                        let digits = e == "u" ? 4 : 8
                        guard i + digits <= s.count else { throw fail("bad unicode escape") }
                        let hex = String(String.UnicodeScalarView(s[i..<(i + digits)]))
                        guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw fail("bad unicode escape \\\(e)\(hex)")
                        }
                        text.unicodeScalars.append(scalar)
                        i += digits
                    default: throw fail("unknown escape \\\(e)")
                    }
                } else {
                    if c.value < 0x20 && c != "\t" { throw fail("control character in a string") }
                    text.unicodeScalars.append(c)
                }
            }
        }

        mutating func array(depth: Int) throws -> TOMLValue {
            i += 1
            var items = [TOMLValue]()
            while true {
                skipWhitespaceAndNewlines()
                guard let c = peek else { throw fail("unterminated array") }
                if c == "]" {
                    i += 1
                    return .array(items)
                }
                items.append(try value(depth: depth + 1))
                skipWhitespaceAndNewlines()
                if atEnd { throw fail("unterminated array") }
                if peek == "," {
                    i += 1
                } else if peek == "]" {
                    continue
                } else {
                    throw fail("expected \",\" or \"]\" in an array")
                }
            }
        }

        mutating func number() throws -> TOMLValue {
            var text = ""
            while let c = peek, isWordCharacter(c) {
                text.unicodeScalars.append(c)
                i += 1
            }
            guard !text.isEmpty else {
                throw fail("expected a value, found \"\(peek.map(String.init) ?? "end of file")\"")
            }
            let unsigned = text.hasPrefix("+") || text.hasPrefix("-") ? String(text.dropFirst()) : text
            let negative = text.hasPrefix("-")
            if unsigned == "inf" { return .float(negative ? -.infinity : .infinity) }
            if unsigned == "nan" { return .float(.nan) }
            guard !unsigned.contains("__"), !unsigned.hasPrefix("_"), !unsigned.hasSuffix("_") else {
                throw fail("bad number \"\(text)\"")
            }
            let digits = text.replacingOccurrences(of: "_", with: "")
            if digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "-") }) {
                guard let int = Int(digits) else { throw fail("integer \"\(text)\" is out of range or malformed") }
                if unsigned.count > 1 && unsigned.hasPrefix("0") { throw fail("leading zeros in \"\(text)\"") }
                return .integer(int)
            }
            guard digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
                let double = Double(digits), !digits.hasSuffix("."), !digits.hasPrefix("."), !digits.contains(".e"),
                !digits.contains(".E")
            else {
                throw fail("\"\(text)\" is not a value (strings need quotes)")
            }
            return .float(double)
        }

        // MARK: - Building the tree

        mutating func open(_ path: [String], isArray: Bool) throws {
            let name = path.joined(separator: ".")
            var tree = root
            defer { root = tree }
            if isArray {
                try Self.modify(root: &tree, line: line, path: Array(path.dropLast()), depth: 0) { table in
                    let last = path[path.count - 1]
                    if let index = table.entries.firstIndex(where: { $0.key == last }) {
                        guard case .tableArray(var list) = table.entries[index].value else {
                            throw fail("\(name) is already defined and is not an array of tables")
                        }
                        list.append(TOMLTable())
                        table.entries[index].value = .tableArray(list)
                    } else {
                        table.entries.append((last, .tableArray([TOMLTable()])))
                    }
                }
            } else {
                guard definedTables.insert(name).inserted else { throw fail("table [\(name)] is defined twice") }
                try Self.modify(root: &tree, line: line, path: Array(path.dropLast()), depth: 0) { table in
                    let last = path[path.count - 1]
                    if let existing = table[last] {
                        guard case .table = existing else {
                            throw fail("\(name) is already defined as \(existing.kind)")
                        }
                    } else {
                        table.entries.append((last, .table(TOMLTable())))
                    }
                }
            }
            current = path
        }

        mutating func insert(_ key: String, _ value: TOMLValue) throws {
            let path = current
            var tree = root
            defer { root = tree }
            try Self.modify(root: &tree, line: line, path: path, depth: 0) { table in
                guard table[key] == nil else { throw fail("key \"\(key)\" is defined twice") }
                table.entries.append((key, value))
            }
        }

        /// Applies `change` to the table at `path` (descending into the last element of arrays of tables).
        static func modify(
            root: inout TOMLTable, line: Int, path: [String], depth: Int, _ change: (inout TOMLTable) throws -> Void
        ) throws {
            func fail(_ problem: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, problem: problem) }
            guard depth < path.count else { return try change(&root) }
            let key = path[depth]
            if let index = root.entries.firstIndex(where: { $0.key == key }) {
                switch root.entries[index].value {
                case .table(var sub):
                    try modify(root: &sub, line: line, path: path, depth: depth + 1, change)
                    root.entries[index].value = .table(sub)
                case .tableArray(var list) where !list.isEmpty:
                    try modify(root: &list[list.count - 1], line: line, path: path, depth: depth + 1, change)
                    root.entries[index].value = .tableArray(list)
                default:
                    throw fail("\(path.prefix(depth + 1).joined(separator: ".")) is not a table")
                }
            } else {
                var sub = TOMLTable()
                try modify(root: &sub, line: line, path: path, depth: depth + 1, change)
                root.entries.append((key, .table(sub)))
            }
        }
    }
}
