import ArgumentParser
import Cellwise
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure the accuracy of a per-cell activation plan.",
        discussion: """
            A plan is one activation per cell: comma-separated degrees or t (exact tanh), with
            D*K repeating D K times. In JSON output t is written as 0.

            Example:
              cellwise evaluate --model results/models/mnist5k.json --plan '17*24,7*4'
              cellwise evaluate --model results/models/mnist5k.json --plan 't*28' --split validation --json
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The plan, e.g. '17*24,7*4', 't*28' or '3,7,17*26'.")
    var plan: String

    @Option(help: "validation or test.")
    var split: SplitName = .test

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = try model.load()
        let parsed = try ActivationPlan(parsing: plan, cells: context.file.model.timeSteps)
        let evaluator = try context.evaluator(for: split)
        let outcome = try evaluator.evaluate(parsed)
        if json {
            try printJSON(EvaluationReport(plan: parsed.codes, planText: parsed.description, split: split.rawValue,
                                           samples: outcome.samples, accuracy: outcome.accuracy,
                                           dataset: context.dataset.source.description, splitSeed: context.dataset.splitSeed,
                                           interval: [context.approximations.lower, context.approximations.upper]))
        } else {
            print(String(format: "plan %@ on %@ (%d samples): accuracy %.4f",
                         parsed.description, split.rawValue, outcome.samples, outcome.accuracy))
        }
    }
}

struct EvaluationReport: Encodable {
    var plan: [Int]
    var planText: String
    var split: String
    var samples: Int
    var accuracy: Double
    var dataset: String
    var splitSeed: UInt64
    var interval: [Double]
}

extension SplitName: ExpressibleByArgument {}
