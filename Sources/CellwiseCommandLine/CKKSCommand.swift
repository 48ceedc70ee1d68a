import ArgumentParser
import Cellwise
import Foundation

struct CKKSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ckks",
        abstract: "Measure CKKS costs with OpenFHE and run a plan encrypted.",
        discussion: """
            Uses OpenFHE's Python package (CPython 3.10) in a virtual environment created on first use
            (.build/ckks-venv). Every context is 128-bit secure: OpenFHE checks the parameters against
            the HE standard (HEStd_128_classic) and picks the ring dimension (N = 65536 for the default
            9 levels between bootstraps). --insecure turns the check off for tests and timings at small
            rings; every line and file of such a run says INSECURE.

            Example:
              cellwise ckks probe --out configs/profiles/openfhe-local.toml
              cellwise ckks run --model results/models/paper-mnist5k.json --plan '17*28' --samples 1 \\
                --profile configs/profiles/openfhe-local.toml
            """,
        subcommands: [CKKSParametersCommand.self, CKKSProbeCommand.self, CKKSRunCommand.self])
}

struct CKKSParametersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parameters",
        abstract: "The ring dimension and modulus OpenFHE chooses for the parameters, and its security check.",
        discussion: """
            Makes the context without keys (seconds): the ring dimension OpenFHE picks for the depth
            at 128-bit security, log2 Q, and OpenFHE's verdict on the next smaller ring dimension.

            Example:
              cellwise ckks parameters --batch 64
              cellwise ckks parameters --levels 14 --json
            """)

    @OptionGroup var parameters: OpenFHEOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        Interruption.install()
        let settings = try parameters.settings()
        let choice = try OpenFHEParameterChoice.choose(
            bridge: try OpenFHEBridge { standardError($0) }, settings: settings)
        if json {
            try printJSON(choice)
            return
        }
        let label = settings.insecure ? "INSECURE (no security check): " : ""
        print(
            label
                + String(
                    format: "N = %d, log2 Q = %.0f, depth %d (%d levels between bootstraps + %d for a bootstrap + 1), "
                        + "%d slots (%d image(s) per ciphertext), level budget %@", choice.ringDimension, choice.logQ,
                    choice.depth, choice.levels, choice.bootstrapDepth, choice.slots, settings.batch,
                    choice.levelBudget.map(String.init).joined(separator: ",")))
        if let smaller = choice.smaller {
            print(
                "128-bit security checked by OpenFHE (\(choice.security)); N = \(smaller.ringDimension) "
                    + (smaller.accepted ? "would also be accepted" : "is refused: \(smaller.reason ?? "")"))
        } else {
            print(label + "security not checked")
        }
    }
}

struct CKKSProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Measure bootstrap, multiplications, rotation, addition and Chebyshev tanh level by level.",
        discussion: """
            Writes a cost profile (TOML, the cost model's format) and the raw timings beside it
            (<out>.raw.json). At N = 65536 this takes a few minutes.

            Example:
              cellwise ckks probe --out configs/profiles/openfhe-local.toml
              cellwise ckks probe --ring-dim 1024 --out /tmp/tiny.toml    # insecure, seconds
            """)

    @OptionGroup var parameters: OpenFHEOptions

    @Option(help: "Where to write the profile (.toml).")
    var out: String = "configs/profiles/openfhe-local.toml"

    @Option(parsing: .unconditional, help: "Timed repetitions per operation (medians).")
    var repetitions: Int = 3

    @Option(help: "Candidate degrees whose Chebyshev tanh is measured.")
    var degrees: String = "3,7,17"

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        let degreeList = try degrees.split(separator: ",").map { text -> Int in
            guard let d = Int(text), (1...Activation.maximumDegree).contains(d) else {
                throw ConfigurationError(key: "--degrees", problem: "\"\(text)\" is not a degree 1-63")
            }
            return d
        }
        Interruption.install()
        let settings = try parameters.settings()
        let bridge = try OpenFHEBridge { standardError($0) }
        let label = settings.insecure ? "INSECURE (no security check): " : ""
        standardError(
            label + "probing OpenFHE at N = \(settings.ringDimension.map(String.init) ?? "auto (128-bit secure)")...")
        let probe = try OpenFHEProbe.measure(
            bridge: bridge, settings: settings, degrees: degreeList, repetitions: repetitions)
        let name = URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let profile = try probe.profile(name: settings.insecure ? "\(name) (INSECURE)" : name)
        try AtomicFile.write(Data(profile.tomlText.utf8), to: out)
        try AtomicFile.write(try JSONEncoder.cellwise.encode(probe), to: out + ".raw.json")
        print(label + (probe.parameters?.securityDescription ?? "security not recorded"))
        print(
            label
                + String(
                    format:
                        "N = %d: %d levels after a bootstrap; bootstrap %.3f s; at the top level: multiplication "
                        + "%.4f s, plaintext multiplication %.4f s, rotation %.4f s, addition %.5f s",
                    probe.ringDimension, probe.levelsAfterBootstrap, probe.bootstrap, profile.costs.multiplication,
                    profile.costs.plaintextMultiplication, profile.costs.rotation, profile.costs.addition))
        for degree in degreeList {
            if let c = probe.chebyshev[String(degree)] {
                print(
                    label
                        + String(
                            format: "tanh degree %d: %.4f s, depth %d (cost model's openfhe rule: %d)", degree,
                            c.seconds,
                            c.depth,
                            DepthRule.openfhe.polynomialDepth(degree: degree)))
            }
        }
        print(label + "wrote \(out) and \(out).raw.json")
    }
}

