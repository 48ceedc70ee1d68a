import CellwiseTestSupport
import Foundation
import Testing

/// A real adapter end to end: Optuna's TPE through `{python}` (its environment is made on first use
/// from strategies/requirements.txt), and the tutorial's script in a comparison.
@Suite struct ExternalAdapterTests {
    typealias CLI = CommandLineTests

    @Test func optunaTPESearchesWithinTheBudget() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let trace = directory.appendingPathComponent("tpe.jsonl").path
        let run = try CLI.run([
            "search", "--model", model, "--strategy", "optuna-tpe", "--option",
            "command=[\"{python}\", \"\(TestData.repositoryRoot.path)/strategies/optuna_tpe.py\"]", "--budget", "60",
            "--trace-file", trace, "--json", "--quiet",
        ])
        #expect(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(json["strategy"] as? String == "optuna-tpe")
        #expect(json["evaluations"] as? Int == 60)
        #expect(json["budget_exhausted"] as? Bool == true)
        // The trace header records the command and the script's digest; stderr sits beside the trace.
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        #expect(lines[0].contains("optuna_tpe.py:"))
        // The packages it reported follow as a note line.
        #expect(lines.contains { $0.contains("\"note\"") && $0.contains("optuna==5.0.0") })
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tpe.stderr.log").path))
    }
}
