import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

/// The external-strategy protocol against a scripted fake strategy (Fixtures/fake_strategy.py):
/// every class of bad message, a crash, a hang, endless repeats, and the budget.
@Suite struct ExternalStrategyTests {
    static let fake = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fake_strategy.py").path

    func run(
        _ mode: String, budget: Int = 60, timeout: String = "20", onNote: (([String: String]) -> Void)? = nil
    ) throws -> SearchResult {
        let command = "[\"python3\", \"\(Self.fake)\", \"\(mode)\"]"
        return try Search.run(
            strategy: "external",
            options: StrategyOptions(["command": command, "timeout": timeout, "label": "fake-\(mode)"]),
            setup: SyntheticSearch.setup(SyntheticSearch.randomOracle(cells: 7, seed: 5), budget: budget),
            onNote: onNote)
    }

    /// The error a misbehaving mode ends with.
    func failure(_ mode: String, timeout: String = "20") -> ExternalStrategyError? {
        do {
            _ = try run(mode, timeout: timeout)
            return nil
        } catch let error as ExternalStrategyError {
            return error
        } catch {
            Issue.record("\(mode): unexpected \(error)")
            return nil
        }
    }

    @Test func aWellBehavedStrategyIsAnsweredAndRecorded() throws {
        var notes = [[String: String]]()
        let result = try run("good", onNote: { notes.append($0) })
        // Its hello's packages become a note for the trace.
        #expect(notes.count == 1 && notes[0]["packages"]?.hasPrefix("python==") == true)
        #expect(notes.first?["strategy"] == "fake-good")
        #expect(result.strategy == "fake-good")
        #expect(!result.budgetExhausted)
        // The reference plus at most 15 distinct plans asked.
        #expect(result.evaluations >= 2 && result.evaluations <= 16)
        #expect(result.trace.count == result.evaluations)
    }

    @Test(arguments: [17, 60, 201])
    func anExternalStrategyCannotOverspend(budget: Int) throws {
        let result = try run("overspend", budget: budget)
        #expect(result.evaluations == budget)
        #expect(result.budgetExhausted)
    }

    @Test(arguments: [
        ("malformed", "wrote a line that is not a JSON object: \"this is not JSON\""),
        ("no-type", "sent a message without a string \"type\""),
        ("unknown", "sent a message of unknown type \"tell\""),
        ("wrong-length", "asked for a plan of 8 genes; the problem has 7 sites"),
        ("out-of-range", "asked for candidate 3 at site 0; candidates are 0-2"),
        ("fraction", "asked for candidate 0.5 at site 0"),
        ("boolean", "plan 0 of an ask is not an array of integers"),
        ("empty", "sent an ask without a non-empty \"plans\" array"),
        ("crash", "ended before saying done (exit status 3); its stderr ends: boom: the optimizer failed"),
        ("repeat", "asked for 1001 plans in a row that were already evaluated"),
    ])
    func misbehaviourEndsWithOneLineNamingIt(mode: String, expected: String) throws {
        let error = try #require(failure(mode))
        #expect(error.strategy == "fake-\(mode)")
        #expect(error.description.contains(expected), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test func aHangingStrategyTimesOut() throws {
        let started = Date()
        let error = try #require(failure("hang", timeout: "0.5"))
        #expect(error.description.contains("sent nothing for 0.5 s"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func theCommandIsRequiredAndChecked() throws {
        #expect(throws: ConfigurationError.self) { try ExternalStrategy(options: StrategyOptions([:])) }
        #expect(throws: ConfigurationError.self) {
            try ExternalStrategy(options: StrategyOptions(["command": "[\"python3\", 3]"]))
        }
        let words = try ExternalStrategy(options: StrategyOptions(["command": "python3 x.py", "depth": "4"]))
        #expect(words.command == ["python3", "x.py"])
        #expect(words.passed == ["depth": "4"])
    }
}
