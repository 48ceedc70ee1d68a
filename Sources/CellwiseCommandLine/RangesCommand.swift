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
            outside the interval the polynomials are fitted on; with --candidates, the share
            outside each candidate's interval in that cell (range and weighted candidates are
            fitted on --fit-split, so the validation split can fall outside them).

            Example:
              cellwise ranges --model results/models/paper-mnist5k.json
              cellwise ranges --model results/models/fashion.json --candidates 17,17r,17w
              cellwise ranges --model results/models/paper-mnist5k.json --plan '7*28' --json
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The plan to run (default: exact tanh in every cell).")
    var plan: String?

    @Option(help: "validation or test.")
    var split: SplitName = .validation

    @Option(help: "Candidates whose intervals to check, comma separated (e.g. 17,17r,17w).")
    var candidates: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let context = try model.load()
        let cells = context.file.model.sites.count
        let functions = context.file.model.sites.functions
        let parsed =
            try plan.map { try ActivationPlan(parsing: $0, layout: context.file.model.sites) }
            ?? ActivationPlan(uniform: .exact, layout: context.file.model.sites)
        let evaluator = try context.evaluator(for: split)
        let (lower, upper) = (context.approximations.lower, context.approximations.upper)
        let statistics = try evaluator.preactivationStatistics(of: parsed, lower: lower, upper: upper)
        let checked = try candidates.map(parseCandidates) ?? []
        var outside = [[Double]](repeating: [], count: cells)
        if !checked.isEmpty {
            let observed = try evaluator.observedDistributions(of: parsed)
            for cell in 0..<cells {
                outside[cell] = try checked.map { candidate in
                    let target = try context.approximations.fit(candidate.with(function: functions[cell]), cell: cell)
                        .target
                    return observed[cell].fractionOutside(target.lowerBound, target.upperBound)
                }
            }
        }
        if json {
            try printJSON(
                RangesReport(
                    plan: parsed.tokens, split: split.rawValue, samples: evaluator.sampleCount,
                    interval: [lower, upper], splitSeed: context.dataset.splitSeed,
                    candidates: checked.map(\.description),
                    cells: statistics.enumerated().map {
                        .init(
                            cell: $0.offset, min: $0.element.min, max: $0.element.max,
                            outside: $0.element.outsideFraction, outsideCandidates: outside[$0.offset])
                    }))
        } else {
            print(
                "plan \(parsed) on \(split.rawValue) (\(evaluator.sampleCount) samples), interval [\(lower), \(upper)]")
            print(
                "cell       min       max  outside"
                    + checked.map { "  " + "\($0)".leftPadded(to: 7, with: " ") }.joined())
            for (cell, s) in statistics.enumerated() {
                print(
                    String(format: "%4d  %8.3f  %8.3f  %6.2f%%", cell, s.min, s.max, 100 * s.outsideFraction)
                        + outside[cell].map { String(format: "  %6.2f%%", 100 * $0) }.joined())
            }
        }
    }
}

/// Parses a comma-separated candidate list (`3w,7w,17w`), in the order given.
func parseCandidates(_ text: String) throws -> [Candidate] {
    let tokens = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !tokens.isEmpty, !tokens.contains(where: \.isEmpty) else {
        throw ConfigurationError(
            key: "--candidates", problem: "\"\(text)\" is not a comma-separated list like 3w,7w,17w")
    }
    return try tokens.map { try Candidate(parsing: $0) }
}

struct RangesReport: Encodable {
    struct Cell: Encodable {
        var cell: Int
        var min: Float
        var max: Float
        var outside: Double
        /// The share outside each of ``RangesReport/candidates``' intervals in this cell.
        var outsideCandidates: [Double]
    }
    var plan: [String]
    var split: String
    var samples: Int
    var interval: [Double]
    var splitSeed: UInt64
    var candidates: [String]
    var cells: [Cell]
}
