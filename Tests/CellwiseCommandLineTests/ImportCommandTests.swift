import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

/// `cellwise import` on the shipped ONNX examples, and the ONNX Runtime checks
/// (scripts/onnx/check_onnxruntime.py) with the Python of `make test`.
@Suite struct ImportCommandTests {
    typealias CLI = CommandLineTests

    /// Python with numpy, onnx and onnxruntime: CELLWISE_PYTHON (set by `make test`) or .build/python-venv.
    static var python: String? { TestData.python }

    static let examples = TestData.repositoryRoot.appendingPathComponent("Examples/onnx")

    @Test(arguments: [("vowels-gru-pytorch", "GRU"), ("vowels-lstm-keras", "LSTM")])
    func importsTheShippedExamples(name: String, cell: String) throws {
        let directory = try CLI.temporaryDirectory()
        let onnx = Self.examples.appendingPathComponent("\(name).onnx").path
        let out = directory.appendingPathComponent("\(name).json").path
        let run = try CLI.run(["import", onnx, "--dataset", "JapaneseVowels", "--out", out])
        #expect(run.status == 0, "\(run.error)")
        let file = try ModelFile.load(from: out)
        #expect(file.model.cell?.name == cell)
        #expect(file.model.timeSteps == 29 && file.model.inputSize == 12 && file.model.classes == 9)
        #expect(file.model.input.mean != nil, "the graph's Sub/Div preprocessing is the input standardisation")
        #expect(file.provenance.importedFrom == onnx)
        #expect(file.provenance.sha256 == SHA256.hex(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: onnx)))))
        // The exporters measured 97.8% (PyTorch GRU) and 96.2% (Keras LSTM) on the archive's test file.
        #expect(file.metadata.testAccuracy > 0.95)
        #expect(file.metadata.cellRanges?.count == file.model.sites.count)

        // The imported model searches like a trained one.
        let search = try CLI.run([
            "search", "--model", out, "--strategy", "greedy", "--budget", "40", "--candidates", "3,17", "--quiet",
        ])
        #expect(search.status == 0, "\(search.error)")
    }

    @Test func badFilesFailWithOneLineAndNoModel() throws {
        let directory = try CLI.temporaryDirectory()
        let text = directory.appendingPathComponent("text.onnx")
        try Data("not a model".utf8).write(to: text)
        let out = directory.appendingPathComponent("m.json").path
        for arguments in [
            ["import", text.path, "--dataset", "JapaneseVowels", "--out", out],
            ["import", "/nonexistent.onnx", "--dataset", "JapaneseVowels", "--out", out],
            [
                "import", Self.examples.appendingPathComponent("vowels-gru-pytorch.onnx").path, "--dataset",
                "ItalyPowerDemand", "--out", out,
            ],
            [
                "import", Self.examples.appendingPathComponent("vowels-gru-pytorch.onnx").path, "--dataset",
                "JapaneseVowels", "--time-steps", "30", "--out", out,
            ],
        ] {
            let run = try CLI.run(arguments)
            #expect(run.status != 0)
            #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test(
        .enabled(
            if: python != nil || CLI.requireAllTests,
            "needs Python with numpy, onnx and onnxruntime (make test installs them in .build/python-venv)"))
    func onnxRuntimeAgreesWithTheEvaluator() throws {
        let python = try #require(Self.python, "make test installs .build/python-venv")
        let script = TestData.repositoryRoot.appendingPathComponent("scripts/onnx/check_onnxruntime.py")
        let work = try CLI.temporaryDirectory()
        let run = try CLI.launch(
            URL(fileURLWithPath: python),
            [script.path, "--cellwise", CLI.executable.path, "--work", work.path])
        #expect(run.status == 0, "\(run.output)\n\(run.error)")
        let summary = try #require(run.output.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        // 4 cell kinds x 2 depths x (exact, unrolled self-check, 2 plans), the same 8 time-major (exact),
        // 8 mixed, reverse and bidirectional stacks (exact) and 2 shipped examples.
        #expect(json["checks"] as? Int == 50)
        #expect((json["failed"] as? [String])?.isEmpty == true)
        #expect((json["max_abs_difference"] as? Double ?? 1) < 1e-4)
    }

    @Test(
        .enabled(
            if: TestData.torchPython != nil || CLI.requireAllTests,
            "needs Python with torch, onnx, onnxscript and onnxruntime (make test installs them in .build/torch-venv)"))
    func realTorchExportsImportAndAgreeWithONNXRuntime() throws {
        let python = try #require(TestData.torchPython, "make test installs .build/torch-venv")
        let script = TestData.repositoryRoot.appendingPathComponent("scripts/onnx/check_torch_exports.py")
        let work = try CLI.temporaryDirectory()
        let run = try CLI.launch(
            URL(fileURLWithPath: python), [script.path, "--cellwise", CLI.executable.path, "--work", work.path])
        #expect(run.status == 0, "\(run.output)\n\(run.error)")
        let summary = try #require(run.output.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        // 8 PyTorch models x 2 exporters (dynamo, TorchScript): 13 imported and compared, 3 refused in one line.
        #expect(json["checks"] as? Int == 16)
        #expect((json["failed"] as? [String])?.isEmpty == true)
        #expect((json["max_abs_difference"] as? Double ?? 1) < 1e-4)
    }
}
