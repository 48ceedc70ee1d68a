import ArgumentParser
import Cellwise
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the plan evaluator (median of repeated full evaluations).",
        discussion: """
            Evaluates the plan over the test split from the first cell, recording hidden states as
            a search does, and reports the median time, the nominal GFLOP/s and the time of an
            evaluation that reuses a shared prefix. Without --model a Keras-initialised model
            (seed 1) of --cell and --layers is timed: the work does not depend on the weights.
            --cell all times SimpleRNN, GRU and LSTM one after the other.

            Example:
              cellwise bench --dataset fashion
              cellwise bench --dataset fashion --cell all
              cellwise bench --dataset JapaneseVowels --cell lstm --layers 2
              cellwise bench --dataset mnist5k --plan '17*24,7*4' --json
            """)

    @Option(help: "mnist5k, fashion, a shipped series (JapaneseVowels, ...) or a path (as for train).")
    var dataset: String = "fashion"

    @Option(help: "A trained model file (default: freshly initialised weights).")
    var model: String?

    @Option(help: "Cell of the initialised model: simple-rnn, gru, gru-reset-before, lstm or all.")
    var cell: String = "simple-rnn"

    @Option(parsing: .unconditional, help: "Layers of the initialised model.")
    var layers: Int = 1

    @Option(parsing: .unconditional, help: "Units per layer of the initialised model.")
    var units: Int = 32

    @Option(help: "The plan to time (any plan form; '17' gives every site degree 17).")
    var plan: String = "17"

    @Option(parsing: .unconditional, help: "Timed evaluations per figure.")
    var repetitions: Int = 30

    @Option(parsing: .unconditional, help: "Threads (default: all cores).")
    var threads: Int?

    @Option(
        parsing: .unconditional,
        help: "Samples per block (default: the samples split evenly over the threads, at most 512 per block).")
    var blockSize: Int?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard (blockSize ?? 1) >= 1 else { throw ValidationError("--block-size must be at least 1") }
        guard (1...16).contains(layers) else { throw ValidationError("--layers must be 1-16") }
        guard (1...4096).contains(units) else { throw ValidationError("--units must be 1-4096") }
        guard cell == "all" || CellChoice(rawValue: cell) != nil else {
            throw ValidationError(
                "--cell must be one of \(CellChoice.allCases.map(\.rawValue).joined(separator: ", ")) or all")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let data = try DatasetSource(argument: dataset).load(splitSeed: 1)
        let test = data.test
        var models = [RecurrentModel]()
        if let model {
            models = [try ModelFile.load(from: model).model]
        } else {
            let cells = cell == "all" ? [.simpleRNN, .gru, .lstm] : [CellChoice(rawValue: cell)!]
            let input: InputTransform = data.source.isImages ? .imageRows : .standardising(data.train)
            models = cells.map {
                RecurrentModel(
                    kerasInitializedWithSeed: 1, cell: $0.cell, inputSize: test.featureCount,
                    units: Array(repeating: units, count: layers), classes: test.classCount, timeSteps: test.timeSteps,
                    input: input)
            }
        }
        var results = [EvaluatorBenchmark.Result]()
        for weights in models {
            let parsed = try ActivationPlan(parsing: plan, layout: weights.sites)
            // Range and weighted candidates are fitted on the training split.
            let library = try ApproximationLibrary.observing(model: weights, split: data.train)
            let result = try EvaluatorBenchmark.run(
                model: weights, split: test, plan: parsed, repetitions: repetitions,
                workers: threads, blockSize: blockSize, approximations: library)
            results.append(result)
            guard !json else { continue }
            print(
                String(
                    format: """
                        %@ (%d layer(s) of %d units): plan %@ over %d %@ test samples, %d threads, blocks of %d, \
                        %@ kernels
                        full evaluation: median %.2f ms (min %.2f) = %.1f GFLOP/s nominal (%.3f GFLOP)
                        compute floor: %.2f ms at %.1f GFLOP/s (OpenBLAS sgemm 512^3 per thread): %.2fx the floor
                        last 4 cells changed (prefix reuse): median %.2f ms
                        input projections (once per split): %.1f ms
                        """, weights.cell?.name ?? "mixed", weights.layers.count, weights.units, result.plan,
                    result.samples,
                    dataset, result.workers, result.blockSize, InstructionSet.inUse.rawValue, result.evalMsMedian,
                    result.evalMsMin, result.gflops, result.gflopPerEval, result.floorMs, result.sgemmGflops,
                    result.floorRatio, result.prefixReuseMsMedian, result.setupMs))
        }
        if json { try printJSON(results.count == 1 ? AnyEncodable(results[0]) : AnyEncodable(results)) }
    }
}

/// Encodes either of two shapes of result.
private struct AnyEncodable: Encodable {
    let encode: (any Encoder) throws -> Void
    init(_ value: some Encodable) { encode = value.encode(to:) }
    func encode(to encoder: any Encoder) throws { try encode(encoder) }
}
