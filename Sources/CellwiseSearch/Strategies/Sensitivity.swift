import CellwiseCKKS
import CellwiseCore

/// Single-cell sensitivities: the accuracy lost and the latency saved by lowering one free cell
/// of the reference plan to one lower degree, everything else unchanged. Shared by the greedy
/// and dynamic-programming strategies (the evaluator's cache makes the second measurement free).
struct Sensitivity {
    /// Index into the free cells.
    var freeIndex: Int
    /// Index into the degrees (below the highest).
    var gene: Int
    /// Reference accuracy minus the lowered plan's accuracy (negative when it improves).
    var accuracyLoss: Double
    /// Reference latency minus the lowered plan's latency.
    var secondsSaved: Double

    /// Measures every single lowering, cell by cell (consecutive plans share long prefixes),
    /// each cell's degrees from the highest lower one down.
    static func measureAll(in context: SearchContext) throws -> [Sensitivity] {
        let space = context.space
        var result = [Sensitivity]()
        let top = space.candidates.count - 1
        for freeIndex in space.freeCells.indices {
            for gene in stride(from: top - 1, through: 0, by: -1) {
                var genes = [Int](repeating: top, count: space.freeCells.count)
                genes[freeIndex] = gene
                let score = try context.evaluator.evaluate(space.plan(genes: genes))
                result.append(
                    Sensitivity(
                        freeIndex: freeIndex, gene: gene,
                        accuracyLoss: context.reference.accuracy - score.accuracy,
                        secondsSaved: context.reference.latencySeconds - score.latencySeconds))
            }
        }
        return result
    }
}
