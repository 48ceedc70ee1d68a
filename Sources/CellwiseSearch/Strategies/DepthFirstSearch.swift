import CellwiseCKKS
import CellwiseCore

/// The paper's search. From the all-highest plan, try each time step with each lower degree;
/// accept a lowering when the accuracy stays within the tolerance of the state it came from
/// (`rule=parent`, the paper's) or of the reference (`rule=reference`), and continue depth-first
/// from the accepted state with the later time steps; on rejection move on to the next time
/// step. Every accepted plan is kept.
public struct DepthFirstSearch: SearchStrategy {
    public static let name = "dfs"
    public static let summary =
        "The paper's depth-first search: lower one cell at a time, accept within tolerance of the parent."
    public static let options = [
        StrategyOption("rule", "parent (the paper's: tolerance against the state lowered from) or reference")
    ]

    /// Which accuracy a lowering is measured against.
    public enum Rule: String, CaseIterable, Sendable {
        /// The state it came from (the paper's rule; losses can accumulate along a chain).
        case parent
        /// The reference plan.
        case reference
    }

    /// The acceptance rule.
    public var rule: Rule

    public init(options: StrategyOptions) throws {
        rule =
            Rule(rawValue: try options.choice("rule", default: "parent", from: Rule.allCases.map(\.rawValue)))
            ?? .parent
    }

    public mutating func run(in context: SearchContext) throws {
        context.hasOwnAcceptanceRule = true
        let top = context.space.candidates.count - 1
        try explore(
            genes: [Int](repeating: top, count: context.space.freeCells.count), accuracy: context.reference.accuracy,
            from: 0, in: context)
    }

    private func explore(genes: [Int], accuracy: Double, from start: Int, in context: SearchContext) throws {
        let top = context.space.candidates.count - 1
        for position in start..<genes.count where genes[position] == top {
            for gene in stride(from: top - 1, through: 0, by: -1) {
                var child = genes
                child[position] = gene
                let plan = context.space.plan(genes: child)
                let score = try context.evaluator.evaluate(plan)
                let base = rule == .parent ? accuracy : context.baselineAccuracy
                if context.tolerance.accepts(score.accuracy, reference: base) {
                    context.markAccepted(plan)
                    try explore(genes: child, accuracy: score.accuracy, from: position + 1, in: context)
                }
            }
        }
    }
}
