import CellwiseCore

/// How many CKKS levels evaluating a polynomial of a given degree consumes.
public enum DepthRule: String, CaseIterable, Sendable, Codable {
    /// Depth-optimal evaluation (Paterson-Stockmeyer / baby-step giant-step): ceil(log2(d + 1)).
    /// 3 -> 2, 7 -> 3, 17 -> 5. The paper's HEaAN figures follow this rule.
    case ideal
    /// OpenFHE's `EvalChebyshevSeries` on an interval other than [-1, 1] (its documented
    /// table): 3-5 -> 4, 6-13 -> 5, 14-27 -> 6, 28-59 -> 7, 60-119 -> 8. Degrees 1 and 2, below
    /// the table, take 1 (one scalar multiplication) and 3 (affine map, square, coefficients).
    case openfhe

    /// Levels used by a polynomial of `degree` (at least 1).
    public func polynomialDepth(degree: Int) -> Int {
        precondition(degree >= 1)
        switch self {
        case .ideal:
            return Self.ceilLog2(degree + 1)
        case .openfhe:
            switch degree {
            case 1: return 1
            case 2: return 3
            default:
                let index = Self.openFHEUpperDegrees.firstIndex { degree <= $0 } ?? Self.openFHEUpperDegrees.count
                return 4 + index
            }
        }
    }

    /// The largest degree of each depth in OpenFHE's table, from depth 4 on.
    static let openFHEUpperDegrees = [5, 13, 27, 59, 119, 247, 495, 1007, 2031]

    /// ceil(log2(n)) for n >= 1.
    static func ceilLog2(_ n: Int) -> Int {
        precondition(n >= 1)
        return Int.bitWidth - (n - 1).leadingZeroBitCount
    }
}

extension DepthRule: ConfigurationChoice {}
