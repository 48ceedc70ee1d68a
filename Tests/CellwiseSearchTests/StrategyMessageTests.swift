import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

/// The protocol's messages as Cellwise writes them match strategies/protocol.schema.json (checked
/// by the Python helper's validator, which every adapter runs), and the helper refuses messages
/// that break it; a strategy's requests parse into typed cases or a sentence saying what is wrong.
@Suite struct StrategyMessageTests {
    static let helper = TestData.repositoryRoot.appendingPathComponent("strategies").path

    /// Runs the helper's `validate` on each line; returns its output (`ok` or the refusal) per line.
    static func validate(_ lines: [String], sender: String = "cellwise") throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import cellwise_strategy as c
            for line in sys.stdin:
                try:
                    c.validate(json.loads(line), sys.argv[2]); print("ok")
                except c.ProtocolError as error:
                    print(error)
            """
        process.arguments = ["python3", "-c", script, helper, sender]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return text.split(separator: "\n").map(String.init)
    }

    static let problem = StrategyMessage.Problem(
        strategy: "tiny", seed: 3, budget: .init(evaluations: nil, seconds: 60, used: 1), sites: 2,
        siteNames: ["cell 0", "cell 1"], candidates: [.init(token: "3", degree: 3), .init(token: "17w", degree: 17)],
        reference: .init(genes: [1, 1], accuracy: 0.85, latencySeconds: 625.6, bootstraps: 27), threshold: 0.83,
        options: ["batch": "4"])

    @Test func whatCellwiseSendsMatchesTheSchema() throws {
        let result = StrategyMessage.Result(
            genes: [0, 1], accuracy: 0.84, latencySeconds: 600.25, bootstraps: 25, withinTolerance: true, cached: false)
        let lines = try [
            StrategyMessage.line(Self.problem), StrategyMessage.line(StrategyMessage.Results(results: [result])),
            StrategyMessage.line(StrategyMessage.Results(results: [])),
            StrategyMessage.line(StrategyMessage.Stop(reason: "budget")),
        ]
        #expect(try Self.validate(lines) == ["ok", "ok", "ok", "ok"])
        // An unlimited budget is null, not missing; keys are sorted.
        #expect(lines[0].contains("\"evaluations\":null"))
        #expect(lines[0].hasPrefix("{\"budget\""))
    }

    @Test func theHelperRefusesWhatTheSchemaDoesNot() throws {
        var problem = try #require(
            try JSONSerialization.jsonObject(with: Data(StrategyMessage.line(Self.problem).utf8)) as? [String: Any])
        problem["protocol"] = 2
        let wrongVersion = String(decoding: try JSONSerialization.data(withJSONObject: problem), as: UTF8.self)
        let refusals = try Self.validate([
            wrongVersion, #"{"type":"stop","reason":"tired"}"#,
            #"{"type":"results","results":[{"genes":[0],"accuracy":1.5}]}"#, #"{"type":"ask","plans":[[0]]}"#,
        ])
        #expect(refusals[0] == "problem.protocol is 2, not 1")
        #expect(refusals[1].hasPrefix("stop.reason is \"tired\""))
        #expect(refusals[2] == "results.results[0] has no 'latency_seconds'")
        #expect(refusals[3].hasPrefix("message type \"ask\" is not one of"))
        #expect(try Self.validate([#"{"type":"ask","plans":[[0, 1]]}"#], sender: "strategy") == ["ok"])
    }

    @Test func requestsParseOrSayWhatIsWrong() throws {
        #expect(
            try StrategyMessage.Request(parsing: #"{"type":"ask","plans":[[0,1],[1,1]]}"#, sites: 2, choices: 2)
                == .ask(plans: [[0, 1], [1, 1]]))
        #expect(try StrategyMessage.Request(parsing: #"{"type":"done"}"#, sites: 2, choices: 2) == .done)
        #expect(
            try StrategyMessage.Request(parsing: #"{"type":"hello","packages":{"optuna":"5.0"}}"#, sites: 2, choices: 2)
                == .hello(packages: ["optuna": "5.0"]))
        for (line, problem) in [
            (#"{"type":"ask","plans":[[0,true]]}"#, "plan 0 of an ask is not an array of integers"),
            (#"{"type":"ask","plans":[[0,2]]}"#, "asked for candidate 2 at site 1; candidates are 0-1"),
            (#"{"type":"ask","plans":[[0]]}"#, "asked for a plan of 1 genes; the problem has 2 sites"),
            (#"{"type":"tell"}"#, "sent a message of unknown type \"tell\" (expected ask, done or hello)"),
            ("[1]", "wrote a line that is not a JSON object: \"[1]\""),
        ] {
            #expect(throws: StrategyMessage.ProtocolViolation(problem)) {
                try StrategyMessage.Request(parsing: line, sites: 2, choices: 2)
            }
        }
    }
}
