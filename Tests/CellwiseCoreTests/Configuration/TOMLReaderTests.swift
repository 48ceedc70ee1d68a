import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct TOMLReaderTests {
    @Test func readsTheSupportedSubset() throws {
        let table = try TOMLReader.parse(
            """
            # comment
            name = "x \\"quoted\\" \\u00e9"   # trailing comment
            'literal key' = 'C:\\path'
            count = -1_000
            ratio = 2.5e-3
            big = +inf
            flag = true
            list = [1, 2,
                    3,]   # spans lines
            nested = [[1, 2], ["a"]]
            [section.sub]
            value = 0
            [[item]]
            a = 1
            [[item]]
            a = 2
            """)
        #expect(table["name"] == .string("x \"quoted\" é"))
        #expect(table["literal key"] == .string("C:\\path"))
        #expect(table["count"] == .integer(-1000))
        #expect(table["ratio"] == .float(0.0025))
        #expect(table["big"] == .float(.infinity))
        #expect(table["flag"] == .boolean(true))
        #expect(table["list"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(table["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a")])]))
        guard case .table(let section)? = table["section"], case .table(let sub)? = section["sub"] else {
            Issue.record("no [section.sub]")
            return
        }
        #expect(sub["value"] == .integer(0))
        guard case .tableArray(let items)? = table["item"] else {
            Issue.record("no [[item]]")
            return
        }
        #expect(items.map { $0["a"] } == [.integer(1), .integer(2)])
    }

    @Test(arguments: [
        ("a = 1\na = 2", "line 2: key \"a\" is defined twice"),
        ("[t]\n[t]", "line 2: table [t] is defined twice"),
        ("a = \"open", "line 1: unterminated string"),
        ("a = [1, 2", "line 1: unterminated array"),
        ("a = {x = 1}", "inline tables are not supported"),
        ("a.b = 1", "dotted keys are not supported"),
        ("a = 99999999999999999999", "out of range"),
        ("a = hello", "is not a value"),
        ("a = 1 2", "unexpected \"2\""),
        ("[a\nb = 1", "line 1: expected \"]\""),
        ("= 1", "expected a key"),
        ("a = \"\\q\"", "unknown escape"),
        ("a = 007", "leading zeros"),
        ("a = 1\n[a]", "a is already defined as an integer"),
    ])
    func malformedTextIsALineNumberedError(text: String, expected: String) {
        let error = #expect(throws: TOMLReader.TOMLSyntaxError.self) { try TOMLReader.parse(text) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    /// Thousands of random mutations of a real config never trap: they parse or throw.
    @Test func randomMutationsNeverTrap() throws {
        let url = TestData.repositoryRoot.appendingPathComponent("configs/paper-mnist5k.toml")
        let original = Array(try String(contentsOf: url, encoding: .utf8).unicodeScalars)
        var generator = SeededGenerator(seed: 11)
        let alphabet = Array("[]{}=\"'#,.\n \t+-_eE0123456789abcxyz\\".unicodeScalars)
        var failures = 0
        for _ in 0..<3000 {
            var text = original
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(text.count))
                switch generator.next() % 3 {
                case 0: text[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: text.remove(at: position)
                default: text.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
            }
            do { _ = try TOMLReader.parse(String(String.UnicodeScalarView(text))) } catch is TOMLReader.TOMLSyntaxError
            { failures += 1 }
        }
        #expect(failures > 100)
    }
}
