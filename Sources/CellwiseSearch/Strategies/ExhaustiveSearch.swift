import CellwiseCKKS
import CellwiseCore
import Foundation

/// Every plan of the space, as ground truth on small problems (few free cells or degrees).
/// Plans are visited with the last free cell changing fastest, so consecutive plans share long
/// prefixes. A space larger than `limit` plans is refused.
public struct ExhaustiveSearch: SearchStrategy {
    public static let name = "exhaustive"
    public static let summary = "Every plan (ground truth for small spaces; refused beyond a size limit)."
    public static let options = [
        StrategyOption("limit", "largest number of plans to enumerate (default 531441 = 3^12)")
    ]

    /// The largest space enumerated.
    public var limit: Int

    public init(options: StrategyOptions) throws {
        limit = try options.int("limit", default: 531_441, in: 1...100_000_000)
    }

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        guard space.size <= Double(limit) else {
            throw ConfigurationError(
                key: "strategy exhaustive",
                problem: String(
                    format:
                        "the space has %d^%d = %.3g plans, more than the limit of %d; free fewer cells (--cells "
                        + "0-3,24-27) or degrees, or raise --option limit=N",
                    space.candidates.count, space.freeCells.count, space.size, limit))
        }
        var genes = [Int](repeating: 0, count: space.freeCells.count)
        while true {
            _ = try context.evaluator.evaluate(space.plan(genes: genes))
            // Odometer increment, last position fastest.
            var position = genes.count - 1
            while position >= 0 {
                genes[position] += 1
                if genes[position] < space.candidates.count { break }
                genes[position] = 0
                position -= 1
            }
            if position < 0 { return }
        }
    }
}
