import CellwiseCore
import Foundation

/// The OpenFHE parameters the bridge uses (the probe and the encrypted run must use the same).
///
/// Defaults: 8 requested levels between bootstraps, level budget [2, 2], 50-bit scaling primes,
/// and no security check. Measured with OpenFHE 1.6.1: bootstrapping loses about 38 bits of the
/// scaling factor, so 40-bit primes (the largest that keep this depth within the HE standard's
/// 128-bit limit at N = 2^16) leave errors of 0.2 after one real bootstrap, and 50-bit primes
/// (errors of 2e-4) need N = 2^17 for 128-bit security. `security = "128"` enforces the standard.
public struct OpenFHESettings: Sendable, Equatable {
    /// Levels requested between bootstraps.
    public var levels = 8
    /// OpenFHE's level budget for the two linear transforms of bootstrapping.
    public var levelBudget = [2, 2]
    /// Bits of each scaling prime.
    public var scalingBits = 50
    /// "none" (timings and tests) or "128" (OpenFHE enforces 128-bit security).
    public var security = "none"

    /// The defaults.
    public init() {}

    var arguments: [String] {
        ["--levels", String(levels), "--level-budget"] + levelBudget.map(String.init)
            + ["--scaling-bits", String(scalingBits), "--security", security]
    }
}

/// Operation costs measured with OpenFHE, level by level, and the cost profile they make.
public struct OpenFHEProbe: Codable, Sendable {
    /// Costs of the four basic operations at one level, in seconds.
    public struct LevelCosts: Codable, Sendable {
        /// Ciphertext multiplication with relinearisation and rescale.
        public var multiplication: Double
        /// Plaintext multiplication.
        public var plaintextMultiplication: Double
        /// Rotation by one slot.
        public var rotation: Double
        /// Addition.
        public var addition: Double
    }

    /// A Chebyshev-series tanh of one degree.
    public struct Chebyshev: Codable, Sendable {
        /// Median seconds.
        public var seconds: Double
        /// Levels it really consumed.
        public var depth: Int
    }

    /// Ring dimension N.
    public var ringDimension: Int
    /// Slots used (sparse packing).
    public var slots: Int
    /// Bits of each scaling prime.
    public var scalingBits: Int
    /// Bits of the first prime.
    public var firstModulusBits: Int
    /// Levels measured after a bootstrap.
    public var levelsAfterBootstrap: Int
    /// Levels measured in a fresh ciphertext.
    public var freshLevels: Int
    /// OpenFHE's bootstrapping level budget.
    public var levelBudget: [Int]
    /// Key generation and set-up, in seconds.
    public var setupSeconds: Double
    /// Median seconds of one bootstrap.
    public var bootstrap: Double
    /// Costs by level ("1" ... levels after bootstrap).
    public var perLevel: [String: LevelCosts]
    /// Chebyshev tanh by degree.
    public var chebyshev: [String: Chebyshev]
    /// OpenFHE's version.
    public var openfhe: String
    /// Timed repetitions behind each median.
    public var repetitions: Int

    /// Measures with OpenFHE at `ringDimension` (2^16 takes minutes; small rings are insecure and for tests).
    public static func measure(
        bridge: OpenFHEBridge, ringDimension: Int, settings: OpenFHESettings = OpenFHESettings(),
        degrees: [Int] = [3, 7, 17], repetitions: Int = 3
    ) throws -> OpenFHEProbe {
        try bridge.run(
            ["probe", "--ring-dim", String(ringDimension)] + settings.arguments + ["--degrees"]
                + degrees.map(String.init)
                + ["--repetitions", String(repetitions)], as: OpenFHEProbe.self)
    }

    /// The cost profile: parameters as measured, operation costs at the top level (right after a
    /// bootstrap), costs scaling with the modulus, BSGS matrix-vector products.
    public func profile(name: String) throws -> CostProfile {
        guard let top = perLevel[String(levelsAfterBootstrap)] else {
            throw DataError("probe", "no timings at level \(levelsAfterBootstrap)")
        }
        let depth = levelsAfterBootstrap + levelBudget.reduce(0, +) + 16
        let parameters = CKKSParameters(
            ringDimension: ringDimension, slots: slots, logQ: firstModulusBits + scalingBits * depth,
            logQMin: firstModulusBits,
            logQMax: firstModulusBits + scalingBits * levelsAfterBootstrap, scalingBits: scalingBits,
            levelsAfterBootstrap: levelsAfterBootstrap, freshLevels: freshLevels)
        return CostProfile(
            name: name,
            description:
                "OpenFHE \(openfhe) measured by `cellwise ckks probe` (N = \(ringDimension), \(slots) slots) on "
                + "\(MachineDescription.current.processor)",
            parameters: parameters,
            costs: .init(
                bootstrap: bootstrap, multiplication: top.multiplication,
                plaintextMultiplication: top.plaintextMultiplication,
                rotation: top.rotation, addition: top.addition))
    }
}
