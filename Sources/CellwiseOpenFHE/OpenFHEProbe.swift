import CellwiseCKKS
import CellwiseCore
import Foundation

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
    /// The context's parameters as OpenFHE made and checked them (nil in probes made before
    /// Cellwise 0.3, which did not record them).
    public var parameters: OpenFHEParameters?

    /// Measures with OpenFHE (at the secure default N = 2^16 this takes minutes; small rings are
    /// insecure and for tests).
    public static func measure(
        bridge: OpenFHEBridge, settings: OpenFHESettings = OpenFHESettings(),
        degrees: [Int] = [3, 7, 17], repetitions: Int = 3
    ) throws -> OpenFHEProbe {
        try settings.validate()
        return try bridge.run(
            ["probe"] + settings.arguments + ["--degrees"]
                + degrees.map(String.init)
                + ["--repetitions", String(repetitions)], as: OpenFHEProbe.self)
    }

    /// The cost profile: parameters as measured, operation costs at the top level (right after a
    /// bootstrap), costs scaling with the modulus, BSGS matrix-vector products.
    public func profile(name: String) throws -> CostProfile {
        guard let top = perLevel[String(levelsAfterBootstrap)] else {
            throw DataError("probe", "no timings at level \(levelsAfterBootstrap)")
        }
        let depth = self.parameters?.depth ?? levelsAfterBootstrap + levelBudget.reduce(0, +) + 16
        let logQ = self.parameters.map { Int($0.logQ.rounded()) } ?? firstModulusBits + scalingBits * depth
        let parameters = CKKSParameters(
            ringDimension: ringDimension, slots: slots, logQ: logQ,
            logQMin: firstModulusBits,
            logQMax: firstModulusBits + scalingBits * levelsAfterBootstrap, scalingBits: scalingBits,
            levelsAfterBootstrap: levelsAfterBootstrap, freshLevels: freshLevels,
            samplesPerCiphertext: self.parameters?.batch)
        return CostProfile(
            name: name,
            description:
                "OpenFHE \(openfhe) measured by `cellwise ckks probe` (N = \(ringDimension), \(slots) slots, "
                + "\(self.parameters?.securityDescription ?? "security not recorded")) on "
                + "\(MachineDescription.current.processor)",
            parameters: parameters,
            costs: .init(
                bootstrap: bootstrap, multiplication: top.multiplication,
                plaintextMultiplication: top.plaintextMultiplication,
                rotation: top.rotation, addition: top.addition))
    }
}
