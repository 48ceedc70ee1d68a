import CellwiseCKKS
import CellwiseCore
import Foundation

/// A search problem on a trained model: its data, the polynomial fits, the cost model priced at
/// the model's real shape, the space of plans, the tolerance and the budget; and a fingerprint of
/// everything that changes results, so that a trace is only ever resumed by the same problem.
///
/// `cellwise search` and `cellwise compare` both build their runs here, so they price, fingerprint
/// and resume alike.
///
/// ```swift
/// let problem = try SearchProblem(model: file, dataset: data, approximations: fits,
///                                 costModel: CostModel(profile: .heaanFGb, shapeOf: file.model),
///                                 space: try SearchSpace(cells: file.model.timeSteps, degrees: [3, 7, 17]),
///                                 tolerance: try Tolerance(0.02), budget: try Budget(evaluations: 2048))
/// let result = try problem.run(strategy: "ga", seed: 1, tracePath: "ga.jsonl")
/// ```
public struct SearchProblem {
    /// The model and its metadata.
    public let model: ModelFile
    /// The data (validation split for the searches, test split for the final report).
    public let dataset: Dataset
    /// The fits of the candidate activations.
    public let approximations: ApproximationLibrary
    /// The CKKS cost model.
    public let costModel: CostModel
    /// Bootstrap placement used for pricing.
    public let placement: PlacementStrategy
    /// The plans a strategy may visit.
    public let space: SearchSpace
    /// Tolerance against the reference plan.
    public let tolerance: Tolerance
    /// Budget of each run.
    public let budget: Budget
    /// What the tolerance is measured against.
    public let reference: ReferenceChoice
    /// Which images plans are scored on and what they are credited with.
    public let acceptance: AcceptanceRule
    /// The images plans are scored on (``AcceptanceRule/searchSplit(of:)``).
    public let searchSplit: DataSplit
    /// The accuracy the tolerance is measured against when it is not the reference plan's: the
    /// exact model's accuracy on the search split with ``ReferenceChoice/exact`` (nil with `highest`).
    public let baselineAccuracy: Double?
    /// Fingerprints of what determines results, by the name a mismatch reports.
    public let fingerprints: [String: String]

