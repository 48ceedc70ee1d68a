import CellwiseCore

/// Counts of the CKKS operations one step of the network performs.
public struct OperationCounts: Sendable, Equatable, Codable {
    /// Ciphertext-ciphertext multiplications (each with relinearisation and rescale).
    public var multiplications: Double = 0
    /// Plaintext-ciphertext (and constant) multiplications.
    public var plaintextMultiplications: Double = 0
    /// Rotations (key switches).
    public var rotations: Double = 0
    /// Additions.
    public var additions: Double = 0

    /// No operations.
    public init() {}

    /// Explicit counts.
    public init(multiplications: Double, plaintextMultiplications: Double, rotations: Double, additions: Double) {
        self.multiplications = multiplications
        self.plaintextMultiplications = plaintextMultiplications
        self.rotations = rotations
        self.additions = additions
    }

    /// Element-wise sum.
    public static func + (a: OperationCounts, b: OperationCounts) -> OperationCounts {
        OperationCounts(
            multiplications: a.multiplications + b.multiplications,
            plaintextMultiplications: a.plaintextMultiplications + b.plaintextMultiplications,
            rotations: a.rotations + b.rotations, additions: a.additions + b.additions)
    }
}

/// How an encrypted vector is multiplied by a plaintext weight matrix.
public enum MatrixVectorAlgorithm: String, CaseIterable, Sendable, Codable {
    /// Halevi-Shoup diagonal method: one rotation per diagonal.
    case diagonal
    /// Baby-step giant-step diagonal method: about 2 sqrt(d) rotations.
    case bsgs

    /// Operations of a product with a `rows x columns` matrix whose vector is packed in `d` slots,
    /// `d` the next power of two of max(rows, columns). With `rotations` > 0 that count is used instead.
    ///
    /// - diagonal: d plaintext multiplications, d - 1 rotations, d - 1 additions.
    /// - bsgs: with g = 2^ceil(log2(d)/2) baby steps and d/g giant steps: d plaintext
    ///   multiplications, (g - 1) + (d/g - 1) rotations, d - 1 additions.
    ///
    /// One more addition adds the bias.
    public func counts(inputs: Int, outputs: Int, rotations: Int = 0) -> OperationCounts {
        let d = 1 << DepthRule.ceilLog2(max(inputs, outputs, 1))
        let rotationCount: Int
        switch self {
        case .diagonal:
            rotationCount = d - 1
        case .bsgs:
            let g = 1 << ((DepthRule.ceilLog2(d) + 1) / 2)
            rotationCount = (g - 1) + (d / g - 1)
        }
        return OperationCounts(
            multiplications: 0, plaintextMultiplications: Double(d),
            rotations: Double(rotations > 0 ? rotations : rotationCount), additions: Double(d))
    }
}

/// Operations of evaluating a degree-d polynomial (Paterson-Stockmeyer in the baby-step
/// giant-step form).
public enum PolynomialOperations {
    /// Non-scalar multiplications: with k baby steps (powers T_1 ... T_k: k - 1 products) and m
    /// giant steps (T_k, T_2k, ..., T_{2^(m-1) k}: m squarings) such that k 2^m > d, the
    /// recombination takes 2^m - 1 products; k is chosen to minimise the total
    /// (k - 1) + m + (2^m - 1), and no more than the d - 1 products of computing every power.
    /// Degree 3 -> 2, 7 -> 5, 17 -> 9, 63 -> 17.
    public static func nonScalarMultiplications(degree: Int) -> Int {
        guard degree > 1 else { return 0 }
        var best = degree - 1
        for k in 2...max(2, degree + 1) {
            var m = 0
            while k << m <= degree { m += 1 }
            best = min(best, (k - 1) + m + ((1 << m) - 1))
        }
        return best
    }

    /// All operations of a degree-d polynomial: the non-scalar multiplications, one scalar
    /// multiplication and one addition per coefficient.
    public static func counts(degree: Int) -> OperationCounts {
        OperationCounts(
            multiplications: Double(nonScalarMultiplications(degree: degree)),
            plaintextMultiplications: Double(degree), rotations: 0, additions: Double(degree))
    }
}

extension MatrixVectorAlgorithm: ConfigurationChoice {}
