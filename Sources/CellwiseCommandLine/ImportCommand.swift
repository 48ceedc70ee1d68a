import ArgumentParser
import Cellwise
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a recurrent classifier from ONNX (RNN, GRU or LSTM layers and a Dense head) as a model file.",
        discussion: """
            Reads the ONNX RNN, GRU and LSTM operators as PyTorch's torch.onnx.export and tf2onnx write them
            (forward, default activations, no peepholes or clipping, zero initial states), stacked, with
            per-feature preprocessing of the input (Sub/Div/Mul/Add by constants, kept as the model's input
            standardisation) and a Dense head on the last step (Gemm, or MatMul and Add; a final Softmax is
            dropped). The graph input is [batch, time, features] or [time, batch, features]. The model is
            measured on the data set with the exact activations (accuracies and each site's range, as
            `cellwise train` records them), and the file's SHA-256 is kept as its provenance.

            Example:
              cellwise import Examples/onnx/vowels-gru-pytorch.onnx --dataset JapaneseVowels \\
                --out results/models/vowels-gru-pytorch.json
            """)

    @Argument(help: "The ONNX file.")
    var file: String

    @Option(help: "Where to write the model file (JSON).")
    var out: String

    @Option(help: "The data set the model classifies (as for `cellwise train`).")
    var dataset: String

    @Option(parsing: .unconditional, help: "Seed of the train/validation/test split.")
    var splitSeed: UInt64 = 1

    @Option(
        parsing: .unconditional,
        help: "Time steps when the graph leaves the sequence length open (default: the data's longest sequence).")
    var timeSteps: Int?

    func run() throws {
        if let timeSteps, !(1...4096).contains(timeSteps) {
            throw ValidationError("--time-steps is \(timeSteps), expected 1-4096")
        }
        let data = try DatasetSource(argument: dataset).load(splitSeed: splitSeed)
        let imported = try ONNXImport(contentsOf: file, timeSteps: timeSteps, openTimeSteps: data.train.timeSteps)
        let metadata = try ModelMetadata(
            measuring: imported.model, on: data, training: nil, epochsRun: 0, bestEpoch: 0)
        let modelFile = ModelFile(
            model: imported.model, metadata: metadata,
            provenance: .imported(from: file, sha256: imported.sha256))
        try modelFile.save(to: out)
        for note in imported.notes { standardError("import: \(note)") }
        print(
            String(
                format: "saved %@: validation accuracy %.4f, test accuracy %.4f (imported from %@%@, sha256 %@)",
                out, metadata.validationAccuracy, metadata.testAccuracy, file,
                imported.producer.isEmpty ? "" : ", made by \(imported.producer)", String(imported.sha256.prefix(16))))
    }
}
