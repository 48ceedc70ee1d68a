import CellwiseCKKS
import CellwiseCore
import Testing

@testable import CellwiseOpenFHE

/// The throughput figures of an encrypted run's report: per sample over full ciphertexts only,
/// core-seconds only when every full ciphertext recorded them.
@Suite struct EncryptedRunTests {
    static func run(batches: [EncryptedRun.Batch]) throws -> EncryptedRun {
        let plan = try ActivationPlan(parsing: "17*28")
        let prediction = try CostModel(profile: .heaanFGb).cost(of: plan, placement: .greedy)
        let samples = batches.flatMap { batch in
            (0..<batch.images).map { _ in
                EncryptedRun.Sample(logits: [0, 1], seconds: batch.seconds, bootstraps: batch.bootstraps)
            }
        }
        let parameters = OpenFHEParameters(
            ringDimension: 1024, security: "none", secret: "uniform", logQ: 0, depth: 0, bootstrapDepth: 0,
            scalingBits: 50, firstModulusBits: 55, levelBudget: [1, 1], digits: 4, correctionFactor: 6, slots: 64,
            batch: 64, openfhe: "test")
        return EncryptedRun(
            plan: plan, ringDimension: 1024, parameters: parameters, setupSeconds: 1, samples: samples,
            batches: batches, prediction: prediction, plaintextLogits: samples.map(\.logits),
            labels: samples.map { _ in 1 })
    }

    @Test func perSampleFiguresLeaveOutAPartlyFilledCiphertext() throws {
        let run = try Self.run(batches: [
            .init(images: 64, seconds: 100, bootstraps: 28, cpuSeconds: 190, peakGB: 17.5, keyGB: 9.1),
            .init(images: 64, seconds: 120, bootstraps: 30, cpuSeconds: 230, peakGB: 18.25, keyGB: 9.1),
            .init(images: 10, seconds: 90, bootstraps: 28, cpuSeconds: 170, peakGB: 16, keyGB: 9.1),
        ])
        #expect(abs(run.secondsPerSample - 110.0 / 64) < 1e-12)
        #expect(abs(try #require(run.coreSecondsPerSample) - 210.0 / 64) < 1e-12)
        // The total over the images counts the last ciphertext's 10 images at its full price.
        #expect(abs(run.amortizedSeconds - 310.0 / 138) < 1e-12)
        #expect(run.bootstrapsPerStep(timeSteps: 28) == 1)
        #expect(run.peakGB == 18.25 && run.keyGB == 9.1)
    }

    @Test func coreSecondsNeedEveryFullCiphertextsRecord() throws {
        let run = try Self.run(batches: [
            .init(images: 4, seconds: 8, bootstraps: 3, cpuSeconds: 15),
            .init(images: 4, seconds: 10, bootstraps: 4),
        ])
        #expect(run.coreSecondsPerSample == nil)
        #expect(run.peakGB == nil && run.keyGB == nil)
        #expect(run.secondsPerSample == 2.25)
        #expect(run.bootstrapsPerStep(timeSteps: 7) == 0.5)
    }
}
