import CellwiseCore
import Testing

@testable import CellwiseCKKS

@Suite struct BootstrapPlacementTests {
    /// Every feasible schedule, by brute force: at each element bootstrap or not, then any entry
    /// level from the element's depth up to the levels available.
    static func exhaustive(_ chain: [CostModel.Element], _ model: CostModel) -> (seconds: Double, fewestBootstraps: Int)
    {
        let top = model.profile.parameters.levelsAfterBootstrap
        var best = Double.infinity
        var fewest = Int.max
        func visit(_ i: Int, _ level: Int, _ seconds: Double, _ boots: Int) {
            if i == chain.count {
                best = min(best, seconds)
                fewest = min(fewest, boots)
                return
            }
            let element = chain[i]
            for boot in [false, true] {
                let available = boot ? top : level
                guard available >= element.depth else { continue }
                let extra = boot ? model.profile.costs.bootstrap : 0
                for r in element.depth...available {
                    visit(
                        i + 1, r - element.depth, seconds + extra + model.seconds(of: element, atLevel: r),
                        boots + (boot ? 1 : 0))
                }
            }
        }
        visit(0, model.profile.parameters.freshLevels, 0, 0)
        return (best, fewest)
    }

    static func randomModel(_ generator: inout SeededGenerator, scaling: CostProfile.LevelScaling) -> CostModel {
        var profile = CostProfile.heaanFGb
        let levels = 4 + Int(generator.next() % 4)
        profile.parameters.levelsAfterBootstrap = levels
        profile.parameters.freshLevels = 1 + Int(generator.next() % UInt64(levels))
        profile.levelScaling = scaling
        profile.costs = .init(
            bootstrap: generator.nextUniform(0.5, 30), multiplication: generator.nextUniform(0.01, 1),
            plaintextMultiplication: generator.nextUniform(0.001, 0.1), rotation: generator.nextUniform(0.01, 1),
            addition: generator.nextUniform(0, 0.01))
        return CostModel(profile: profile)
    }

    static func randomChain(_ generator: inout SeededGenerator, model: CostModel, cells: Int) throws -> [CostModel
        .Element]
    {
        let top = model.profile.parameters.levelsAfterBootstrap
        let degrees = [1, 3, 7, 15].filter { DepthRule.ideal.polynomialDepth(degree: $0) + 1 <= top }
        let plan = ActivationPlan(
            (0..<cells).map { _ in .polynomial(degree: degrees[Int(generator.next() % UInt64(degrees.count))]) })
        return try model.elements(of: plan)
    }

    @Test func optimalMatchesExhaustiveAndNeverLosesToGreedy() throws {
        var generator = SeededGenerator(seed: 2024)
        for trial in 0..<60 {
            let model = Self.randomModel(&generator, scaling: trial % 3 == 0 ? .flat : .modulus)
            let chain = try Self.randomChain(&generator, model: model, cells: 2 + trial % 4)
            let greedy = try BootstrapPlacement.place(chain, model: model, strategy: .greedy)
            let optimal = try BootstrapPlacement.place(chain, model: model, strategy: .optimal)
            let brute = Self.exhaustive(chain, model)
            #expect(abs(optimal.seconds - brute.seconds) <= 1e-9 * brute.seconds, "trial \(trial)")
            #expect(optimal.seconds <= greedy.seconds + 1e-9 * greedy.seconds, "trial \(trial)")
            #expect(
                greedy.bootstrapBefore.count == brute.fewestBootstraps,
                "greedy uses the fewest bootstraps, trial \(trial)")
        }
    }

    @Test func withFlatCostsOptimalPlacesAsManyBootstrapsAsGreedy() throws {
        var generator = SeededGenerator(seed: 7)
        for trial in 0..<40 {
            let model = Self.randomModel(&generator, scaling: .flat)
            let chain = try Self.randomChain(&generator, model: model, cells: 5 + trial % 20)
            let greedy = try BootstrapPlacement.place(chain, model: model, strategy: .greedy)
            let optimal = try BootstrapPlacement.place(chain, model: model, strategy: .optimal)
            #expect(optimal.bootstrapBefore.count == greedy.bootstrapBefore.count)
            #expect(abs(optimal.seconds - greedy.seconds) <= 1e-9 * greedy.seconds)
        }
    }

    @Test func schedulesAreConsistent() throws {
        let model = CostModel(profile: .heaanFGb)
        let chain = try model.elements(of: ActivationPlan(parsing: "3*5,7*3,17*20"))
        for strategy in PlacementStrategy.allCases {
            let schedule = try BootstrapPlacement.place(chain, model: model, strategy: strategy)
            // Replaying the schedule: every element fits and the seconds add up.
            var level = model.profile.parameters.freshLevels
            var seconds = 0.0
            for (i, element) in chain.enumerated() {
                if schedule.bootstrapBefore.contains(i) {
                    level = model.profile.parameters.levelsAfterBootstrap
                    seconds += model.profile.costs.bootstrap
                }
                let entry = schedule.entryLevels[i]
                #expect(entry <= level && entry >= element.depth)
                seconds += model.seconds(of: element, atLevel: entry)
                level = entry - element.depth
            }
            #expect(abs(seconds - schedule.seconds) < 1e-9 * seconds)
        }
    }
}
