import CellwiseCKKS
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
        /// CPU seconds (all threads of the process that computed it; nil when not recorded).
        public var cpuSeconds: Double?
        /// That process's peak resident memory, in GB (nil when not recorded).
        public var peakGB: Double?
        /// Its serialized keys' size, in GB (nil when not recorded).
        public var keyGB: Double?
    }

    /// The plan.
    public var plan: ActivationPlan
    /// The ring dimension used.
    public var ringDimension: Int
    /// The context's parameters and the security level OpenFHE checked them against.
    public var parameters: OpenFHEParameters
    /// Key generation (or reading) and set-up seconds: the median over the processes that ran batches.
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

    /// The ciphertexts that hold a full batch (every one when none does, e.g. fewer images than a batch).
    var fullBatches: [Batch] {
        let most = batches.map(\.images).max() ?? 0
        return batches.filter { $0.images == most }
    }

    /// Median seconds per sample over the full ciphertexts: a ciphertext's seconds over its images
    /// (a last, partly filled ciphertext costs the same and would count its few images dear).
    public var secondsPerSample: Double { fullBatches.map { $0.seconds / Double(max(1, $0.images)) }.median }

    /// Median CPU seconds per sample over the full ciphertexts (every core the process used; nil
    /// when a batch did not record them).
    public var coreSecondsPerSample: Double? {
        let values = fullBatches.compactMap { batch in batch.cpuSeconds.map { $0 / Double(max(1, batch.images)) } }
        return values.count == fullBatches.count && !values.isEmpty ? values.median : nil
    }

    /// Median bootstraps per time step (per ciphertext, every layer and pass of the step together).
    public func bootstrapsPerStep(timeSteps: Int) -> Double {
        batches.map { Double($0.bootstraps) }.median / Double(max(1, timeSteps))
    }

    /// The largest peak resident memory of the processes that computed the ciphertexts, in GB.
    public var peakGB: Double? { batches.compactMap(\.peakGB).max() }

    /// The serialized keys' size, in GB (the largest recorded).
    public var keyGB: Double? { batches.compactMap(\.keyGB).max() }

    /// Largest |decrypted - plaintext| logit over the images whose logits are all finite.
    public var largestLogitDifference: Double {
        zip(samples, plaintextLogits).filter { finite($0.logits) && finite($1) }
            .flatMap { zip($0.logits, $1).map { abs($0 - $1) } }.max() ?? 0
    }

    /// Images whose decrypted and plaintext logits are finite and predict the same class.
    public var agreeingPredictions: Int {
        zip(samples, plaintextLogits).filter { finite($0.logits) && finite($1) && argmax($0.logits) == argmax($1) }
            .count
    }

    private func finite(_ values: [Double]) -> Bool { values.allSatisfy(\.isFinite) }

    private func argmax(_ values: [Double]) -> Int { values.indices.max { values[$0] < values[$1] } ?? 0 }

    /// What a call of `run` left: the whole run, or (a shard, or batches still missing) how far
    /// the folder is.
    public enum Outcome: Sendable {
        /// Every batch is done.
        case complete(EncryptedRun)
        /// Batches done of the total (the rest belong to other shards).
        case partial(done: Int, total: Int)
    }

    /// Runs `plan` on the first `count` images of `split` under CKKS, `settings.batch` images per
    /// ciphertext, keeping each finished ciphertext in `folder` (see ``EncryptedRunFolder``). Any
    /// cell the plaintext evaluator runs (SimpleRNN, GRU, LSTM, stacked, bidirectional) at any width:
    /// each image gets the model's window of slots (``EncryptedCircuit/window(for:)``; `settings.window`
    /// is set to it); the circuit is ``EncryptedCircuit``'s.
    ///
    /// Started again with the same folder, it computes only the batches not yet done, with the
    /// keys and input ciphertexts serialized by the interrupted run. The shard's plaintext job,
    /// keys and inputs live in a 0700 folder that is removed when the shard's batches are done.
    ///
    /// - Parameters:
    ///   - backend: What computes the ciphertexts (OpenFHE's bridge), made only when one is left to
    ///     compute (a finished
    ///     run's report needs no OpenFHE environment).
    ///   - count: Test images to run (at most the split's; more is refused, never clamped).
    ///   - costModel: The profile (probed at the same ring dimension) and the depth rule (OpenFHE's).
    ///   - placement: Where bootstraps go (``PlacementStrategy/ciphertexts`` for gated or stacked models).
    ///   - folder: The run's folder (nil: a temporary one, removed afterwards: no resume).
    ///   - shard: The batches to compute here (batch k belongs to shard k mod n).
    ///   - foldIntervals: Fold each polynomial's map of its interval onto [-1, 1] into the weights
    ///     where ``EncryptedCircuit/foldableSites(model:plan:approximations:)`` allows (a level less
    ///     per such site), and price the plan so.
    ///   - progress: Receives a line when the keys are ready and when a batch is done.
    public static func run(
        backend: @autoclosure () throws -> any EncryptedBackend, model: RecurrentModel, split: DataSplit,
        plan: ActivationPlan,
        count: Int,
        approximations: ApproximationLibrary, costModel: CostModel, placement: PlacementStrategy,
        settings: OpenFHESettings = OpenFHESettings(), folder: URL? = nil, shard: Shard = .all,
        foldIntervals: Bool = false, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> Outcome {
        var settings = settings
        settings.window = EncryptedCircuit.window(for: model)
        try settings.validate()
        // Gated and stacked models have many weight matrices: the bridge then encrypts the inputs at
        // the level a bootstrap returns, so that the weights' plaintexts need only that level's
        // towers, and fresh ciphertexts have the levels of a bootstrapped one.
        let lowInputs = EncryptedCircuit.inputsAtBootstrapLevel(for: model)
        var costModel = EncryptedCircuit.pricing(costModel, for: model)
        if foldIntervals {
            costModel.foldedSites = try EncryptedCircuit.foldableSites(
                model: model, plan: plan, approximations: approximations)
        }
        let prediction = try costModel.cost(of: plan, placement: placement)
        let circuit = try EncryptedCircuit(model: model, plan: plan, costModel: costModel, prediction: prediction)
        guard (1...split.count).contains(count) else {
            throw ConfigurationError(
                key: "--samples",
                problem: "is \(count); the \(split.name) split has \(split.count) samples (give 1-\(split.count))")
        }
        let n = count
        let width = model.inputSize * model.timeSteps
        let inputs = try model.input.apply(to: split, timeSteps: model.timeSteps, featureCount: model.inputSize)
        var images = [[Float]]()
        for i in 0..<n { images.append(Array(inputs[(i * width)..<((i + 1) * width)])) }
        let jobData = try circuit.job(
            model: model, plan: plan, approximations: approximations, images: images,
            inputsAtBootstrapLevel: lowInputs
        ).encoded()
        let temporary = folder == nil
        let url =
            folder
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("cellwise-ckks-\(UUID().uuidString)")
        defer { if temporary { try? FileManager.default.removeItem(at: url) } }
        let runFolder = try EncryptedRunFolder(
            url: url,
            description: [
                "job": SHA256.hex(of: [UInt8](jobData)), "plan": plan.description, "images": String(n),
                "batch": String(settings.batch), "parameters": settings.arguments.joined(separator: " "),
                "security": settings.insecure ? "INSECURE (no security check)" : "128-bit (HEStd_128_classic)",
            ])
        let total = (n + settings.batch - 1) / settings.batch
        let mine = (0..<total).filter { shard.contains(index: $0) }
        let missing = mine.filter { !FileManager.default.fileExists(atPath: runFolder.batchURL($0).path) }
        if !missing.isEmpty {
            let work = try runFolder.privateURL(for: shard)
            let jobFile = work.appendingPathComponent("job.json")
            guard
                FileManager.default.createFile(
                    atPath: jobFile.path, contents: jobData, attributes: [.posixPermissions: 0o600])
            else { throw DataError(jobFile.path, "cannot be written", reason: .unwritable) }
            progress(
                "\(missing.count) of \(total) ciphertext(s) to compute"
                    + (shard == .all ? "" : " in shard \(shard)") + " (\(settings.batch) image(s) each)")
            try backend().compute(
                job: jobFile, batches: missing, options: settings.arguments, work: work, results: runFolder.batchesURL,
                progress: progress)
        }
        let records = try runFolder.records(count: total)
        if mine.allSatisfy({ records[$0] != nil }) { runFolder.removePrivate(for: shard) }
        guard records.count == total else { return .partial(done: records.count, total: total) }
        runFolder.removeAllPrivate()
        let ordered = (0..<total).compactMap { records[$0] }
        let parameters = ordered[0].parameters
        if let other = ordered.first(where: { $0.parameters.withoutVersion != parameters.withoutVersion }) {
            throw DataError(
                runFolder.batchURL(other.batch).path,
                "was computed with other parameters than batch 0 (N = \(other.parameters.ringDimension), "
                    + "\(other.parameters.security)); delete it to compute it again", reason: .conflict)
        }
        var samples = [Sample]()
        for record in ordered {
            samples += record.logits.map { Sample(logits: $0, seconds: record.seconds, bootstraps: record.bootstraps) }
        }
        guard samples.count == n else {
            throw DataError(runFolder.batchesURL.path, "holds \(samples.count) images' results, not \(n)")
        }
        // The plaintext reference: the same plan on the same images with the Float32 evaluator.
        let subset = DataSplit(
            name: split.name, features: Array(split.features.prefix(n * split.timeSteps * split.featureCount)),
            labels: Array(split.labels.prefix(n)), timeSteps: split.timeSteps, featureCount: split.featureCount,
            classCount: split.classCount, lengths: Array(split.lengths.prefix(n)))
        let evaluator = try PlanEvaluator(model: model, split: subset, approximations: approximations, cachedPlans: 0)
        let logits = try evaluator.logits(of: plan)
        let plain = (0..<n).map { i in (0..<model.classes).map { Double(logits[i * model.classes + $0]) } }
        return .complete(
            EncryptedRun(
                plan: plan, ringDimension: parameters.ringDimension, parameters: parameters,
                setupSeconds: ordered.map(\.setupSeconds).median,
                samples: samples,
                batches: ordered.map {
                    Batch(
                        images: $0.logits.count, seconds: $0.seconds, bootstraps: $0.bootstraps,
                        cpuSeconds: $0.cpuSeconds, peakGB: $0.peakGb, keyGB: $0.keyGb)
                },
                prediction: prediction, plaintextLogits: plain, labels: subset.labels.map(Int.init)))
    }

}

extension OpenFHEParameters {
    /// The parameters apart from the package version (batches computed on machines with another
    /// build of the same release still merge).
    fileprivate var withoutVersion: OpenFHEParameters {
        var copy = self
        copy.openfhe = ""
        return copy
    }
}