struct CKKSRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan on test images under CKKS and compare with the cost model and the plaintext logits.",
        discussion: """
            Encrypts the first K test images, runs the SimpleRNN under CKKS with the plan's polynomials and
            the cost model's bootstrap placement (OpenFHE depth rule), decrypts, and reports the measured
            latency against the prediction with the probed profile, the largest logit difference from the
            plaintext evaluator, whether the predicted classes agree, and the accuracies.

            --batch B packs B images into one ciphertext. Each ciphertext's result is kept in the run's
            folder (--out) as soon as it is decrypted: the same command started again after an
            interruption computes only the missing ciphertexts, with the keys and inputs the first run
            serialized (in a private 0700 folder, removed when the run is done). --shard i/n computes
            ciphertexts i, i+n, ... only (other machines, or tools/ray/dispatch.py, compute the rest); the
            command without --shard then merges them and writes <out>/report.json.

            --fold-intervals folds each polynomial's map of its interval onto [-1, 1] into the weights
            (a level less per site): 256 images per ciphertext get level budget [3, 3] and 5 levels,
            enough for degree 13. --placement packed packs live values into one ciphertext before a
            bootstrap (stacked layers' states).

            Example:
              cellwise ckks run --model results/models/paper-mnist5k.json --plan '17*28' --samples 256 \\
                --batch 64 --profile configs/profiles/openfhe-n65536-secure-b64.toml
              cellwise ckks run --model results/models/paper-mnist5k.json --plan '13*28' --samples 256 \\
                --batch 256 --fold-intervals
              cellwise ckks run --model m.json --plan '7*28' --samples 2 --insecure --ring-dim 1024   # tests only
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The plan (polynomial degrees only).")
    var plan: String

    @Option(parsing: .unconditional, help: "Number of test images.")
    var samples: Int = 1

    @Option(help: "A profile from `cellwise ckks probe` at the same ring dimension (default: probe now, quickly).")
    var profile: String?

    @Option(
        help: ArgumentHelp(
            "Bootstrap placement (default: greedy for a one-layer SimpleRNN, ciphertexts otherwise; GRU, LSTM and "
                + "stacked models need ciphertexts or packed, which also packs live values into one before a "
                + "bootstrap)."))
    var placement: PlacementStrategy?

    @OptionGroup var parameters: OpenFHEOptions

    @Option(
        help: ArgumentHelp(
            "The run's folder: finished ciphertexts, the private keys while unfinished, report.json (default: "
                + "results/ckks/<model>-<images>x<batch>-<plan digest>)."))
    var out: String?

    @Option(help: "Compute only the ciphertexts k with k mod n = i (i/n); run without it to merge.")
    var shard: String?

    @Flag(
        help: ArgumentHelp(
            "Fold each polynomial's map of its interval onto [-1, 1] into the weights that make its argument "
                + "(one level less per site whose interval is the same in every cell; not an LSTM's tanh(c))."))
    var foldIntervals = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        if shard != nil, profile == nil {
            throw ValidationError("--shard needs --profile (every shard must predict with the same profile)")
        }
    }

    /// The default folder: one per model, images, batch and plan (folded and INSECURE when so).
    func folder(plan: ActivationPlan, settings: OpenFHESettings) -> String {
        let stem = URL(fileURLWithPath: model.model).deletingPathExtension().lastPathComponent
        let digest = SHA256.hex(of: [UInt8](plan.description.utf8)).prefix(8)
        return "results/ckks/\(stem)-\(samples)x\(settings.batch)-\(digest)" + (foldIntervals ? "-folded" : "")
            + (settings.insecure ? "-INSECURE" : "")
    }

    func run() throws {
        // Ctrl-C and SIGTERM stop the bridge (its whole process group) before Cellwise exits.
        Interruption.install()
        let context = try model.load()
        let parsed = try ActivationPlan(parsing: plan, layout: context.file.model.sites)
        // Never clamped: a count beyond the data is a mistake, said before anything is installed or probed.
        let available = context.dataset.test.count
        guard samples <= available else {
            throw ConfigurationError(
                key: "--samples",
                problem: "is \(samples), but the test split of \(context.file.metadata.dataset) has \(available) "
                    + "samples (give 1-\(available))")
        }
        // The model's window sets the slots (a probe for this run measures at them) and so the
        // level budget.
        var settings = try parameters.settings(window: EncryptedCircuit.window(for: context.file.model))
        let label = settings.insecure ? "INSECURE (no security check): " : ""
        let shard = try self.shard.map(Shard.init(parsing:)) ?? .all
        let folder = out ?? self.folder(plan: parsed, settings: settings)
        // A profile probed for this run is kept in its folder and reused when it resumes.
        let keptProfile = folder + "/profile.toml"
        let costProfile: CostProfile
        if let profile = profile ?? (FileManager.default.fileExists(atPath: keptProfile) ? keptProfile : nil) {
            costProfile = try CostProfile.named(profile)
            let measured = costProfile.parameters.ringDimension
            if let ring = settings.ringDimension, ring != measured {
                throw ConfigurationError(
                    key: "--profile", problem: "\(profile) was measured at N = \(measured), not \(ring)")
            }
            // The profile's ring dimension; OpenFHE still checks it against the security level.
            settings.ringDimension = measured
        } else {
            standardError(label + "no --profile: probing OpenFHE first")
            let probe = try OpenFHEProbe.measure(
                bridge: OpenFHEBridge { standardError($0) }, settings: settings, degrees: parsed.degrees,
                repetitions: 1)
            settings.ringDimension = probe.ringDimension
            costProfile = try probe.profile(name: "openfhe-\(probe.ringDimension)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(Data(costProfile.tomlText.utf8), to: keptProfile)
        }
        if costProfile.parameters.slots != settings.slots {
            standardError(
                label + "warning: \(costProfile.name) was measured at \(costProfile.parameters.slots) slots; "
                    + "\(settings.batch) image(s) of \(settings.window) slots per ciphertext use \(settings.slots) "
                    + "(bootstrap costs differ)")
        }
        let model = context.file.model
        let costModel = CostModel(profile: costProfile, depthRule: .openfhe, shapeOf: model)
        let placement =
            self.placement ?? (model.sites.isOneSimpleRNNLayer ? .greedy : .ciphertexts)
        standardError(
            label + "running \(parsed) on \(samples) encrypted image(s) at N = \(settings.ringDimension ?? 0) in "
                + folder)
        let outcome: EncryptedRun.Outcome
        do {
            outcome = try EncryptedRun.run(
                backend: OpenFHEBridge { standardError($0) }, model: context.file.model, split: context.dataset.test,
                plan: parsed, count: samples, approximations: context.approximations, costModel: costModel,
                placement: placement, settings: settings, folder: URL(fileURLWithPath: folder), shard: shard,
                foldIntervals: foldIntervals, progress: { standardError(label + $0) })
        } catch is Subprocess.Interrupted {
            // The bridge is gone (its group ended); what it finished is on disk, written atomically.
            standardError(
                label + "interrupted: the bridge was stopped; \(folder) keeps the finished ciphertexts (batches/) "
                    + "and the keys and inputs for the resume (private/, mode 0700, removed when the run completes); "
                    + "run the same command to continue")
            Foundation.exit(Interruption.exitStatus)
        }
        guard case .complete(let result) = outcome else {
            if case .partial(let done, let total) = outcome {
                if json {
                    try printJSON(ShardProgress(shard: shard.description, done: done, total: total))
                    return
                }
                print(
                    label + "shard \(shard): its ciphertexts are done; \(done) of \(total) in \(folder) "
                        + "(run without --shard to merge once all are)")
            }
            return
        }
        let report = EncryptedRunReport(
            result, profile: costProfile.name, model: self.model.model, modelSha256: context.file.fileSHA256,
            timeSteps: context.file.model.timeSteps)
        let encoder = JSONEncoder.cellwise
        try AtomicFile.write(try encoder.encode(report), to: folder + "/report.json")
        if json {
            try printJSON(report)
        } else {
            print(
                label
                    + String(
                        format: "plan %@ at N = %d, %d image(s), profile %@:", report.plan, report.ringDimension,
                        report.samples, report.profile))
            print(label + "  security: \(report.security) (OpenFHE \(report.openfhe))")
            if let diverged = report.divergedSamples {
                print(
                    label + "  warning: \(diverged) image(s) have logits that are not finite (written as null): the "
                        + "plan's polynomials leave their intervals there")
            }
            print(
                label
                    + String(
                        format:
                            "  latency: measured %.2f s per ciphertext of %d image(s) (median of %d; %.2f s per "
                            + "image), predicted %.2f s (%+.1f%%); bootstraps %d measured, %d predicted",
                        report.measuredSeconds, report.batch, report.ciphertexts, report.amortizedSeconds,
                        report.predictedSeconds,
                        100 * (report.measuredSeconds - report.predictedSeconds) / report.predictedSeconds,
                        report.measuredBootstraps, report.predictedBootstraps))
            print(
                label
                    + String(
                        format:
                            "  logits: largest difference from the plaintext evaluator %.2e; predicted classes "
                            + "agree on %d of %d",
                        report.largestLogitDifference, report.agreeingPredictions, report.samples))
            print(
                label
                    + String(
                        format: "  accuracy: encrypted %.4f, plaintext evaluator %.4f on the same %d image(s)",
                        report.encryptedAccuracy, report.plaintextAccuracy, report.samples))
            var throughput = String(
                format: "  per image: %.2f s (median over full ciphertexts)", report.secondsPerSample)
            if let core = report.coreSecondsPerSample { throughput += String(format: ", %.2f core-seconds", core) }
            throughput += String(format: "; %.2f bootstraps per time step", report.bootstrapsPerStep)
            print(label + throughput)
            var memory = String(format: "  key generation and set-up: %.1f s", report.setupSeconds)
            if let peak = report.peakMemoryGB { memory += String(format: "; peak memory %.1f GB", peak) }
            if let keys = report.keyGB { memory += String(format: ", keys %.1f GB serialized", keys) }
            print(label + memory)
            print(label + "  wrote \(folder)/report.json")
        }
    }
}

/// What `ckks run --shard --json` prints when other shards' ciphertexts are still missing.
struct ShardProgress: Encodable {
    var shard: String
    var done: Int
    var total: Int
}

struct EncryptedRunReport: Encodable {
    /// The model file and the SHA-256 of its bytes.
    var model: String
    var modelSha256: String?
    var plan: String
    var ringDimension: Int
    /// What OpenFHE checked ("128-bit security checked by OpenFHE ..." or "INSECURE: ...").
    var security: String
    var secure: Bool
    var openfhe: String
    var parameters: OpenFHEParameters
    var samples: Int
    var profile: String
    /// Median seconds per ciphertext (one encrypted inference of `batch` images).
    var measuredSeconds: Double
    /// All ciphertexts' seconds over the images.
    var amortizedSeconds: Double
    /// Median over the full ciphertexts of a ciphertext's seconds over its images.
    var secondsPerSample: Double
    /// Median over the full ciphertexts of CPU seconds (every core) per image; absent when not recorded.
    var coreSecondsPerSample: Double?
    /// Median bootstraps per ciphertext over the time steps.
    var bootstrapsPerStep: Double
    /// The largest peak resident memory of a computing process, and the serialized keys, in GB.
    var peakMemoryGB: Double?
    var keyGB: Double?
    var batch: Int
    var ciphertexts: Int
    /// Seconds of each ciphertext, in order.
    var ciphertextSeconds: [Double]
    /// Accuracy of the decrypted and of the plaintext logits on the same images.
    var encryptedAccuracy: Double
    var plaintextAccuracy: Double
    var predictedSeconds: Double
    var measuredBootstraps: Int
    var predictedBootstraps: Int
    /// Predicted bootstraps that refresh several values packed into one (`--placement packed`).
    var packedBootstraps: Int
    var largestLogitDifference: Double
    var agreeingPredictions: Int
    var setupSeconds: Double
    /// Logits, null where not finite (a polynomial driven far outside its interval diverges).
    var decryptedLogits: [[Double?]]
    var plaintextLogits: [[Double?]]
    /// Images whose decrypted or plaintext logits are not all finite (absent when none).
    var divergedSamples: Int?
    var labels: [Int]

    init(_ run: EncryptedRun, profile: String, model: String, modelSha256: String?, timeSteps: Int) {
        self.model = model
        self.modelSha256 = modelSha256
        plan = run.plan.description
        ringDimension = run.ringDimension
        security = run.parameters.securityDescription
        secure = run.parameters.isSecure
        openfhe = run.parameters.openfhe
        parameters = run.parameters
        samples = run.samples.count
        self.profile = profile
        measuredSeconds = run.measuredSeconds
        amortizedSeconds = run.amortizedSeconds
        secondsPerSample = run.secondsPerSample
        coreSecondsPerSample = run.coreSecondsPerSample
        bootstrapsPerStep = run.bootstrapsPerStep(timeSteps: timeSteps)
        peakMemoryGB = run.peakGB
        keyGB = run.keyGB
        batch = run.parameters.batch ?? 1
        ciphertexts = run.batches.count
        ciphertextSeconds = run.batches.map(\.seconds)
        let n = Double(max(1, run.samples.count))
        func argmax(_ values: [Double]) -> Int { values.indices.max { values[$0] < values[$1] } ?? 0 }
        encryptedAccuracy = Double(zip(run.samples, run.labels).filter { argmax($0.logits) == $1 }.count) / n
        plaintextAccuracy = Double(zip(run.plaintextLogits, run.labels).filter { argmax($0) == $1 }.count) / n
        predictedSeconds = run.prediction.latencySeconds
        measuredBootstraps = run.samples.map(\.bootstraps).max() ?? 0
        predictedBootstraps = run.prediction.bootstraps
        packedBootstraps = run.prediction.ciphertextPacks.count
        largestLogitDifference = run.largestLogitDifference
        agreeingPredictions = run.agreeingPredictions
        setupSeconds = run.setupSeconds
        func finite(_ rows: [[Double]]) -> [[Double?]] { rows.map { $0.map { $0.isFinite ? $0 : nil } } }
        decryptedLogits = finite(run.samples.map(\.logits))
        plaintextLogits = finite(run.plaintextLogits)
        let diverged = zip(decryptedLogits, plaintextLogits).filter { $0.contains(nil) || $1.contains(nil) }.count
        divergedSamples = diverged > 0 ? diverged : nil
        labels = run.labels
    }
}

/// The OpenFHE parameter options shared by `ckks probe` and `ckks run`: secure unless `--insecure`.
struct OpenFHEOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: "Ring dimension N (default: the smallest 128-bit secure one for the depth; with --insecure: required).")
    var ringDim: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Usable levels between bootstraps (default: 9, 7 or 5 with level budget 1, 2 or 3: depth 26 keeps "
                + "N = 65536)."))
    var levels: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Bootstrapping's level budget b (the transforms use [b, b]; default by slots per ciphertext, what "
                + "fits 24 GB: 1 up to 256, 2 up to 4,096, else 3)."))
    var levelBudget: Int?

    @Option(
        help: ArgumentHelp(
            "Secret distribution: uniform (ternary) or sparse (about 2x faster bootstraps; OpenFHE's check does not "
                + "model sparse secrets, so 128-bit security is not established)."))
    var secret: String = "uniform"

    @Flag(help: "Turn OpenFHE's security check off (timings and tests at small rings; labelled INSECURE).")
    var insecure = false

    @Option(parsing: .unconditional, help: "Bits of each scaling prime.")
    var scalingBits: Int = 50

    @Option(parsing: .unconditional, help: "Bits of the first prime.")
    var firstBits: Int = 55

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Images per ciphertext (a power of two; SIMD packing in window x batch slots, the window 64 for "
                + "the shipped models; 512 of them fill N = 65536)."))
    var batch: Int = 1

    /// The bridge settings for images of `window` slots (the level budget follows the slots).
    func settings(window: Int = 64) throws -> OpenFHESettings {
        var settings = OpenFHESettings()
        settings.ringDimension = ringDim
        settings.window = window
        let budget = levelBudget ?? OpenFHESettings.levelBudget(forSlots: window * batch)
        guard (1...6).contains(budget) else {
            throw ConfigurationError(key: "--level-budget", problem: "must be 1-6")
        }
        settings.levelBudget = [budget, budget]
        settings.levels = levels ?? OpenFHESettings.levels(forLevelBudget: budget)
        settings.secret = secret
        settings.insecure = insecure
        guard (20...60).contains(scalingBits), (20...60).contains(firstBits) else {
            throw ConfigurationError(key: "--scaling-bits/--first-bits", problem: "must be 20-60")
        }
        settings.scalingBits = scalingBits
        settings.firstBits = firstBits
        settings.batch = batch
        try settings.validate()
        return settings
    }
}
