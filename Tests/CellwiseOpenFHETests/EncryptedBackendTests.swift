import CellwiseCKKS
import CellwiseCore
import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseOpenFHE

/// An encrypted run is backend-agnostic: the run folder, resume, merge and the plaintext
/// reference work with any ``EncryptedBackend``. Here a backend that is not OpenFHE (the NumPy
/// slot simulator, tools/ckks/simulate.py, standing in for another library) computes the batches.
@Suite struct EncryptedBackendTests {
    /// Computes batches with `simulate.py` (no encryption) and writes the records the OpenFHE
    /// bridge writes.
    struct SimulatedBackend: EncryptedBackend {
        let python: String
        let calls = Counter()

        final class Counter: @unchecked Sendable {
            var batches = [Int]()
        }

        func compute(
            job: URL, batches: [Int], options: [String], work: URL, results: URL,
            progress: @escaping @Sendable (String) -> Void
        ) throws {
            let batch = options.firstIndex(of: "--batch").flatMap { Int(options[$0 + 1]) } ?? 1
            let script = TestData.repositoryRoot.appendingPathComponent("tools/ckks/simulate.py").path
            let output = try Processes.output(of: python, [script, "--input", job.path, "--batch", "\(batch)"])
            let decoded = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            guard let logits = decoded?["logits"] as? [[Double]] else {
                throw DataError(script, "no logits", reason: .external)
            }
            try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
            let parameters: [String: Any] = [
                "ring_dimension": 0, "security": "none", "secret": "none", "log_q": 0, "depth": 0,
                "bootstrap_depth": 0, "scaling_bits": 0, "first_modulus_bits": 0, "level_budget": [0, 0],
                "digits": 0, "correction_factor": 0, "slots": 64 * batch, "batch": batch, "openfhe": "simulated",
            ]
            for k in batches {
                let record: [String: Any] = [
                    "batch": k, "first_image": k * batch,
                    "logits": Array(logits[(k * batch)..<min((k + 1) * batch, logits.count)]),
                    "seconds": 0.0, "bootstraps": 0, "setup_seconds": 0.0, "keys_read": false, "parameters": parameters,
                ]
                try JSONSerialization.data(withJSONObject: record).write(
                    to: results.appendingPathComponent(String(format: "batch-%04d.json", k)))
                calls.batches.append(k)
                progress("batch \(k) simulated")
            }
        }
    }

    static var python: String? { TestData.python }

    @Test(
        .enabled(
            if: Self.python != nil || ProcessInfo.processInfo.environment["CELLWISE_REQUIRE_ALL_TESTS"] == "1",
            "needs the Python of make test (NumPy, jsonschema)"),
        arguments: [RecurrentCell.gru(resetAfter: true), TestCells.minimalGatedUnit])
    func aRunCompletesWithAnotherBackend(cell: RecurrentCell) throws {
        let model = ReferenceRecurrence.randomModel(cell: cell, units: [4], timeSteps: 4)
        let (inputs, labels) = ReferenceRecurrence.randomInputs(for: model, count: 5)
        let split = DataSplit(
            name: .test, features: inputs, labels: labels, timeSteps: model.timeSteps, featureCount: model.inputSize,
            classCount: model.classes)
        var settings = OpenFHESettings()
        settings.insecure = true
        settings.ringDimension = 1024
        settings.batch = 2
        let backend = SimulatedBackend(python: try #require(Self.python))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try EncryptedRun.run(
            backend: backend, model: model, split: split,
            plan: ActivationPlan(uniform: .polynomial(degree: 3), layout: model.sites), count: 5,
            approximations: try ApproximationLibrary(), costModel: CostModel(profile: .heaanFGb, shapeOf: model),
            placement: .ciphertexts, settings: settings, folder: folder)
        guard case .complete(let run) = outcome else {
            Issue.record("the run is not complete: \(outcome)")
            return
        }
        #expect(backend.calls.batches == [0, 1, 2])
        #expect(run.samples.count == 5 && run.batches.count == 3)
        #expect(run.agreeingPredictions == 5)
        #expect(run.largestLogitDifference < 1e-4, "\(run.largestLogitDifference)")
        // Started again, the folder holds every batch: the backend is not called.
        let again = try EncryptedRun.run(
            backend: backend, model: model, split: split,
            plan: ActivationPlan(uniform: .polynomial(degree: 3), layout: model.sites), count: 5,
            approximations: try ApproximationLibrary(), costModel: CostModel(profile: .heaanFGb, shapeOf: model),
            placement: .ciphertexts, settings: settings, folder: folder)
        if case .complete = again {} else { Issue.record("the second run is not complete") }
        #expect(backend.calls.batches == [0, 1, 2])
    }
}
