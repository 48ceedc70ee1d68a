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
            (seed 1) is timed: the work does not depend on the weights.

            Example:
              cellwise bench --dataset fashion
              cellwise bench --dataset mnist5k --plan '17*24,7*4' --json
            """)

    @Option(help: "mnist5k, fashion or a path (as for train).")
    var dataset: String = "fashion"

    @Option(help: "A trained model file (default: freshly initialised weights).")
    var model: String?

    @Option(help: "The plan to time.")
    var plan: String = "17*28"

    @Option(parsing: .unconditional, help: "Timed evaluations per figure.")
    var repetitions: Int = 30

    @Option(parsing: .unconditional, help: "Threads (default: all cores).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Samples per block.")
    var blockSize: Int = 512

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard blockSize >= 1 else { throw ValidationError("--block-size must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let weights = try model.map { try ModelFile.load(from: $0).model } ?? SimpleRNN(kerasInitializedWithSeed: 1)
        let parsed = try ActivationPlan(parsing: plan, cells: weights.timeSteps)
        let data = try DatasetSource(argument: dataset).load(splitSeed: 1)
        // Range and weighted candidates are fitted on the training split.
        let library = try ApproximationLibrary.observing(model: weights, split: data.train)
        let result = try EvaluatorBenchmark.run(
            model: weights, split: data.test, plan: parsed, repetitions: repetitions,
            workers: threads, blockSize: blockSize, approximations: library)
        if json {
            try printJSON(result)
        } else {
            print(
                String(
                    format: """
                        plan %@ over %d %@ test samples, %d threads, blocks of %d
                        full evaluation: median %.2f ms (min %.2f) = %.1f GFLOP/s nominal (%.3f GFLOP)
                        last 4 cells changed (prefix reuse): median %.2f ms
                        input projections (once per split): %.1f ms
                        """, result.plan, result.samples, dataset, result.workers, result.blockSize,
                    result.evalMsMedian,
                    result.evalMsMin, result.gflops, result.gflopPerEval, result.prefixReuseMsMedian, result.setupMs))
        }
    }
}
