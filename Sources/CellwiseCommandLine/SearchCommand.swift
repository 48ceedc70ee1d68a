import ArgumentParser
import Cellwise
import Foundation

extension Tolerance.Mode: ExpressibleByArgument {}
extension DepthFirstSearch.Rule: ExpressibleByArgument {}
extension ReferenceChoice: ExpressibleByArgument {}
extension AcceptanceRule.SearchSplit: ExpressibleByArgument {}

/// The acceptance rules `--acceptance` names.
enum AcceptanceChoice: String, CaseIterable, ExpressibleByArgument {
    case plain, paired
}

struct StrategiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategies",
        abstract: "List the registered search strategies and their options.",
        discussion: """
            Example:
              cellwise strategies
            """)

    func run() throws {
        for type in CommandLineContext.registry.all {
            print("\(type.name.padding(toLength: 12, withPad: " ", startingAt: 0))\(type.summary)")
            for option in type.options {
                print("    --option \(option.key)=...  \(option.help)")
            }
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search for the fastest per-cell plan within an accuracy tolerance.",
        discussion: """
            Runs one strategy under an evaluation budget (the reference all-highest plan counts as
            the first evaluation). Accuracy is measured on the validation split (or on train+validation
            with --search-split; with --acceptance paired a plan is credited with a lower confidence
            bound of its paired difference to the reference); the best plan's test accuracy is
            measured once at the end. Progress goes to standard error.

            Example:
              cellwise search --model results/models/paper-mnist5k.json --strategy dfs --budget 2048
              cellwise search --model results/models/paper-mnist5k.json --strategy ga --seed 3 --json
              cellwise search --model results/models/paper-mnist5k.json --strategy exhaustive --cells 0-3,24-27 \\
                --degrees 7,17
              cellwise search --model results/models/fashion.json --strategy greedy --candidates 3w,7w,17w
              cellwise search --model results/models/paper-mnist5k.json --strategy window --acceptance paired \\
                --search-split train+validation
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Strategy name (see `cellwise strategies`).")
    var strategy: String

    @Option(parsing: .unconditional, help: "Most evaluations (the reference included).")
    var budget: Int = 2048

    @Option(parsing: .unconditional, help: "Most seconds (in addition to --budget).")
    var seconds: Double?

    @Option(parsing: .unconditional, help: "Seed of the strategy's random generator.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Accuracy tolerance against the reference plan.")
    var tolerance: Double = 0.02

    @Option(help: "What the tolerance is measured against: highest (the reference plan) or exact (the exact model).")
    var reference: ReferenceChoice = .highest

    @Option(help: "relative: acc >= ref x (1 - tol); absolute: acc >= ref - tol.")
    var toleranceMode: Tolerance.Mode = .relative

    @Option(
        help: ArgumentHelp(
            "What a plan is credited with: plain (its accuracy) or paired (a lower confidence bound of its paired "
                + "difference to the reference; docs/benchmarking.md)."))
    var acceptance: AcceptanceChoice = .plain

    @Option(parsing: .unconditional, help: "One-sided confidence of --acceptance paired.")
    var confidence: Double?

    @Option(help: "The images plans are scored on: validation or train+validation.")
    var searchSplit: AcceptanceRule.SearchSplit = .validation

    @Option(help: "Candidate degrees, comma separated (the paper's fits; the highest is the reference).")
    var degrees: String?

    @Option(
        help: ArgumentHelp(
            "Candidates, comma separated, instead of --degrees: e.g. 3w,7w,17w (weighted), 17r (observed range), "
                + "17m (minimax), 17@-12:12 (uniform on an interval); see docs/approximations.md."))
    var candidates: String?

    @Option(help: "Cells the search may change, e.g. 0-3,24-27 (default: all).")
    var cells: String?

    @OptionGroup var costModel: CostModelOptions

    @Option(help: "The dfs acceptance rule: parent (the paper's) or reference.")
    var dfsRule: DepthFirstSearch.Rule?

    @Option(name: .customLong("option"), help: "A strategy option key=value (repeatable).")
    var strategyOptions: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Include every evaluation in the JSON.")
    var trace = false

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Append every evaluation to this JSON-lines file (default: "
                + "results/searches/<model>-<strategy>-seed<seed>.jsonl).")
    )
    var traceFile: String?

    @Flag(help: "Continue an interrupted search from its trace file (same settings required).")
    var resume = false

    func run() throws {
        Interruption.install()
        let registry = CommandLineContext.registry
        var (type, options) = try registry.strategy(
            named: strategy, options: StrategyOptions(arguments: strategyOptions))
        if let dfsRule {
            guard type.name == DepthFirstSearch.name else {
                throw ConfigurationError(key: "--dfs-rule", problem: "applies to the dfs strategy only")
            }
            options.values["rule"] = dfsRule.rawValue
        }
        try options.check(against: type)
        guard degrees == nil || candidates == nil else {
            throw ConfigurationError(key: "--candidates", problem: "give --degrees or --candidates, not both")
        }
        let chosen: [Candidate]
        if let candidates {
            chosen = try parseCandidates(candidates)
        } else {
            chosen = try (degrees ?? "3,7,17").split(separator: ",").map { text -> Candidate in
                guard let d = Int(text.trimmingCharacters(in: .whitespaces)), (1...Activation.maximumDegree).contains(d)
                else {
                    throw ConfigurationError(key: "--degrees", problem: "\"\(text)\" is not a degree 1-63")
                }
                return Candidate(degree: d)
            }
        }
        if acceptance == .plain, confidence != nil {
            throw ConfigurationError(key: "--confidence", problem: "applies with --acceptance paired only")
        }
        let rule: AcceptanceRule
        do {
            rule = try AcceptanceRule(
                kind: acceptance == .plain ? .plain : .pairedBound(confidence: confidence ?? 0.95), split: searchSplit)
        } catch let error as ConfigurationError {
            throw ConfigurationError(key: "--confidence", problem: error.problem)
        }
        let context = try model.load()
        let shape = context.file.model
        let problem = try SearchProblem(
            model: context.file, dataset: context.dataset, approximations: context.approximations,
            costModel: try costModel.model(shapeOf: shape), placement: costModel.placement,
            space: try SearchSpace(
                layout: shape.sites, candidates: chosen, freeCells: try cells.map(SearchSpace.parseCells)),
            tolerance: try Tolerance(tolerance, mode: toleranceMode),
            budget: try Budget(evaluations: budget, seconds: seconds), reference: reference, acceptance: rule)
        let modelName = URL(fileURLWithPath: model.model).deletingPathExtension().lastPathComponent
        let tracePath = traceFile ?? "results/searches/\(modelName)-\(strategy)-seed\(seed).jsonl"
        let progress = ProgressLine(label: strategy, total: budget, enabled: !quiet)
        let result = try problem.run(
            strategy: strategy, options: options, seed: seed, registry: registry, tracePath: tracePath, resume: resume,
            onResume: { count in
                if !quiet { standardError("resuming \(tracePath): \(count) evaluations already made") }
            },
            onEvaluation: { entry in progress.update(entry) })
        if json {
            var output = SearchResultJSON(result, includeTrace: trace)
            output.bestCandidates = try problem.approximations.specs(for: result.best.score.plan)
            output.model = model.model
            output.modelSha256 = context.file.fileSHA256
            try printJSON(output)
        } else {
            printSummary(result, rule: rule)
        }
        if result.interrupted {
            standardError(
                "interrupted after \(result.evaluations) evaluations: the result above is partial; continue with "
                    + "--resume"
            )
            Foundation.exit(Interruption.exitStatus)
        }
    }

    private func printSummary(_ result: SearchResult, rule: AcceptanceRule) {
        // Under another rule than the paper's, the accuracy is the score the rule credits.
        let scoreName = rule.isPlain ? "val" : "score (\(rule))"
        func describe(_ entry: SearchResult.Entry) -> String {
            let counts = zip(result.candidates, entry.counts).map { "n\($0)=\($1)" }.joined(separator: " ")
            let test = entry.testAccuracy.map { String(format: ", test %.4f", $0) } ?? ""
            return String(
                format: "%@  %@ %.4f%@, %.2f s, %d bootstraps (%@)", entry.score.plan.description, scoreName,
                entry.score.accuracy,
                test, entry.score.latencySeconds, entry.score.bootstraps, counts)
        }
        print(
            "strategy \(result.strategy), seed \(result.seed): \(result.evaluations) evaluations in "
                + "\(String(format: "%.2f", result.wallSeconds)) s"
                + (result.interrupted
                    ? " (interrupted: partial result)" : result.budgetExhausted ? " (budget spent)" : " (finished)"))
        print("reference  \(describe(result.reference))")
        print("best       \(describe(result.best))")
        let saved = result.reference.score.latencySeconds - result.best.score.latencySeconds
        print(
            String(
                format: "saved %.2f s (%.1f%%); %@ drop %.2f points", saved, rule.isPlain ? "validation" : "score",
                100 * saved / result.reference.score.latencySeconds, 100 * result.validationDrop)
                + (result.testDrop.map { String(format: ", test drop %.2f points", 100 * $0) } ?? ""))
        print("accepted plans: \(result.accepted.count); Pareto front: \(result.pareto.count) plans")
    }
}

/// Progress on standard error: a line every two seconds (none when disabled).
final class ProgressLine {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var last: ContinuousClock.Instant
    private var count = 0

    init(label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
        start = clock.now
        last = start
    }

    func update(_ entry: TraceEntry) {
        count = entry.index
        guard enabled, clock.now - last >= .seconds(2) else { return }
        last = clock.now
        let elapsed = (clock.now - start).inSeconds
        let rate = Double(count) / max(elapsed, 1e-9)
        standardError(
            String(
                format: "%@: %d/%d evaluations, %.0f/s, about %.0f s left", label, count, total, rate,
                Double(total - count) / max(rate, 1e-9)))
    }

}
