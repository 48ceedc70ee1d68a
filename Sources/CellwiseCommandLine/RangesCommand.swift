import ArgumentParser
import Cellwise
import Foundation

struct RangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranges",
        abstract: "Per-cell pre-activation range and the share outside the fitting interval.",
        discussion: """
            Runs the model with exact tanh (or --plan) on the validation split and reports, for
            each cell, the smallest and largest input of its activation and the share of inputs
            outside the interval the polynomials are fitted on.

            Example:
              cellwise ranges --model results/models/mnist5k.json
              cellwise ranges --model results/models/mnist5k.json --plan '7*28' --json
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The plan to run (default: exact tanh in every cell).")
    var plan: String?

    @Option(help: "validation or test.")
    var split: SplitName = .validation

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = try model.load()
        let cells = context.file.model.timeSteps
        let parsed =
            try plan.map { try ActivationPlan(parsing: $0, cells: cells) }
            ?? ActivationPlan(uniform: .tanh, cells: cells)
        let evaluator = try context.evaluator(for: split)
        let (lower, upper) = (context.approximations.lower, context.approximations.upper)
        let statistics = try evaluator.preactivationStatistics(of: parsed, lower: lower, upper: upper)
        if json {
            try printJSON(
                RangesReport(
                    plan: parsed.codes, split: split.rawValue, samples: evaluator.sampleCount,
                    interval: [lower, upper],
                    splitSeed: context.dataset.splitSeed,
                    cells: statistics.enumerated().map {
                        .init(
                            cell: $0.offset, min: $0.element.min, max: $0.element.max,
                            outside: $0.element.outsideFraction)
                    }))
        } else {
            print(
                "plan \(parsed) on \(split.rawValue) (\(evaluator.sampleCount) samples), interval [\(lower), \(upper)]")
            print("cell       min       max  outside")
            for (cell, s) in statistics.enumerated() {
                print(String(format: "%4d  %8.3f  %8.3f  %6.2f%%", cell, s.min, s.max, 100 * s.outsideFraction))
            }
        }
    }
}

struct RangesReport: Encodable {
    struct Cell: Encodable {
        var cell: Int
        var min: Float
        var max: Float
        var outside: Double
    }
    var plan: [Int]
    var split: String
    var samples: Int
    var interval: [Double]
    var splitSeed: UInt64
    var cells: [Cell]
}
