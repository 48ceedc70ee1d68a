import CellwiseCKKS
import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

@Suite struct TraceLogTests {
    static func setup(budget: Int = 50) throws -> Search.Setup {
        try SyntheticSearch.setup(SyntheticSearch.randomOracle(cells: 6, seed: 8), budget: budget)
    }

    @Test func aLogReplaysToTheSameSearch() throws {
        let path = try TestData.directory().appendingPathComponent("t.jsonl").path
        let setup = try Self.setup()
        let header = TraceLog.Header(settings: ["strategy": "ga", "seed": "1", "model weights": "m"])
        let log = try TraceLog(creating: path, header: header)
        let full = try Search.run(strategy: "ga", setup: setup) { try log.append($0) }
        // Keep the header and 20 evaluations, and half of the next line, as a kill would.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let cut = lines.prefix(21).joined(separator: "\n") + "\n" + lines[21].prefix(30)
        try cut.write(toFile: path, atomically: true, encoding: .utf8)
        let resumed = try TraceLog.resume(path, header: header)
        #expect(resumed.entries.count == 20)
        var replaying = setup
        replaying.replay = resumed.entries
        let again = try Search.run(strategy: "ga", setup: replaying) { try resumed.log.append($0) }
        #expect(again.trace.map(\.score) == full.trace.map(\.score))
        #expect(again.best.score == full.best.score)
        let final = try TraceLog.resume(path, header: header)
        #expect(final.entries.map(\.score) == full.trace.map(\.score), "the log holds every evaluation once")
    }

    @Test func aLogOfAnotherSearchOrCorruptIsRefused() throws {
        let directory = try TestData.directory()
        let path = directory.appendingPathComponent("t.jsonl").path
        let setup = try Self.setup()
        let header = TraceLog.Header(settings: ["strategy": "ga", "seed": "1", "model weights": "m"])
        let log = try TraceLog(creating: path, header: header)
        _ = try Search.run(strategy: "ga", setup: setup) { try log.append($0) }
        var other = header
        other.settings["seed"] = "99"
        other.settings["data"] = "d"
        let error = #expect(throws: SearchError.self) { try TraceLog.resume(path, header: other) }
        #expect(error == .traceMismatch(path: path, changed: ["data", "seed"]))
        #expect(error?.description.contains("(data, seed changed)") == true)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[5] = "{\"index\": 5, \"plan\": 17}"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let corrupt = #expect(throws: SearchError.self) { try TraceLog.resume(path, header: header) }
        #expect(corrupt == .unreadableTrace(path: path, problem: "line 6 is corrupt"))
        let garbage = try TestData.write(Array("hello\n".utf8), to: "g.jsonl", in: directory)
        #expect(throws: SearchError.self) { try TraceLog.resume(garbage, header: header) }
    }
}