    /// Creates a problem after checking that its parts fit together.
    ///
    /// - Parameter extraFingerprints: More named inputs that change results (e.g. a config's
    ///   `[training]` section), checked on resume like the rest.
    /// - Throws: ``SearchError`` or ``ConfigurationError`` when the space or cost model does not
    ///   match the model.
    public init(
        model: ModelFile, dataset: Dataset, approximations: ApproximationLibrary, costModel: CostModel,
        placement: PlacementStrategy = .greedy, space: SearchSpace, tolerance: Tolerance, budget: Budget,
        reference: ReferenceChoice = .highest, acceptance: AcceptanceRule = .plain,
        extraFingerprints: [String: String] = [:]
    ) throws {
        let shape = model.model
        guard space.layout == shape.sites else {
            throw ConfigurationError(
                key: "cells", problem: "the search space has \(space.cells) cells, the model \(shape.sites.count)")
        }
        guard costModel.inputSize == shape.inputSize, costModel.units == shape.units,
            costModel.classes == shape.classes,
            costModel.stack == shape.stack
        else {
            throw ConfigurationError(
                key: "cost model",
                problem:
                    "priced for \(costModel.inputSize) inputs, \(costModel.units) units, \(costModel.classes) classes; "
                    + "the model has \(shape.inputSize), \(shape.units), \(shape.classes)")
        }
        self.model = model
        self.dataset = dataset
        self.approximations = approximations
        self.costModel = costModel
        self.placement = placement
        self.space = space
        self.tolerance = tolerance
        self.budget = budget
        self.reference = reference
        self.acceptance = acceptance
        searchSplit = try acceptance.searchSplit(of: dataset)
        baselineAccuracy =
            reference == .exact
            ? try PlanEvaluator(
                model: model.model, split: searchSplit, approximations: approximations, cachedPlans: 0
            ).accuracy(of: ActivationPlan(uniform: .exact, layout: shape.sites)) : nil

        var weights = Fingerprint()
        for value in [shape.inputSize, shape.units, shape.classes, shape.timeSteps] { weights.combine(value) }
        if !shape.sites.isOneSimpleRNNLayer {
            // Kept out of one-layer SimpleRNN fingerprints so that their existing traces still resume.
            weights.combine(Self.describe(shape.stack))
            weights.combine(shape.input.mean ?? [])
            weights.combine(shape.input.standardDeviation ?? [])
        }
        for tensor in shape.parameters { weights.combine(tensor) }
        var data = Fingerprint()
        for split in [dataset.validation, dataset.test] {
            data.combine(split.features)
            data.combine(split.labels)
        }
        var fits = Fingerprint()
        fits.combine("\(approximations.lower) \(approximations.upper) \(PolynomialApproximation.fitPoints)")
        if space.candidates.contains(where: \.isPerCell) {
            // Range and weighted fits depend on the observed pre-activations (and so on the
            // fitting split): observe them now and fingerprint them.
            fits.combine(approximations.fittingData ?? "none")
            for distribution in try approximations.distributions() ?? [] {
                fits.combine("\(distribution.minimum) \(distribution.maximum)")
                fits.combine(distribution.counts.map { Float($0) })
            }
        }
        var cost = Fingerprint()
        // Every field of the profile (its reflection lists them all), the depth rule,
        // the shape priced and the placement.
        cost.combine(
            "\(costModel.profile) \(costModel.depthRule) \(costModel.inputSize) \(costModel.units) "
                + "\(costModel.classes) \(placement)"
        )
        if costModel.stack != [LayerShape(cell: .simpleRNN, units: costModel.units)] {
            cost.combine(Self.describe(costModel.stack))
        }
        var printed: [String: String] = [
            "model weights": weights.value,
            "data": data.value,
            "approximation": fits.value,
            "cost model": cost.value,
        ]
        if !acceptance.isPlain {
            // Kept out of plain-rule fingerprints so that their existing traces still resume.
            var rule = Fingerprint()
            rule.combine(acceptance.description)
            if acceptance.split == .trainAndValidation {
                rule.combine(dataset.train.features)
                rule.combine(dataset.train.labels)
            }
            printed["acceptance"] = rule.value
        }
        for (key, value) in extraFingerprints { printed[key] = value }
        fingerprints = printed
    }

