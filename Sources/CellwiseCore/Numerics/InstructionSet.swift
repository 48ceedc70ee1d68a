import Foundation
import _CellwiseKernels

/// The x86-64 instruction sets the evaluator's kernels (polynomials and the matrix product) have a
/// version for. Every version gives the same bits, so which one runs changes only the speed.
///
/// The best one this processor runs is used, unless the environment variable `CELLWISE_ISA`
/// (read by the `cellwise` command line) names another: running a search with
/// `CELLWISE_ISA=avx2` on an AVX-512 machine shows what a machine without AVX-512 computes.
public enum InstructionSet: String, CaseIterable, Sendable, Codable {
    /// Any processor; fused multiply-adds by libm's correctly rounded `fmaf` (slow).
    case baseline
    /// x86-64-v3: AVX2 and FMA.
    case avx2
    /// x86-64-v4: AVX-512.
    case avx512

    /// The environment variable that picks the instruction set.
    public static let environmentVariable = "CELLWISE_ISA"

    var code: Int32 {
        switch self {
        case .baseline: Int32(CELLWISE_ISA_BASELINE.rawValue)
        case .avx2: Int32(CELLWISE_ISA_AVX2.rawValue)
        case .avx512: Int32(CELLWISE_ISA_AVX512.rawValue)
        }
    }

    /// Whether this processor runs it.
    public var isSupported: Bool { cellwise_kernels_on(code) != nil }

    /// The instruction set every kernel call uses.
    public static var inUse: InstructionSet {
        let code = cellwise_isa_in_use()
        return allCases.first { $0.code == code } ?? .baseline
    }

    /// Makes every later kernel call use `isa`.
    ///
    /// - Throws: `ConfigurationError` when this processor lacks it.
    public static func use(_ isa: InstructionSet) throws {
        guard cellwise_use_isa(isa.code) == 0 else {
            throw ConfigurationError(
                key: environmentVariable, problem: "this processor does not run \(isa.rawValue) (it runs \(best))")
        }
    }

    /// Applies `CELLWISE_ISA` from `environment`, if set.
    ///
    /// - Throws: `ConfigurationError` naming the variable when its value is not an instruction set
    ///   or this processor lacks it.
    public static func useEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let value = environment[environmentVariable], !value.isEmpty else { return }
        guard let isa = InstructionSet(rawValue: value) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(
                key: environmentVariable, problem: "'\(value)' is not an instruction set (one of \(names))")
        }
        try use(isa)
    }

    /// The best instruction set this processor runs.
    public static var best: InstructionSet { allCases.last { $0.isSupported } ?? .baseline }

    /// This instruction set's kernel versions (nil when the processor lacks it).
    package var kernels: UnsafePointer<cellwise_kernel_table>? { cellwise_kernels_on(code) }
}
