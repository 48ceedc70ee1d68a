import Foundation

/// The OpenFHE parameters the bridge uses (the probe and the encrypted run must use the same).
///
/// The defaults fit N = 2^16 under the HE standard's 128-bit limit: 8 levels between bootstraps,
/// level budget [2, 2], 40-bit scaling primes (first prime 50 bits). Measured here: key generation
/// 12.5 s, one bootstrap 15 s, bootstrapping error 2e-8.
public struct OpenFHESettings: Sendable, Equatable {
    /// Levels requested between bootstraps.
    public var levels = 8
    /// OpenFHE's level budget for the two linear transforms of bootstrapping.
    public var levelBudget = [2, 2]
    /// Bits of each scaling prime.
    public var scalingBits = 40

    /// The defaults.
    public init() {}

    /// The defaults for a ring dimension: 40-bit primes at N >= 2^16 (to stay within the HE
    /// standard's modulus limit), 50-bit primes below (insecure test rings, where 40 bits lose too
    /// much precision in bootstrapping).
    public static func defaults(ringDimension: Int) -> OpenFHESettings {
        var settings = OpenFHESettings()
        settings.scalingBits = ringDimension >= 1 << 16 ? 40 : 50
        return settings
    }

    var arguments: [String] {
        ["--levels", String(levels), "--level-budget"] + levelBudget.map(String.init) + ["--scaling-bits", String(scalingBits)]
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
    public static func measure(bridge: OpenFHEBridge, ringDimension: Int, settings: OpenFHESettings = OpenFHESettings(),
                               degrees: [Int] = [3, 7, 17], repetitions: Int = 3) throws -> OpenFHEProbe {
        try bridge.run(["probe", "--ring-dim", String(ringDimension)] + settings.arguments + ["--degrees"] + degrees.map(String.init)
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
            ringDimension: ringDimension, slots: slots, logQ: firstModulusBits + scalingBits * depth, logQMin: firstModulusBits,
            logQMax: firstModulusBits + scalingBits * levelsAfterBootstrap, scalingBits: scalingBits,
            levelsAfterBootstrap: levelsAfterBootstrap, freshLevels: freshLevels)
        return CostProfile(
            name: name,
            description: "OpenFHE \(openfhe) measured by `cellwise ckks probe` (N = \(ringDimension), \(slots) slots) on \(MachineDescription.current.processor)",
            parameters: parameters,
            costs: .init(bootstrap: bootstrap, multiplication: top.multiplication, plaintextMultiplication: top.plaintextMultiplication,
                         rotation: top.rotation, addition: top.addition))
    }
}
