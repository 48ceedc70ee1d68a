import CellwiseCKKS
import CellwiseCore

/// The baseline every comparison needs: plans drawn uniformly at random (each free cell takes a
/// uniformly chosen degree), until the budget is spent or the space is exhausted.
public struct RandomSearch: SearchStrategy {
    public static let name = "random"
    public static let summary = "Uniform random plans until the budget is spent (the baseline)."
    public static let isStochastic = true

    public init(options: StrategyOptions) throws {}

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        // In a small space new plans become rare: stop after 10,000 draws in a row found none.
        var repeats = 0
        while repeats < 10_000 {
            let genes = space.freeCells.map { _ in Int(context.random.next() % UInt64(space.candidates.count)) }
            let plan = space.plan(genes: genes)
            if context.evaluator.knownScore(of: plan) != nil {
                repeats += 1
                continue
            }
            repeats = 0
            // Counted, cached and traced; throws SearchStop.budgetExhausted when the budget is spent.
            _ = try context.evaluator.evaluate(plan)
        }
    }
}
