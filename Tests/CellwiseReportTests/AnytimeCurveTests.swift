import CellwiseCore
import Foundation
import Testing

@testable import CellwiseReport
@testable import CellwiseSearch

@Suite struct AnytimeCurveTests {
    /// A trace of (accuracy, latency) pairs, evaluations numbered from 1.
    static func trace(_ points: [(Double, Double)]) throws -> [TraceRecord] {
        try points.enumerated().map { index, point in
            TraceRecord(
                TraceEntry(
                    index: index + 1,
                    score: PlanScore(
                        plan: try ActivationPlan(parsing: "17*2"), accuracy: point.0, latencySeconds: point.1,
                        bootstraps: 1),
                    elapsedSeconds: 0))
        }
    }

    @Test func theCurveIsTheBestLatencyWithinToleranceSoFar() throws {
        // Within tolerance: accuracy >= 0.8. The first plan is not; the fourth is faster but not within.
        let trace = try Self.trace([(0.7, 500), (0.85, 600), (0.81, 550), (0.5, 100), (0.9, 580), (0.8, 540)])
        let curve = AnytimeCurve(trace: trace, accepts: { $0 >= 0.8 })
        #expect(curve.best == [.infinity, 600, 550, 550, 550, 540])
        #expect(curve.value(after: 0) == .infinity)
        #expect(curve.value(after: 3) == 550)
        #expect(curve.value(after: 100) == 540, "a run that stopped keeps its final value")
        // Trace order is by index, whatever the order of the records.
        #expect(AnytimeCurve(trace: trace.reversed(), accepts: { $0 >= 0.8 }) == curve)
    }

    /// Quartiles as NumPy computes them (`numpy.quantile`, linear method), values from NumPy 2.4.
    @Test func quantilesMatchNumPy() {
        let cases: [([Double], [Double])] = [
            ([3.0], [3.0, 3.0, 3.0]),
            ([1.0, 2.0], [1.25, 1.5, 1.75]),
            ([5.0, 1.0, 4.0, 2.0, 3.0], [2.0, 3.0, 4.0]),
            ([437.09, 437.2, 436.8, 437.29, 437.03, 457.0], [437.045, 437.145, 437.2675]),
        ]
        for (values, expected) in cases {
            let quartiles = [0.25, 0.5, 0.75].map { AnytimeSummary.quantile(values.sorted(), $0) }
            #expect(zip(quartiles, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(values): \(quartiles)")
        }
        #expect(AnytimeSummary.quantile([], 0.5) == .infinity)
        // Runs without a plan within tolerance yet: infinite where the interpolation reaches them.
        #expect(AnytimeSummary.quantile([1, 2, .infinity, .infinity], 0.25) == 1.75)
        #expect(AnytimeSummary.quantile([1, 2, .infinity, .infinity], 0.5) == .infinity)
    }

    @Test func theGridDoublesUpToTheBudget() {
        #expect(AnytimeSummary.grid(budget: 20) == [1, 2, 4, 8, 16, 20])
        #expect(AnytimeSummary.grid(budget: 16) == [1, 2, 4, 8, 16])
        #expect(AnytimeSummary.grid(budget: 2048, from: 16, factor: 4) == [16, 64, 256, 1024, 2048])
        #expect(AnytimeSummary.grid(budget: 10, from: 16, factor: 4) == [10])
        #expect(AnytimeSummary.grid(budget: 0) == [])
    }

    @Test func summariesTakeQuartilesOverSeeds() throws {
        let accepts: (Double) -> Bool = { $0 >= 0.8 }
        let curves = try [
            [(0.9, 600.0), (0.9, 500)], [(0.9, 600.0), (0.9, 580), (0.9, 400)], [(0.5, 100.0), (0.9, 700)],
        ].map { AnytimeCurve(trace: try Self.trace($0), accepts: accepts) }
        let summary = AnytimeSummary(strategy: "s", curves: curves, grid: [1, 2, 3])
        #expect(summary.points.map(\.evaluations) == [1, 2, 3])
        // After 1: 600, 600, inf; after 2: 500, 580, 700; after 3: 500 (stopped), 400, 700.
        #expect(summary.points[0].median == 600 && summary.points[0].upper == .infinity)
        #expect(summary.points[1].lower == 540 && summary.points[1].median == 580 && summary.points[1].upper == 640)
        #expect(summary.points[2].median == 500)
    }
}
