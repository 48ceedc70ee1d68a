import CellwiseCore
import Foundation

/// A plan run under real CKKS encryption (OpenFHE) on test images, against the cost model's
/// prediction and the plaintext evaluator's logits.
public struct EncryptedRun: Sendable {
    /// What was measured for one image.
    public struct Sample: Codable, Sendable {
        /// Decrypted logits.
        public var logits: [Double]
        /// Seconds of homomorphic computation (encryption and decryption excluded).
        public var seconds: Double
        /// Bootstraps performed.
        public var bootstraps: Int
    }

    /// What was measured for one ciphertext (a batch of images).
    public struct Batch: Codable, Sendable {
        /// Images packed in it.
        public var images: Int
        /// Seconds of homomorphic computation for the whole ciphertext.
        public var seconds: Double
        /// Bootstraps performed.
        public var bootstraps: Int
    }

    private struct Output: Codable {
        var ringDimension: Int
        var setupSeconds: Double
        var samples: [Sample]
        var batches: [Batch]
        var parameters: OpenFHEParameters
    }

    /// The plan.
    public var plan: ActivationPlan
    /// The ring dimension used.
    public var ringDimension: Int
    /// The context's parameters and the security level OpenFHE checked them against.
    public var parameters: OpenFHEParameters
    /// Key generation and set-up seconds.
    public var setupSeconds: Double
    /// Per image (an image's seconds are its ciphertext's).
    public var samples: [Sample]
    /// Per ciphertext.
    public var batches: [Batch]
    /// The cost model's report for the plan (profile, placement, depth rule).
    public var prediction: CostReport
    /// The plaintext evaluator's logits for the same images (Float32, same polynomials).
    public var plaintextLogits: [[Double]]
    /// The images' labels.
    public var labels: [Int]

    /// Median measured seconds per ciphertext (the latency of one encrypted inference).
    public var measuredSeconds: Double { batches.map(\.seconds).median }

    /// Measured seconds per image: all ciphertexts' seconds over the images.
    public var amortizedSeconds: Double {
        batches.map(\.seconds).reduce(0, +) / Double(max(1, samples.count))
    }

    /// Largest |decrypted - plaintext| logit.
    public var largestLogitDifference: Double {
        zip(samples, plaintextLogits).flatMap { zip($0.logits, $1).map { abs($0 - $1) } }.max() ?? 0
    }

    /// Images whose decrypted and plaintext logits predict the same class.
    public var agreeingPredictions: Int {
        zip(samples, plaintextLogits).filter { argmax($0.logits) == argmax($1) }.count
    }

    private func argmax(_ values: [Double]) -> Int { values.indices.max { values[$0] < values[$1] } ?? 0 }

    /// Runs `plan` on the first `count` images of `split` under CKKS.
    ///
    /// - Parameters:
    ///   - costModel: The profile (probed at the same ring dimension) and the depth rule (OpenFHE's).
    public static func run(
        bridge: OpenFHEBridge, model: RecurrentModel, split: DataSplit, plan: ActivationPlan, count: Int,
        approximations: ApproximationLibrary, costModel: CostModel, placement: PlacementStrategy,
        settings: OpenFHESettings = OpenFHESettings()
    ) throws -> EncryptedRun {
        try settings.validate()
        guard approximations.lower == -approximations.upper else {
            throw ConfigurationError(key: "--interval", problem: "encrypted runs need a symmetric interval [-B, B]")
        }
        guard model.cell == .simpleRNN, model.layers.count == 1 else {
            throw ConfigurationError(
                key: "model",
                problem: "is a \(model.layers.count)-layer \(model.cell.name); encrypted runs support the one-layer "
                    + "SimpleRNN so far")
        }
        let layer = model.layers[0]
        let prediction = try costModel.cost(of: plan, placement: placement)
        let boots = Set(prediction.schedule.bootstrapBefore)
        let n = min(count, split.count)
        let width = model.inputSize * model.timeSteps
        let inputs = try model.input.apply(to: split, timeSteps: model.timeSteps, featureCount: model.inputSize)
        var images = [[Float]]()
        for i in 0..<n { images.append(Array(inputs[(i * width)..<((i + 1) * width)])) }
        let cells: [[String: Any]] = try plan.activations.enumerated().map { index, activation in
            guard let degree = activation.degree else { throw CostModelError.exactTanh(cell: index) }
            return [
                "chebyshev": try approximations.polynomial(degree: degree).chebyshevCoefficients,
                "bootstrap_before": boots.contains(index),
            ]
        }
        let job: [String: Any] = [
            "units": model.units, "input_size": model.inputSize, "classes": model.classes,
            "interval": [approximations.lower, approximations.upper],
            "weights": [
                "input_kernel": layer.kernel.map(Double.init),
                "recurrent_kernel": layer.recurrentKernel.map(Double.init),
                "bias": layer.bias.map(Double.init), "dense_kernel": model.denseKernel.map(Double.init),
                "dense_bias": model.denseBias.map(Double.init),
            ],
            "cells": cells, "dense_bootstrap_before": boots.contains(plan.count),
            "images": images.map { $0.map(Double.init) },
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cellwise-ckks-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: job).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try bridge.run(["run"] + settings.arguments + ["--input", file.path], as: Output.self)
        // The plaintext reference: the same plan on the same images with the Float32 evaluator.
        let subset = DataSplit(
            name: split.name, features: Array(split.features.prefix(n * split.timeSteps * split.featureCount)),
            labels: Array(split.labels.prefix(n)), timeSteps: split.timeSteps, featureCount: split.featureCount,
            classCount: split.classCount, lengths: Array(split.lengths.prefix(n)))
        let evaluator = try PlanEvaluator(model: model, split: subset, approximations: approximations, cachedPlans: 0)
        let logits = try evaluator.logits(of: plan)
        let plain = (0..<n).map { i in (0..<model.classes).map { Double(logits[i * model.classes + $0]) } }
        return EncryptedRun(
            plan: plan, ringDimension: output.ringDimension, parameters: output.parameters,
            setupSeconds: output.setupSeconds,
            samples: output.samples, batches: output.batches, prediction: prediction, plaintextLogits: plain,
            labels: subset.labels.map(Int.init))
    }
}
