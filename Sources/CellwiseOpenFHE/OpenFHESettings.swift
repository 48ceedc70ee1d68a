import CellwiseCKKS
import CellwiseCore

/// The OpenFHE parameter set the bridge asks for (the probe and the encrypted run must use the same).
///
/// The defaults are secure: OpenFHE checks the parameters against the HE standard's 128-bit
/// classical level (`HEStd_128_classic`) and picks the smallest ring dimension that satisfies it
/// for the depth (N = 2^16 here). Uniform ternary secret, FLEXIBLEAUTO, 50-bit scaling primes and
/// a 55-bit first prime, level budget [1, 1], 4 large digits for key switching, 9 usable levels
/// after each bootstrap, and correction factor 6 for `EvalBootstrapSetup` (measured here with
/// OpenFHE 1.6.1: log2 Q = 1355, accepted at N = 2^16, bootstrap errors about 5e-5; see
/// docs/cost-model.md). A run without the check needs ``insecure`` set explicitly, and every
/// output of such a run says so.
public struct OpenFHESettings: Sendable, Equatable {
    /// Usable levels between bootstraps.
    public var levels = 9
    /// OpenFHE's level budget for the two linear transforms of bootstrapping.
    public var levelBudget = [1, 1]
    /// Bits of each scaling prime.
    public var scalingBits = 50
    /// Bits of the first prime.
    public var firstBits = 55
    /// Large digits of hybrid key switching (fewer: larger keys, larger QP).
    public var digits = 4
    /// `EvalBootstrapSetup`'s correction factor.
    public var correction = 6
    /// The secret's distribution: `uniform` (ternary; the default) or `sparse` (about twice as fast
    /// bootstraps, but OpenFHE checks it against the uniform secret's table, which does not model
    /// sparse secrets: its 128-bit claim is not established).
    public var secret = "uniform"
    /// The ring dimension (nil: the smallest the security level allows; required when insecure).
    public var ringDimension: Int?
    /// Turns OpenFHE's security check off (timings and tests only).
    public var insecure = false
    /// Images per ciphertext (a power of two): packed interleaved in window x batch slots (SIMD).
    public var batch = 1
    /// Slots per image (a power of two): the model's ``EncryptedCircuit/window(for:)``, which an
    /// encrypted run sets; 64 (the bridge's default) for the shipped models.
    public var window = 64

    /// Slots of every ciphertext: window x batch.
    public var slots: Int { window * batch }

    /// The secure defaults.
    public init() {}

    /// The level budget b ([b, b]) for `slots` slots per ciphertext (window x batch) at the secure
    /// default, the smallest whose bootstrap keys and precomputed transforms fit this 24 GB machine
    /// with room for a circuit's: 1 up to 256 slots (4 images of 64), 2 up to 4,096 (64 images),
    /// else 3. Measured here (docs/cost-model.md, `tools/ckks/experiments/bootstrap_grid.py`): [1, 1]
    /// needs 9.9 GB at 64 slots and 20.1 GB at 256 (512 do not fit); [2, 2] with 7 levels 17.8 GB at
    /// 4,096 and 23.2 GB at 8,192 (16,384 do not fit); [3, 3] with 5 levels 13.7 GB at 16,384 and
    /// 12.4 GB at 32,768.
    public static func levelBudget(forSlots slots: Int) -> Int { slots <= 256 ? 1 : slots <= 4096 ? 2 : 3 }

    /// The usable levels that keep the depth at 26 (levels + bootstrap depth + 1), the most the
    /// secure default's primes allow at N = 2^16: 9 with [1, 1], 7 with [2, 2], 5 with [3, 3]
    /// (bootstrap depths 16, 18, 20 with OpenFHE 1.6.1 and a uniform secret).
    public static func levels(forLevelBudget budget: Int) -> Int { max(1, 9 - 2 * (budget - 1)) }

    /// The bridge's arguments.
    public var arguments: [String] {
        ["--levels", String(levels), "--level-budget"] + levelBudget.map(String.init)
            + [
                "--scaling-bits", String(scalingBits), "--first-bits", String(firstBits), "--digits", String(digits),
                "--correction", String(correction), "--secret", secret, "--security", insecure ? "none" : "128",
                "--ring-dim", String(ringDimension ?? 0), "--batch", String(batch),
            ]
            // Given only when it is not the bridge's default, so that runs made before windows keep
            // their arguments (and their folders' identity).
            + (window == 64 ? [] : ["--window", String(window)])
    }

