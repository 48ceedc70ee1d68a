import ArgumentParser
import Cellwise
import Foundation

struct CKKSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ckks",
        abstract: "Measure CKKS costs with OpenFHE and run a plan encrypted.",
        discussion: """
            Uses OpenFHE's Python package (CPython 3.10) in a virtual environment created on first use
            (.build/ckks-venv). By default OpenFHE's security check is off (--security none): the
            timings are real, the encryption protects nothing; --security 128 enforces 128-bit security
            (N = 131072 for these parameters).

            Example:
              cellwise ckks probe --out configs/profiles/openfhe-local.toml
              cellwise ckks run --model results/models/paper-mnist5k.json --plan '17*28' --samples 1 \\
                --profile configs/profiles/openfhe-local.toml
            """,
        subcommands: [CKKSProbeCommand.self, CKKSRunCommand.self])
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

    @Option(parsing: .unconditional, help: "Ring dimension N (65536 is secure; smaller is for tests).")
    var ringDim: Int = 65536

    @Option(parsing: .unconditional, help: "Levels requested between bootstraps (the probe measures what is usable).")
    var levels: Int = 8

    @Option(
        help: ArgumentHelp(
            "none (no security check: timings and tests) or 128 (OpenFHE enforces 128-bit security; needs N = 131072 "
                + "here).")
    )
    var security: String = "none"

    @Option(help: "Where to write the profile (.toml).")
    var out: String = "configs/profiles/openfhe-local.toml"

    @Option(parsing: .unconditional, help: "Timed repetitions per operation (medians).")
    var repetitions: Int = 3

    @Option(help: "Candidate degrees whose Chebyshev tanh is measured.")
    var degrees: String = "3,7,17"

    func validate() throws {
        guard ringDim >= 256, ringDim & (ringDim - 1) == 0 else {
            throw ValidationError("--ring-dim must be a power of two >= 256")
        }
        guard (1...60).contains(levels) else { throw ValidationError("--levels must be 1-60") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard ["none", "128"].contains(security) else { throw ValidationError("--security must be none or 128") }
    }

    func run() throws {
        let degreeList = try degrees.split(separator: ",").map { text -> Int in
            guard let d = Int(text), (1...Activation.maximumDegree).contains(d) else {
                throw ConfigurationError(key: "--degrees", problem: "\"\(text)\" is not a degree 1-63")
            }
            return d
        }
        let bridge = try OpenFHEBridge { standardError($0) }
        if security == "none" {
            standardError(
                "security level not enforced (--security none): the timings are real, the encryption is for tests only")
        }
        standardError("probing OpenFHE at N = \(ringDim)...")
        var settings = OpenFHESettings()
        settings.levels = levels
        settings.security = security
        let probe = try OpenFHEProbe.measure(
            bridge: bridge, ringDimension: ringDim, settings: settings, degrees: degreeList,
            repetitions: repetitions)
        let name = URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let profile = try probe.profile(name: name)
        try AtomicFile.write(Data(profile.tomlText.utf8), to: out)
        try AtomicFile.write(try JSONEncoder.cellwise.encode(probe), to: out + ".raw.json")
        print(
            String(
                format:
                    "N = %d: %d levels after a bootstrap; bootstrap %.3f s; at the top level: multiplication %.4f s, "
                    + "plaintext multiplication %.4f s, rotation %.4f s, addition %.5f s",
                probe.ringDimension, probe.levelsAfterBootstrap, probe.bootstrap, profile.costs.multiplication,
                profile.costs.plaintextMultiplication, profile.costs.rotation, profile.costs.addition))
        for degree in degreeList {
            if let c = probe.chebyshev[String(degree)] {
                print(
                    String(
                        format: "tanh degree %d: %.4f s, depth %d (cost model's openfhe rule: %d)", degree, c.seconds,
                        c.depth,
                        DepthRule.openfhe.polynomialDepth(degree: degree)))
            }
        }
        print("wrote \(out) and \(out).raw.json")
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
            plaintext evaluator, and whether the predicted classes agree.

            Example:
              cellwise ckks run --model results/models/paper-mnist5k.json --plan '17*28' --samples 1 \\
                --profile configs/profiles/openfhe-local.toml
              cellwise ckks run --model m.json --plan '7*28' --samples 2 --ring-dim 1024   # insecure test
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The plan (polynomial degrees only).")
    var plan: String

    @Option(parsing: .unconditional, help: "Number of test images.")
    var samples: Int = 1

    @Option(parsing: .unconditional, help: "Ring dimension N.")
    var ringDim: Int = 65536

    @Option(help: "A profile from `cellwise ckks probe` at the same ring dimension (default: probe now, quickly).")
    var profile: String?

    @Option(help: "Bootstrap placement.")
    var placement: PlacementStrategy = .greedy

    @Option(parsing: .unconditional, help: "Levels requested between bootstraps (as given to `ckks probe`).")
    var levels: Int = 8

    @Option(help: "none or 128 (as given to `ckks probe`).")
    var security: String = "none"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard ["none", "128"].contains(security) else { throw ValidationError("--security must be none or 128") }
        guard ringDim >= 256, ringDim & (ringDim - 1) == 0 else {
            throw ValidationError("--ring-dim must be a power of two >= 256")
        }
    }

    func run() throws {
        let context = try model.load()
        let parsed = try ActivationPlan(parsing: plan, layout: context.file.model.sites)
        let bridge = try OpenFHEBridge { standardError($0) }
        if security == "none" {
            standardError(
                "security level not enforced (--security none): the timings are real, the encryption is for tests only")
        }
        var settings = OpenFHESettings()
        settings.levels = levels
        settings.security = security
        let costProfile: CostProfile
        if let profile {
            costProfile = try CostProfile.named(profile)
            guard costProfile.parameters.ringDimension == ringDim else {
                throw ConfigurationError(
                    key: "--profile",
                    problem: "\(profile) was measured at N = \(costProfile.parameters.ringDimension), not \(ringDim)")
            }
        } else {
            standardError("no --profile: probing OpenFHE at N = \(ringDim) first")
            costProfile = try OpenFHEProbe.measure(
                bridge: bridge, ringDimension: ringDim, settings: settings, degrees: parsed.degrees,
                repetitions: 1
            ).profile(name: "openfhe-\(ringDim)")
        }
        let costModel = CostModel(
            profile: costProfile, depthRule: .openfhe, inputSize: context.file.model.inputSize,
            units: context.file.model.units, classes: context.file.model.classes)
        standardError("running \(parsed) on \(samples) encrypted image(s) at N = \(ringDim)...")
        let result = try EncryptedRun.run(
            bridge: bridge, model: context.file.model, split: context.dataset.test, plan: parsed,
            count: samples, approximations: context.approximations, costModel: costModel,
            placement: placement, ringDimension: ringDim, settings: settings)
        let report = EncryptedRunReport(result, profile: costProfile.name)
        if json {
            try printJSON(report)
        } else {
            print(
                String(
                    format: "plan %@ at N = %d, %d image(s), profile %@:", report.plan, report.ringDimension,
                    report.samples, report.profile))
            print(
                String(
                    format:
                        "  latency: measured %.2f s (median per image), predicted %.2f s (%+.1f%%); bootstraps %d "
                        + "measured, %d predicted",
                    report.measuredSeconds, report.predictedSeconds,
                    100 * (report.measuredSeconds - report.predictedSeconds) / report.predictedSeconds,
                    report.measuredBootstraps, report.predictedBootstraps))
            print(
                String(
                    format:
                        "  logits: largest difference from the plaintext evaluator %.2e; predicted classes agree on "
                        + "%d of %d",
                    report.largestLogitDifference, report.agreeingPredictions, report.samples))
            print(String(format: "  key generation and set-up: %.1f s", report.setupSeconds))
        }
    }
}

struct EncryptedRunReport: Encodable {
    var plan: String
    var ringDimension: Int
    var samples: Int
    var profile: String
    var measuredSeconds: Double
    var predictedSeconds: Double
    var measuredBootstraps: Int
    var predictedBootstraps: Int
    var largestLogitDifference: Double
    var agreeingPredictions: Int
    var setupSeconds: Double
    var decryptedLogits: [[Double]]
    var plaintextLogits: [[Double]]
    var labels: [Int]

    init(_ run: EncryptedRun, profile: String) {
        plan = run.plan.description
        ringDimension = run.ringDimension
        samples = run.samples.count
        self.profile = profile
        measuredSeconds = run.measuredSeconds
        predictedSeconds = run.prediction.latencySeconds
        measuredBootstraps = run.samples.map(\.bootstraps).max() ?? 0
        predictedBootstraps = run.prediction.bootstraps
        largestLogitDifference = run.largestLogitDifference
        agreeingPredictions = run.agreeingPredictions
        setupSeconds = run.setupSeconds
        decryptedLogits = run.samples.map(\.logits)
        plaintextLogits = run.plaintextLogits
        labels = run.labels
    }
}
