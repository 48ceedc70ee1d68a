import CellwiseCore
import CellwiseStatistics
import Foundation

/// Credits a plan with the baseline's accuracy plus a one-sided lower confidence bound of its
/// paired accuracy difference to a baseline plan: the rule ``AcceptanceRule/Kind/pairedBound(confidence:)``.
///
/// Both plans classify the same `n` samples. With `b` the samples only the baseline gets right
/// and `c` those only the plan gets right (McNemar's discordant pairs), the difference is
/// `d = (c - b) / n`. Its bound is Agresti and Min's (2005) adjusted Wald interval for paired
/// proportions: with `b' = b + 1/2`, `c' = c + 1/2`, `n' = n + 2`,
///
///     d' = (c' - b') / n',  se = sqrt(((b' + c') / n' - d'^2) / n'),  bound = d' - z se,
///
/// where `z` is the standard normal quantile of `confidence`. A plan that agrees with the
/// baseline on every sample (`b = c = 0`) gets the difference 0: there is no evidence of any
/// loss, and the reference plan keeps its own accuracy.
public final class PairedBoundOracle: AccuracyOracle {
    /// The plan evaluator of the search split.
    public let evaluator: PlanEvaluator
    /// The baseline plan (the reference, or the exact model).
    public let baseline: ActivationPlan
    /// The baseline's accuracy on the split.
    public let baselineAccuracy: Double
    /// The one-sided confidence of the bound.
    public let confidence: Double
    private let baselineCorrect: [Bool]
    private let z: Double

    /// Measures the baseline plan on `evaluator`'s split.
    ///
    /// - Throws: ``ConfigurationError`` unless `confidence` is in [0.5, 1); ``PlanError`` for a
    ///   baseline the model cannot run.
    public init(evaluator: PlanEvaluator, baseline: ActivationPlan, confidence: Double) throws {
        guard confidence >= 0.5, confidence < 1, confidence.isFinite else {
            throw ConfigurationError(key: "confidence", problem: "must be in [0.5, 1), got \(confidence)")
        }
        let outcome = try evaluator.evaluate(baseline)
        self.evaluator = evaluator
        self.baseline = baseline
        self.baselineAccuracy = outcome.accuracy
        self.baselineCorrect = outcome.sampleCorrect
        self.confidence = confidence
        z = Distributions.normalQuantile(confidence)
    }

    /// The number of sites.
    public var cells: Int { evaluator.layout.count }

    /// The baseline's accuracy plus the lower bound of `plan`'s paired difference to it.
    public func accuracy(of plan: ActivationPlan) throws -> Double {
        let outcome = try evaluator.evaluate(plan)
        var onlyBaseline = 0
        var onlyPlan = 0
        for (planRight, baselineRight) in zip(outcome.sampleCorrect, baselineCorrect) where planRight != baselineRight {
            if baselineRight { onlyBaseline += 1 } else { onlyPlan += 1 }
        }
        return baselineAccuracy
            + Self.lowerBound(onlyBaseline: onlyBaseline, onlyPlan: onlyPlan, samples: outcome.samples, z: z)
    }

    /// The lower bound of the paired difference (plan minus baseline) from the discordant counts.
    public static func lowerBound(onlyBaseline b: Int, onlyPlan c: Int, samples n: Int, z: Double) -> Double {
        guard b + c > 0, n > 0 else { return 0 }
        let (b1, c1, n1) = (Double(b) + 0.5, Double(c) + 0.5, Double(n) + 2)
        let d = (c1 - b1) / n1
        let variance = max(0, ((b1 + c1) / n1 - d * d) / n1)
        return d - z * variance.squareRoot()
    }
}
