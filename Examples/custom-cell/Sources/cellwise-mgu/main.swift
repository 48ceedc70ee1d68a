import Cellwise
import CellwiseCommandLine
import Foundation

// Cellwise's command line, plus `train-mgu`, which trains the minimal gated unit
// (MinimalGatedUnit.swift) with Cellwise's trainer and saves it as a model file (version 3: the
// file carries the cell's graph). Every other command is Cellwise's own and reads that file:
//
//   swift run cellwise-mgu train-mgu --dataset JapaneseVowels --out results/mgu.json
//   swift run cellwise-mgu compare --config mgu.toml               # evaluate, search, price
//   swift run cellwise-mgu ckks run --model results/mgu.json --plan 'f=3;h=7' --samples 2 --batch 2 \
//       --insecure --ring-dim 1024 --levels 12 --profile tiny.toml   # encrypted (OpenFHE)
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "train-mgu" else { CellwiseCommand.main(strategies: [], arguments: arguments) }

func option(_ name: String, default value: String? = nil) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}
do {
    guard let out = option("--out") else { throw ConfigurationError(key: "--out", problem: "is missing") }
    var configuration = TrainingConfiguration()
    configuration.units = Int(option("--units", default: "16")!) ?? 16
    configuration.epochs = Int(option("--epochs", default: "30")!) ?? 30
    configuration.learningRate = 0.01
    let dataset = try DatasetSource(argument: option("--dataset", default: "JapaneseVowels")!).load(splitSeed: 1)
    let outcome = try Trainer(configuration: configuration).train(dataset, cell: minimalGatedUnit)
    let digest = try outcome.file.save(to: out)
    let m = outcome.file.metadata
    print(
        String(
            format: "saved %@ (MGU(%d)): validation accuracy %.4f, test accuracy %.4f, epoch %d of %d; SHA-256 %@",
            out, configuration.units, m.validationAccuracy, m.testAccuracy, m.bestEpoch, m.epochsRun, digest))
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}
