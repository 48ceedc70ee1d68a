import ArgumentParser
import Cellwise
import Foundation

/// Options shared by commands that load a trained model and its data.
struct ModelOptions: ParsableArguments {
    @Option(help: "A model file written by `cellwise train`.")
    var model: String

    @Option(help: "Read the data from here instead of the model's recorded dataset.")
    var dataset: String?

    @Option(
        parsing: .unconditional,
        help: "Fitting interval of the polynomials: 'A,B' or 'B' for [-B, B] (write --interval=-8,8).")
    var interval: String = "8"

    @Option(help: "The split whose pre-activations range and weighted fits are made from: train or validation.")
    var fitSplit: SplitName = .train

    struct Context {
        var file: ModelFile
        var dataset: Dataset
        var approximations: ApproximationLibrary

        /// An evaluator of `split`; `cachedPlans: 0` for one that measures only a few plans.
        func evaluator(for split: SplitName, cachedPlans: Int = 4) throws -> PlanEvaluator {
            try PlanEvaluator(
                model: file.model, split: dataset.split(split), approximations: approximations, cachedPlans: cachedPlans
            )
        }
    }

    func load() throws -> Context {
        let (lower, upper) = try parseInterval(interval)
        guard fitSplit != .test else {
            throw ConfigurationError(
                key: "--fit-split", problem: "the test split is never used for fitting; use train or validation")
        }
        let file = try ModelFile.load(from: model)
        let source = try DatasetSource(argument: dataset ?? file.metadata.dataset)
        let data = try source.load(splitSeed: file.metadata.splitSeed)
        let approximations = try ApproximationLibrary.observing(
            model: file.model, split: data.split(fitSplit), lower: lower, upper: upper)
        return Context(file: file, dataset: data, approximations: approximations)
    }
}

/// Parses `A,B` or `B` (meaning `-B,B`).
func parseInterval(_ text: String) throws -> (Double, Double) {
    let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    switch parts.count {
    case 1:
        if let b = parts[0], b > 0, b.isFinite { return (-b, b) }
    case 2:
        if let a = parts[0], let b = parts[1], a < b, a.isFinite, b.isFinite { return (a, b) }
    default: break
    }
    throw ConfigurationError(key: "--interval", problem: "\"\(text)\" is not 'A,B' with A < B or a positive 'B'")
}

/// Writes a line to standard error.
func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints a value as pretty, key-sorted, snake_case JSON.
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try JSONEncoder.cellwise.encode(value), as: UTF8.self))
}
