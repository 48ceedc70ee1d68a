import Cellwise
import CellwiseTestSupport
import Foundation
import Testing

/// What is reproducible on any machine: given a model file, a search is the same whatever BLAS
/// kernel OpenBLAS picks for the CPU; a model that is not the shipped one is named as such.
@Suite(.serialized) struct ReproducibilityTests {
    typealias CLI = CommandLineTests

    static let shippedModel = TestData.repositoryRoot.appendingPathComponent("results/models/paper-mnist5k.json").path

    /// The trace's lines without their timings.
    static func trace(_ path: String) throws -> [NSDictionary] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            object.removeValue(forKey: "elapsed_seconds")
            return object as NSDictionary
        }
    }

    /// The same search under OpenBLAS's Haswell and Sandybridge kernels (and the one it picks for
    /// this CPU) gives the same trace: every plan, accuracy, latency, in the same order.
    @Test func aSearchIsTheSameUnderEveryBLASKernel() throws {
        let directory = try CLI.temporaryDirectory()
        var traces = [[NSDictionary]]()
        for kernel in ["", "Haswell", "Sandybridge"] {
            let path = directory.appendingPathComponent("trace-\(kernel).jsonl").path
            let run = try HostileInputTests.run(
                [
                    "search", "--model", Self.shippedModel, "--strategy", "ga", "--budget", "300", "--seed", "2",
                    "--quiet", "--trace-file", path,
                ], environment: kernel.isEmpty ? [:] : ["OPENBLAS_CORETYPE": kernel])
            #expect(run.status == 0, "\(kernel): \(run.error)")
            traces.append(try Self.trace(path))
        }
        #expect(traces[0].count == 301, "a header and 300 evaluations")
        #expect(traces[1] == traces[0], "Haswell")
        #expect(traces[2] == traces[0], "Sandybridge")
    }

    /// The same searches with the evaluator's AVX-512, AVX2 and baseline kernels (`CELLWISE_ISA`,
    /// what a machine without AVX-512 runs) give the same traces, on the paper's SimpleRNN and on
    /// a GRU (sigmoid gates), and each run records the kernels it used.
    @Test(arguments: [("paper-mnist5k", "150"), ("vowels-gru", "40")])
    func aSearchIsTheSameWithEveryInstructionSet(model: String, budget: String) throws {
        let directory = try CLI.temporaryDirectory()
        let path = TestData.repositoryRoot.appendingPathComponent("results/models/\(model).json").path
        var traces = [String: [NSDictionary]]()
        for isa in InstructionSet.allCases where isa.isSupported {
            let trace = directory.appendingPathComponent("trace-\(isa).jsonl").path
            let run = try HostileInputTests.run(
                [
                    "search", "--model", path, "--strategy", "ga", "--budget", budget, "--seed", "3", "--quiet",
                    "--trace-file", trace,
                ], environment: ["CELLWISE_ISA": isa.rawValue])
            #expect(run.status == 0, "\(isa): \(run.error)")
            traces[isa.rawValue] = try Self.trace(trace)
        }
        let reference = try #require(traces["baseline"])
        #expect(reference.count == Int(budget)! + 1)
        for (isa, trace) in traces { #expect(trace == reference, "\(isa)") }
    }

    /// A `CELLWISE_ISA` that names no instruction set is refused in one line naming the variable.
    @Test func anUnknownInstructionSetIsRefused() throws {
        let run = try HostileInputTests.run(
            ["evaluate", "--model", Self.shippedModel, "--plan", "17*28"], environment: ["CELLWISE_ISA": "sse9"])
        #expect(run.status != 0)
        #expect(run.error == "Error: CELLWISE_ISA: 'sse9' is not an instruction set (one of baseline, avx2, avx512)\n")
    }

    /// A config names its model's SHA-256; another file under that name is used, with a notice
    /// giving both digests (as when a model is retrained on another CPU).
    @Test func aModelThatIsNotTheShippedOneIsNamedAsSuch() throws {
        let model = try CLI.trainedModel.get()
        let directory = try CLI.temporaryDirectory()
        let actual = try #require(ModelFile.sha256(ofFileAt: model))
        let claimed = String(repeating: "ab", count: 32)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any]
        let dataset = (json?["metadata"] as? [String: Any])?["dataset"] as? String ?? "mnist5k"
        for (sha, notice) in [(claimed, true), (actual, false)] {
            let config = directory.appendingPathComponent("c.toml").path
            try TestData.comparisonConfig(
                name: "named", model: model, dataset: dataset, budget: 10, strategies: ["dp"], modelSha256: sha
            ).write(toFile: config, atomically: true, encoding: .utf8)
            let run = try CLI.run([
                "compare", "--config", config, "--out", directory.appendingPathComponent("r").path, "--quiet",
            ])
            #expect(run.status == 0, "\(run.error)")
            let lines = run.error.split(separator: "\n").filter { $0.hasPrefix("notice:") }
            if notice {
                #expect(lines.count == 1, "\(run.error)")
                #expect(lines.first?.contains(actual) == true && lines.first?.contains(claimed) == true)
            } else {
                #expect(lines.isEmpty, "\(run.error)")
            }
            // The run records the model it was made from.
            let record = try ComparisonWriter.read(directory.appendingPathComponent("r/named/run.json").path)
            #expect(record.model.sha256 == actual)
        }
    }

    /// Training over a model file that differs says so, with both digests.
    @Test func retrainingOverADifferentModelSaysSo() throws {
        let directory = try CLI.temporaryDirectory()
        let data = try CLI.smallCSV(in: directory)
        let out = directory.appendingPathComponent("m.json").path
        func train(_ seed: String) throws -> CLI.Run {
            try CLI.run([
                "train", "--dataset", data, "--out", out, "--epochs", "1", "--batch-size", "16", "--seed", seed,
                "--quiet",
            ])
        }
        let first = try train("1")
        #expect(first.status == 0 && !first.error.contains("notice"))
        let digest = try #require(ModelFile.sha256(ofFileAt: out))
        #expect(first.output.contains(digest), "the saved line gives the digest: \(first.output)")
        #expect(!(try train("1")).error.contains("notice"), "the same model again: nothing to say")
        let other = try train("2")
        #expect(other.error.contains("notice: replaced") && other.error.contains(digest), "\(other.error)")
        #expect(other.error.contains(try #require(ModelFile.sha256(ofFileAt: out))))
    }
}
