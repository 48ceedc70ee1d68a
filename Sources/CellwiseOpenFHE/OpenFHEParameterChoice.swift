import CellwiseCKKS
import CellwiseCore

/// The ring dimension and modulus OpenFHE chooses for a parameter set, and its security check's
/// verdict on the next smaller ring: what an encrypted run would get, without making keys
/// (seconds, where a context with keys at N = 2^16 takes a minute and 10-18 GB).
public struct OpenFHEParameterChoice: Codable, Sendable, Equatable {
    /// OpenFHE's verdict on a ring dimension.
    public struct Verdict: Codable, Sendable, Equatable {
        /// The ring dimension tried.
        public var ringDimension: Int
        /// Whether OpenFHE accepted it at the security level.
        public var accepted: Bool
        /// OpenFHE's reason when it refused.
        public var reason: String?
    }

    /// The ring dimension chosen (or given).
    public var ringDimension: Int
    /// log2 of the ciphertext modulus Q.
    public var logQ: Double
    /// Multiplicative depth: usable levels + the bootstrap's + 1.
    public var depth: Int
    /// Levels one bootstrap consumes.
    public var bootstrapDepth: Int
    /// Usable levels between bootstraps.
    public var levels: Int
    /// Bootstrapping's level budget.
    public var levelBudget: [Int]
    /// Slots per ciphertext.
    public var slots: Int
    /// `HEStd_128_classic`, or `none` when unchecked.
    public var security: String
    /// The OpenFHE package version.
    public var openfhe: String
    /// The next smaller ring dimension under the same check (absent when unchecked).
    public var smaller: Verdict?

    /// Asks OpenFHE (through the bridge) for the parameters of `settings`.
    ///
    /// - Throws: ``DataError`` with OpenFHE's reason when it refuses the parameters themselves.
    public static func choose(bridge: OpenFHEBridge, settings: OpenFHESettings) throws -> OpenFHEParameterChoice {
        try settings.validate()
        return try bridge.run(["parameters"] + settings.arguments, as: OpenFHEParameterChoice.self)
    }
}
