import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCKKS

@Suite struct CalibrationTests {
    @Test func table4ReproducesTheHeaanPreset() throws {
        let file = CostProfileTests.configs.appendingPathComponent("measurements/paper-table4.toml").path
        let measurements = try LatencyMeasurement.read(file)
        #expect(measurements == LatencyMeasurement.paperTable4)
        let result = try Calibration.fit(
            base: .heaanFGbUncalibrated, measurements: measurements, depthRule: .ideal, placement: .greedy)
        #expect(abs(result.profile.costs.bootstrap - CostProfile.heaanFGb.costs.bootstrap) < 1e-9)
        #expect(result.profile.costs.rotation == CostProfile.heaanFGb.costs.rotation)
        #expect(result.bootstraps == [27, 25])
        for (predicted, measured) in zip(result.predictions, measurements) {
            #expect(abs(predicted - measured.seconds) / measured.seconds < 0.01)
        }
        // Calibrating the calibrated preset again changes nothing.
        let again = try Calibration.fit(
            base: .heaanFGb, measurements: measurements, depthRule: .ideal, placement: .greedy)
        #expect(abs(again.profile.costs.bootstrap - CostProfile.heaanFGb.costs.bootstrap) < 1e-9)
    }

    @Test func table4CannotFitAPositiveOperationScale() {
        let error = #expect(throws: ConfigurationError.self) {
            try Calibration.fit(
                base: .heaanFGbUncalibrated, measurements: LatencyMeasurement.paperTable4, free: .all,
                depthRule: .ideal, placement: .greedy)
        }
        #expect(error?.problem.contains("bootstraps alone") == true)
    }

    /// Measurements made by a known profile are fitted back exactly, for both placements.
    @Test(arguments: PlacementStrategy.allCases)
    func recoversAKnownProfile(placement: PlacementStrategy) throws {
        var truth = CostProfile.heaanFGbUncalibrated
        truth.costs = .init(
            bootstrap: 12.5, multiplication: 0.3, plaintextMultiplication: 0.03, rotation: 0.28, addition: 0.004)
        let model = CostModel(profile: truth)
        let plans = try ["17*28", "7*28", "3*28", "3*10,17*18", "7*4,17*24"].map { try ActivationPlan(parsing: $0) }
        let measurements = try plans.map {
            LatencyMeasurement(plan: $0, seconds: try model.cost(of: $0, placement: placement).latencySeconds)
        }
        let result = try Calibration.fit(
            base: .heaanFGbUncalibrated, measurements: measurements, free: .all,
            depthRule: .ideal, placement: placement)
        #expect(abs(result.profile.costs.bootstrap - 12.5) < 1e-6)
        #expect(abs(result.profile.costs.multiplication - 0.3) < 1e-8)
        #expect(result.profile.calibration?.maximumRelativeResidual ?? 1 < 1e-9)
    }

    @Test func badMeasurementFilesAreNamedErrors() throws {
        let directory = try TestData.directory()
        func error(_ text: String) throws -> String {
            let path = try TestData.write(Array(text.utf8), to: "m.toml", in: directory)
            let error = #expect(throws: ConfigurationError.self) { try LatencyMeasurement.read(path) }
            return error?.description ?? ""
        }
        #expect(try error("[[measurement]]\nplan = \"17*28\"\nseconds = -1\n").contains("measurement[0].seconds"))
        #expect(try error("[[measurement]]\nplan = \"17*0\"\nseconds = 3\n").contains("repeat count"))
        #expect(
            try error("[[measurement]]\nplan = \"17*28\"\nsecond = 3\n").contains("measurement[0].seconds: is missing"))
        #expect(
            try error("[[measurement]]\nplan = \"17*28\"\nseconds = 3\nextra = 1\n").contains(
                "measurement[0].extra: unknown key"))
    }
}
