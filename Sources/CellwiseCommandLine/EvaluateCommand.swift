import ArgumentParser
import Cellwise
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure the accuracy of a per-cell activation plan.",
        discussion: """
            A plan is one activation per cell: comma-separated degrees or t (exact tanh), with
            D*K repeating D K times. Give --plan several times to compare plans (one evaluator,
            shared prefixes reused). In JSON output t is written as 0; several plans give an array.

            Example:
              cellwise evaluate --model results/models/paper-mnist5k.json --plan '17*24,7*4'
              cellwise evaluate --model results/models/paper-mnist5k.json --plan 't*28' --split validation --json
              cellwise evaluate --model results/models/paper-mnist5k.json --plan 't*28' --plan '3*28' --plan '17*28'
              cellwise evaluate --model results/models/paper-mnist5k.json --plan '7*28' --save-outputs /tmp/outputs.npz

            --save-outputs writes a NumPy archive (numpy.load) holding the split's model inputs
            (inputs: samples x steps x features, standardised and pre-padded as the model reads them),
            labels, and the plan's logits (samples x classes), for checks in other engines.
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "A plan, e.g. '17*24,7*4', 't*28' or '3,7,17*26' (repeatable).")
    var plan: [String]

    @Option(help: "validation or test.")
    var split: SplitName = .test

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(
        help: ArgumentHelp(
            "Fit range and weighted candidates to the pre-activations under the plan itself (one refinement from the "
                + "exact model's) instead of the exact model's: an experiment, see docs/approximations.md."))
    var fitToPlan = false

    @Option(help: "Write the inputs, labels and logits of the (one) plan to this .npz file.")
    var saveOutputs: String?

    func validate() throws {
        guard !plan.isEmpty else { throw ValidationError("give at least one --plan") }
        if saveOutputs != nil && plan.count > 1 { throw ValidationError("--save-outputs takes one --plan") }
    }

    /// The inputs, labels and logits of `plan` as a NumPy archive.
    private func save(
        _ plan: ActivationPlan, _ evaluator: PlanEvaluator, _ context: ModelOptions.Context, to path: String
    )
        throws
    {
        let model = context.file.model
        let data = context.dataset.split(split)
        let inputs = try model.input.apply(to: data, timeSteps: model.timeSteps, featureCount: model.inputSize)
        let logits = try evaluator.logits(of: plan)
        try NumPyArchive.write(
            [
                (
                    "inputs",
                    NumPyArray(shape: [data.count, model.timeSteps, model.inputSize], values: inputs.map(Double.init))
                ),
                ("labels", NumPyArray(shape: [data.count], values: data.labels.map(Double.init), descr: "<i8")),
                ("logits", NumPyArray(shape: [data.count, model.classes], values: logits.map(Double.init))),
            ], to: path)
    }

    /// An evaluator whose range and weighted fits come from the fitting split's pre-activations
    /// under `plan` (run with the exact model's fits).
    private func refitted(_ plan: ActivationPlan, _ context: ModelOptions.Context) throws -> PlanEvaluator {
        let fitting = try PlanEvaluator(
            model: context.file.model, split: context.dataset.split(model.fitSplit),
            approximations: context.approximations, cachedPlans: 0)
        let library = try ApproximationLibrary(
            lower: context.approximations.lower, upper: context.approximations.upper,
            distributions: try fitting.observedDistributions(of: plan),
            fittingData: "\(model.fitSplit.rawValue) split under the plan")
        return try PlanEvaluator(
            model: context.file.model, split: context.dataset.split(split), approximations: library, cachedPlans: 0)
    }

    func run() throws {
        let context = try model.load()
        // Parse every plan before any work, so a typo fails fast.
        let plans = try plan.map { try ActivationPlan(parsing: $0, layout: context.file.model.sites) }
        let evaluator = try context.evaluator(for: split)
        let reports = try plans.map { parsed in
            let chosen = try fitToPlan ? refitted(parsed, context) : evaluator
            let outcome = try chosen.evaluate(parsed)
            if let saveOutputs { try save(parsed, chosen, context, to: saveOutputs) }
            return EvaluationReport(
                plan: parsed.tokens, planText: parsed.description,
                candidates: try context.approximations.specs(for: parsed),
                fittingData: parsed.candidates.contains(where: \.isPerCell) ? context.approximations.fittingData : nil,
                split: split.rawValue,
                samples: outcome.samples, accuracy: outcome.accuracy,
                dataset: context.dataset.source.description, splitSeed: context.dataset.splitSeed,
                interval: [context.approximations.lower, context.approximations.upper])
        }
        if json {
            if reports.count == 1 { try printJSON(reports[0]) } else { try printJSON(reports) }
        } else if reports.count == 1 {
            let r = reports[0]
            print(
                String(format: "plan %@ on %@ (%d samples): accuracy %.4f", r.planText, r.split, r.samples, r.accuracy))
        } else {
            let width = max(4, reports.map(\.planText.count).max() ?? 0)
            print(
                "\("plan".padding(toLength: width, withPad: " ", startingAt: 0))  \(split.rawValue) accuracy "
                    + "(\(reports[0].samples) samples)"
            )
            for r in reports {
                print(
                    "\(r.planText.padding(toLength: width, withPad: " ", startingAt: 0))  "
                        + "\(String(format: "%.4f", r.accuracy))"
                )
            }
        }
    }
}

struct EvaluationReport: Encodable {
    var plan: [String]
    var planText: String
    /// Every fit the plan uses, with its coefficients.
    var candidates: [CandidateSpec]
    /// Where range and weighted fits came from.
    var fittingData: String?
    var split: String
    var samples: Int
    var accuracy: Double
    var dataset: String
    var splitSeed: UInt64
    var interval: [Double]
}

extension SplitName: ExpressibleByArgument {}
