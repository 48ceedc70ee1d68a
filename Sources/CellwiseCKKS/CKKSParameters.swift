import CellwiseCore

/// The CKKS parameters the cost model needs.
public struct CKKSParameters: Sendable, Equatable, Codable {
    /// Ring dimension N.
    public var ringDimension: Int
    /// Plaintext slots (N / 2 for full packing).
    public var slots: Int
    /// log2 of the full modulus Q (including the bootstrapping key-switching moduli).
    public var logQ: Int
    /// log2 of the smallest modulus at which a ciphertext can still be bootstrapped.
    public var logQMin: Int
    /// log2 of the modulus right after a bootstrap.
    public var logQMax: Int
    /// Bits of each scaling prime (one is consumed per level).
    public var scalingBits: Int
    /// Multiplicative levels available after each bootstrap.
    public var levelsAfterBootstrap: Int
    /// Levels available in a freshly encrypted ciphertext.
    public var freshLevels: Int
    /// Samples packed in one ciphertext (SIMD; nil: one). The bootstrap and operation costs are
    /// those measured at this packing's slot count, so a latency is per ciphertext of this many
    /// samples.
    public var samplesPerCiphertext: Int?

    /// Samples per ciphertext (1 unless packed).
    public var batch: Int { samplesPerCiphertext ?? 1 }

    /// Creates parameters.
    public init(
        ringDimension: Int, slots: Int, logQ: Int, logQMin: Int, logQMax: Int, scalingBits: Int,
        levelsAfterBootstrap: Int, freshLevels: Int, samplesPerCiphertext: Int? = nil
    ) {
        self.ringDimension = ringDimension
        self.slots = slots
        self.logQ = logQ
        self.logQMin = logQMin
        self.logQMax = logQMax
        self.scalingBits = scalingBits
        self.levelsAfterBootstrap = levelsAfterBootstrap
        self.freshLevels = freshLevels
        self.samplesPerCiphertext = samplesPerCiphertext
    }

    /// HEaAN's FGb preset, as used by the paper: N = 2^16, log2 Q = 1258, log2 Q_min = 184,
    /// log2 Q_max = 562, 42-bit scaling primes, 9 levels after a bootstrap and when fresh
    /// (184 + 9 x 42 = 562).
    public static let heaanFGb = CKKSParameters(
        ringDimension: 1 << 16, slots: 1 << 15, logQ: 1258, logQMin: 184,
        logQMax: 562, scalingBits: 42, levelsAfterBootstrap: 9, freshLevels: 9)

    /// log2 of the modulus of a ciphertext with `level` levels left.
    public func logModulus(atLevel level: Int) -> Int { logQMin + level * scalingBits }
}