    /// Checks the values.
    ///
    /// - Throws: ``ConfigurationError`` naming the option at fault.
    public func validate() throws {
        if let ringDimension {
            guard ringDimension >= 256, ringDimension & (ringDimension - 1) == 0 else {
                throw ConfigurationError(key: "--ring-dim", problem: "must be a power of two >= 256")
            }
        } else if insecure {
            throw ConfigurationError(key: "--ring-dim", problem: "give a ring dimension with --insecure")
        }
        guard (1...60).contains(levels) else { throw ConfigurationError(key: "--levels", problem: "must be 1-60") }
        guard batch >= 1, batch & (batch - 1) == 0, batch <= 1 << 12 else {
            throw ConfigurationError(key: "--batch", problem: "must be a power of two, 1-4096 (images per ciphertext)")
        }
        guard window >= 1, window & (window - 1) == 0 else {
            throw ConfigurationError(key: "window", problem: "\(window) slots per image is not a power of two")
        }
        if let ringDimension, slots > ringDimension / 2 {
            throw ConfigurationError(
                key: "--batch",
                problem: "\(batch) images of \(window) slots need \(slots) slots; N = \(ringDimension) has "
                    + "\(ringDimension / 2)")
        }
        guard ["uniform", "sparse"].contains(secret) else {
            throw ConfigurationError(key: "--secret", problem: "must be uniform or sparse")
        }
        if !insecure, let ringDimension, let minimum = Self.minimumSecureRingDimension(logQ: estimatedLogQ),
            ringDimension < minimum
        {
            throw ConfigurationError(
                key: "--ring-dim",
                problem:
                    "\(ringDimension) is below the 128-bit minimum for this depth: depth \(estimatedDepth) needs "
                    + "log2 Q >= \(estimatedLogQ), which HEStd_128_classic allows from N = \(minimum) on (give "
                    + "--ring-dim \(minimum), none to let OpenFHE choose, or --insecure for tests)")
        }
    }

    /// Levels one bootstrap consumes, as OpenFHE 1.6.1 counts them for the level budget: 14 plus
    /// the budget's two entries with a uniform secret (16 for [1, 1], measured), 3 fewer with a
    /// sparse one. A lower bound for the check below: OpenFHE's own count is authoritative.
    public var estimatedBootstrapDepth: Int { (secret == "sparse" ? 11 : 14) + levelBudget.reduce(0, +) }

    /// The context's multiplicative depth: usable levels, the bootstrap's, and one on its input.
    public var estimatedDepth: Int { levels + estimatedBootstrapDepth + 1 }

    /// log2 of the ciphertext modulus: the first prime and one scaling prime per level of depth
    /// (1355 bits for the secure default, as OpenFHE reports). The key-switching modulus P comes on
    /// top of it, so a ring refused for this Q alone is certainly too small.
    public var estimatedLogQ: Int { firstBits + scalingBits * estimatedDepth }

    /// The largest log2 Q the HE standard allows at 128-bit classical security for a ternary
    /// secret, by ring dimension (the table OpenFHE checks against; 2^16 and 2^17 as OpenFHE
    /// extends it).
    public static let maximumLogQ: [(ringDimension: Int, logQ: Int)] = [
        (1024, 27), (2048, 54), (4096, 109), (8192, 218), (16384, 438), (32768, 881), (65536, 1747),
        (131072, 3523),
    ]

    /// The smallest ring dimension whose 128-bit bound holds `logQ` bits (nil: none in the table).
    public static func minimumSecureRingDimension(logQ: Int) -> Int? {
        maximumLogQ.first { $0.logQ >= logQ }?.ringDimension
    }
}

/// The parameters of a context as OpenFHE made them, and the security level it checked them
/// against: recorded in every probe and encrypted run.
public struct OpenFHEParameters: Codable, Sendable, Equatable {
    /// Ring dimension N.
    public var ringDimension: Int
    /// `HEStd_128_classic` when OpenFHE checked the parameters against it, `none` when unchecked.
    public var security: String
    /// `uniform` or `sparse` ternary secret.
    public var secret: String
    /// log2 of the ciphertext modulus Q.
    public var logQ: Double
    /// The multiplicative depth of the context (usable levels + bootstrap depth + 1).
    public var depth: Int
    /// Levels one bootstrap consumes.
    public var bootstrapDepth: Int
    /// Bits of the scaling primes and of the first prime.
    public var scalingBits: Int, firstModulusBits: Int
    /// Bootstrapping's level budget.
    public var levelBudget: [Int]
    /// Large digits of key switching.
    public var digits: Int
    /// `EvalBootstrapSetup`'s correction factor.
    public var correctionFactor: Int
    /// Slots per ciphertext.
    public var slots: Int
    /// Images per ciphertext (absent in results made before batching: 1).
    public var batch: Int?
    /// The OpenFHE package version.
    public var openfhe: String

    /// Whether OpenFHE confirmed 128-bit security for a uniform secret.
    public var isSecure: Bool { security == "HEStd_128_classic" && secret == "uniform" }

    /// "128-bit security checked by OpenFHE (HEStd_128_classic)", or why not.
    public var securityDescription: String {
        if security == "none" { return "INSECURE: no security check" }
        if secret == "sparse" {
            return "\(security) checked for a uniform secret; sparse secret: 128-bit not established"
        }
        return "128-bit security checked by OpenFHE (\(security))"
    }
}
