import CellwiseCKKS
import CellwiseCore

@testable import CellwiseSearch

/// Synthetic accuracy functions and set-ups for search tests.
enum SyntheticSearch {
    /// An oracle whose accuracy is `base` minus a fixed loss per lowered cell and degree, and
    /// which counts its calls.
    final class AdditiveOracle: AccuracyOracle {
        let cells: Int
        let base: Double
        let losses: [[Int: Double]]  // per cell: degree -> loss
        private(set) var calls = 0

        init(cells: Int, base: Double = 0.9, losses: [[Int: Double]]) {
            self.cells = cells
            self.base = base
            self.losses = losses
        }

        func accuracy(of plan: ActivationPlan) throws -> Double {
            calls += 1
            return base
                - plan.activations.enumerated().reduce(0) { $0 + (losses[$1.offset][$1.element.degree ?? 0] ?? 0) }
        }
    }

    /// Random additive losses for `cells` cells and degrees 3 and 7 (17 loses nothing).
    static func randomOracle(cells: Int, seed: UInt64) -> AdditiveOracle {
        var generator = SeededGenerator(seed: seed)
        let losses = (0..<cells).map { _ in
            [7: generator.nextUniform(0, 0.01), 3: generator.nextUniform(0.005, 0.04)]
        }
        return AdditiveOracle(cells: cells, losses: losses)
    }

    static func setup(
        _ oracle: any AccuracyOracle, budget: Int? = 200, seconds: Double? = nil, seed: UInt64 = 1,
        tolerance: Double = 0.02, degrees: [Int] = [3, 7, 17], candidates: [String]? = nil, freeCells: [Int]? = nil,
        placement: PlacementStrategy = .greedy
    ) throws -> Search.Setup {
        let space =
            try candidates.map { try SearchSpace(cells: oracle.cells, candidates: $0.map(Candidate.init(parsing:))) }
            ?? SearchSpace(cells: oracle.cells, degrees: degrees, freeCells: freeCells)
        return Search.Setup(
            oracle: oracle, space: space,
            costModel: CostModel(profile: .heaanFGb), placement: placement,
            tolerance: try Tolerance(tolerance), budget: try Budget(evaluations: budget, seconds: seconds), seed: seed)
    }
}