    /// The settings of one run, named for the trace header and for messages on a mismatch.
    public func settings(strategy: String, options: StrategyOptions, seed: UInt64) -> [String: String] {
        var settings = fingerprints
        settings["strategy"] = strategy
        settings["strategy options"] = options.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
            separator: ",")
        settings["seed"] = String(seed)
        settings["budget"] =
            "\(budget.evaluations.map(String.init) ?? "-") evaluations, \(budget.seconds.map { "\($0)" } ?? "-") s"
        settings["tolerance"] = "\(tolerance.mode.rawValue) \(tolerance.value) of the \(reference.rawValue) reference"
        settings["search space"] = "candidates \(space.candidates.map(\.description)) free cells \(space.freeCells)"
        if !acceptance.isPlain { settings["acceptance rule"] = acceptance.description }
        return settings
    }

    /// A search set-up for one run.
    ///
    /// - Parameter workers: Threads of each evaluator (nil: all cores).
    public func setup(seed: UInt64, workers: Int? = nil) throws -> Search.Setup {
        var setup = Search.Setup(
            oracle: try searchOracle(workers: workers),
            testOracle: try PlanEvaluator(
                model: model.model, split: dataset.test, approximations: approximations,
                workers: workers, cachedPlans: 0),
            space: space, costModel: costModel, placement: placement, tolerance: tolerance, budget: budget, seed: seed)
        setup.baselineAccuracy = baselineAccuracy
        return setup
    }

    /// The oracle plans are scored by under the acceptance rule: accuracy on the search split, or
    /// a ``PairedBoundOracle`` on it against the reference plan (the exact model with
    /// ``ReferenceChoice/exact``).
    ///
    /// - Parameter workers: Threads of its evaluator (nil: all cores).
    public func searchOracle(workers: Int? = nil) throws -> any AccuracyOracle {
        let evaluator = try PlanEvaluator(
            model: model.model, split: searchSplit, approximations: approximations, workers: workers)
        switch acceptance.kind {
        case .plain:
            return evaluator
        case .pairedBound(let confidence):
            let baseline = reference == .exact ? evaluator.exactPlan : space.reference
            return try PairedBoundOracle(evaluator: evaluator, baseline: baseline, confidence: confidence)
        }
    }

    /// Runs one strategy, appending every evaluation to the trace at `tracePath` (when given) and,
    /// with `resume`, continuing the run recorded there.
    ///
    /// - Parameters:
    ///   - onResume: Called with the number of evaluations replayed from the trace.
    /// - Throws: ``SearchError/traceMismatch(path:changed:)`` when the trace belongs to another
    ///   problem, and whatever the strategy or evaluator throws.
    public func run(
        strategy name: String, options: StrategyOptions = StrategyOptions(), seed: UInt64,
        registry: StrategyRegistry = .builtIn, workers: Int? = nil, tracePath: String? = nil, resume: Bool = false,
        onResume: (Int) -> Void = { _ in }, onEvaluation: ((TraceEntry) -> Void)? = nil
    ) throws -> SearchResult {
        var (type, options) = try registry.strategy(named: name, options: options)
        try options.check(against: type)
        var setup = try self.setup(seed: seed, workers: workers)
        var log: TraceLog? = nil
        if let tracePath {
            // An external strategy's trace records its command and the SHA-256 of the files it names
            // (its script): resuming with a changed script is refused like any changed setting.
            var recorded = options
            if type == ExternalStrategy.self {
                let strategy = try ExternalStrategy(options: options)
                recorded.values["script_sha256"] = strategy.scriptDigests.joined(separator: ",")
                recorded.values.removeValue(forKey: "log")
            }
            let header = TraceLog.Header(settings: settings(strategy: name, options: recorded, seed: seed))
            if resume, FileManager.default.fileExists(atPath: tracePath) {
                let resumed = try TraceLog.resume(tracePath, header: header)
                setup.replay = resumed.entries
                log = resumed.log
                onResume(resumed.entries.count)
            } else {
                log = try TraceLog(creating: tracePath, header: header)
            }
        }
        if type == ExternalStrategy.self, options.values["log"] == nil, let tracePath {
            // The process's standard error goes beside the trace.
            options.values["log"] = (tracePath as NSString).deletingPathExtension + ".stderr.log"
        }
        let result = try Search.run(
            strategy: type.name, options: options, registry: registry, setup: setup,
            onEvaluation: { entry in
                try log?.append(entry)
                onEvaluation?(entry)
            },
            onNote: { try log?.appendNote($0) })
        try log?.close()
        return result
    }
}

extension SearchProblem {
    /// A stack in fingerprints: `GRU (reset gate after the recurrent product) [32, 16]` for
    /// forward layers of one kind (as fingerprints always said), else each layer's kind, units,
    /// direction and merge.
    static func describe(_ stack: [LayerShape]) -> String {
        let first = stack[0].cell
        if stack.allSatisfy({ $0.cell == first && $0.direction == .forward }) {
            return "\(first) \(stack.map(\.units))"
        }
        return stack.map { "\($0.cell) \($0.units) \($0.direction.rawValue) \($0.merge.rawValue)" }
            .joined(separator: "; ")
    }
}
