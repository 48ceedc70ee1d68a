import CellwiseCore
import Testing

@testable import CellwiseCKKS

@Suite struct CostModelTests {
    static let model = CostModel(profile: .heaanFGb)

    @Test func reproducesThePapersTable4() throws {
        let all17 = try Self.model.cost(of: ActivationPlan(parsing: "17*28"))
        #expect(all17.bootstraps == 27)
        #expect(all17.schedule.bootstrapBefore == Array(1...27))
        #expect(abs(all17.latencySeconds - 628.03) / 628.03 < 0.01, "\(all17.latencySeconds)")
        let lowered = try Self.model.cost(of: ActivationPlan(parsing: "7*4,17*24"))
        #expect(lowered.bootstraps == 25)
        #expect(lowered.schedule.bootstrapBefore == [2] + Array(4...27))
        #expect(abs(lowered.latencySeconds - 581.23) / 581.23 < 0.01, "\(lowered.latencySeconds)")
        #expect(lowered.picture.hasPrefix("7 7|7 7|17|17|"))
        #expect(lowered.picture.hasSuffix("|17 D"))
        #expect(all17.depthPerCell == Array(repeating: 6, count: 28))
    }

    @Test func whereLoweredCellsSitMatters() throws {
        // Four degree-7 cells that cannot pair save no bootstrap.
        let apart = try Self.model.cost(of: ActivationPlan(parsing: "7,17,7,17,7,17,7,17*21"))
        #expect(apart.bootstraps == 27)
        let paired = try Self.model.cost(of: ActivationPlan(parsing: "17*20,7*4,17*4"))
        #expect(paired.bootstraps == 25)
        #expect(paired.latencySeconds < apart.latencySeconds)
    }

    @Test func exactTanhAndTooDeepCellsAreNamedErrors() throws {
        #expect(throws: CostModelError.exactTanh(cell: 3)) {
            try Self.model.cost(of: ActivationPlan(parsing: "17*3,t,17*24"))
        }
        var profile = CostProfile.heaanFGb
        profile.parameters.levelsAfterBootstrap = 6
        profile.parameters.freshLevels = 6
        let shallow = CostModel(profile: profile)
        let error = #expect(throws: CostModelError.self) {
            try shallow.cost(of: ActivationPlan(parsing: "17*5,63,17*22"))
        }
        #expect(error == .cellTooDeep(cell: 5, degree: 63, depth: 7, available: 6))
        #expect(error?.description == "cell 5 (degree 63) needs 7 levels, more than the 6 available after a bootstrap")
    }

    /// A folded interval map saves its level from degree 3 on, only at the folded sites.
    @Test func foldedSitesTakeALevelLess() throws {
        var openfhe = CostModel(profile: .heaanFGb, depthRule: .openfhe)
        openfhe.foldedSites = Set(0..<14)
        let report = try openfhe.cost(of: ActivationPlan(parsing: "13*28"))
        #expect(report.depthPerCell == Array(repeating: 5, count: 14) + Array(repeating: 6, count: 14))
        #expect(openfhe.polynomialDepth(degree: 2, site: 0) == 3)
        #expect(openfhe.polynomialDepth(degree: 17, site: 3) == 5 && openfhe.polynomialDepth(degree: 17, site: 20) == 6)
        let graph = try CiphertextGraph(plan: ActivationPlan(parsing: "13*28"), model: openfhe)
        #expect(
            graph.operations.prefix(28).map(\.polynomialDepth) == Array(repeating: 4, count: 14)
                + Array(repeating: 5, count: 14))
    }

    @Test func openFHEDepthNeedsMoreBootstraps() throws {
        let openfhe = CostModel(profile: .heaanFGb, depthRule: .openfhe)
        let report = try openfhe.cost(of: ActivationPlan(parsing: "17*28"))
        #expect(report.depthPerCell.allSatisfy { $0 == 7 })
        #expect(report.bootstraps == 27)
        let sevens = try openfhe.cost(of: ActivationPlan(parsing: "7*28"))
        #expect(sevens.depthPerCell.allSatisfy { $0 == 6 })
        #expect(sevens.bootstraps == 27)
    }
}
