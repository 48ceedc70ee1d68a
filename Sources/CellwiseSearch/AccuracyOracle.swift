import CellwiseCKKS
import CellwiseCore

/// Anything that can measure a plan's accuracy: the plan evaluator on the validation split, or
/// a synthetic function in tests.
public protocol AccuracyOracle: AnyObject {
    /// The number of cells a plan must have.
    var cells: Int { get }
    /// The accuracy of `plan` in [0, 1].
    func accuracy(of plan: ActivationPlan) throws -> Double
}

extension PlanEvaluator: AccuracyOracle {
    /// The model's number of sites.
    public var cells: Int { layout.count }
}

/// An oracle computed by a closure (tests, synthetic benchmarks).
public final class FunctionOracle: AccuracyOracle {
    /// The number of cells.
    public let cells: Int
    private let function: (ActivationPlan) -> Double

    /// Wraps `function`.
    public init(cells: Int, _ function: @escaping (ActivationPlan) -> Double) {
        self.cells = cells
        self.function = function
    }

    /// Calls the function.
    public func accuracy(of plan: ActivationPlan) throws -> Double { function(plan) }
}
