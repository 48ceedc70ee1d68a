import Foundation

/// Mean cross-entropy loss and accuracy of a plan on a split.
public struct SplitMetrics: Sendable, Equatable {
    /// Mean softmax cross-entropy (infinite when a sample's logits are not finite).
    public var loss: Double
    /// Share of correctly classified samples.
    public var accuracy: Double

    /// Computes the metrics of `plan` (exact tanh by default) from the evaluator's logits.
    public init(evaluator: PlanEvaluator, plan: ActivationPlan? = nil) throws {
        let labels = evaluator.labels
        let plan = plan ?? evaluator.exactPlan
        let logits = try evaluator.logits(of: plan)
        let classes = evaluator.model.classes
        var loss = 0.0
        var correct = 0
        for (row, label) in labels.enumerated() {
            let l = logits[(row * classes)..<((row + 1) * classes)].map(Double.init)
            let top = l.max() ?? 0
            let logSum = Foundation.log(l.reduce(0) { $0 + Foundation.exp($1 - top) }) + top
            loss += logSum - l[Int(label)]
            if l.allSatisfy(\.isFinite), l.firstIndex(of: top) == Int(label) { correct += 1 }
        }
        self.loss = labels.isEmpty ? 0 : loss / Double(labels.count)
        self.accuracy = labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
    }
}
