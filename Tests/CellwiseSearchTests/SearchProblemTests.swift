import CellwiseCKKS
import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseSearch

/// One definition of a search problem for `search` and `compare`: priced at the model's shape,
/// and fingerprinted so that a trace is resumed only by the problem that wrote it.
@Suite struct SearchProblemTests {
    static func model(units: Int = 8, seed: UInt64 = 1) -> ModelFile {
        ModelFile(
            model: RecurrentModel(kerasInitializedWithSeed: seed, units: [units]),
            metadata: ModelMetadata(
                dataset: "test", splitSeed: 1, training: nil, epochsRun: 0, bestEpoch: 0, validationLoss: 0,
                validationAccuracy: 0, testAccuracy: 0, cellRanges: nil))
    }

    static func dataset(seed: UInt64 = 7) throws -> Dataset {
        try Dataset(source: .mnist5k, pool: TestData.images(count: 40, seed: seed), seed: 1)
    }

    static func problem(
        model: ModelFile = model(), dataset: Dataset? = nil, interval: Double = 8, profile: CostProfile = .heaanFGb,
        placement: PlacementStrategy = .greedy
    ) throws -> SearchProblem {
        try SearchProblem(
            model: model, dataset: dataset ?? Self.dataset(),
            approximations: ApproximationLibrary(lower: -interval, upper: interval),
            costModel: CostModel(profile: profile, shapeOf: model.model), placement: placement,
            space: SearchSpace(cells: 28, degrees: [3, 7, 17]), tolerance: Tolerance(0.02),
            budget: Budget(evaluations: 20))
    }

    @Test func thePlansArePricedAtTheModelsShape() throws {
        let small = try Self.problem(model: Self.model(units: 32))
        let wide = try Self.problem(model: Self.model(units: 64))
        let reference = try ActivationPlan(parsing: "17*28")
        let paper = try CostModel(profile: .heaanFGb).cost(of: reference).latencySeconds
        #expect(try small.costModel.cost(of: reference).latencySeconds == paper)
        #expect(try wide.costModel.cost(of: reference).latencySeconds > paper, "64 units cost more than 32")
        // A cost model for another shape is refused.
        let file = Self.model(units: 64)
        #expect(throws: ConfigurationError.self) {
            try SearchProblem(
                model: file, dataset: Self.dataset(), approximations: ApproximationLibrary(),
                costModel: CostModel(profile: .heaanFGb), space: SearchSpace(cells: 28, degrees: [3, 17]),
                tolerance: Tolerance(), budget: Budget(evaluations: 5))
        }
    }

    @Test func theFingerprintNamesWhatChanged() throws {
        let base = try Self.problem().settings(strategy: "ga", options: StrategyOptions(), seed: 1)
        var cheaperAddition = CostProfile.heaanFGb
        cheaperAddition.costs.addition *= 0.5
        var otherWeights = Self.model()
        otherWeights = ModelFile(
            model: RecurrentModel(kerasInitializedWithSeed: 2, units: [8]), metadata: otherWeights.metadata)
        let cases: [(SearchProblem, String)] = [
            (try Self.problem(model: otherWeights), "model weights"),
            (try Self.problem(dataset: Self.dataset(seed: 8)), "data"),
            (try Self.problem(interval: 12), "approximation"),
            (try Self.problem(profile: cheaperAddition), "cost model"),
            (try Self.problem(placement: .optimal), "cost model"),
        ]
        for (problem, name) in cases {
            let changed = TraceLog.Header(
                settings: problem.settings(strategy: "ga", options: StrategyOptions(), seed: 1)
            )
            .changes(from: TraceLog.Header(settings: base))
            #expect(changed == [name])
        }
        let seed = TraceLog.Header(
            settings: try Self.problem().settings(strategy: "ga", options: StrategyOptions(), seed: 2))
        #expect(seed.changes(from: TraceLog.Header(settings: base)) == ["seed"])
        let same = TraceLog.Header(
            settings: try Self.problem().settings(strategy: "ga", options: StrategyOptions(), seed: 1))
        #expect(same.changes(from: TraceLog.Header(settings: base)).isEmpty)
    }

    @Test func aTraceOfAnotherProblemIsRefusedByName() throws {
        let path = try TestData.directory().appendingPathComponent("t.jsonl").path
        _ = try Self.problem().run(strategy: "random", seed: 1, tracePath: path)
        let error = #expect(throws: SearchError.self) {
            try Self.problem(interval: 9).run(strategy: "random", seed: 1, tracePath: path, resume: true)
        }
        #expect(error == .traceMismatch(path: path, changed: ["approximation"]))
        // The same problem resumes the finished trace to the same result.
        let again = try Self.problem().run(strategy: "random", seed: 1, tracePath: path, resume: true)
        let fresh = try Self.problem().run(strategy: "random", seed: 1)
        #expect(again.trace.map(\.score) == fresh.trace.map(\.score))
    }
}
