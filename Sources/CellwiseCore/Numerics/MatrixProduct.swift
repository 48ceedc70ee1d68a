import _CellwiseKernels

/// The evaluator's matrix product, `C = A B + beta C` in single precision (row-major, no
/// transposes), with the same bits on every x86-64 processor.
///
/// OpenBLAS picks its kernel for the CPU it runs on, and kernels round sums in different orders:
/// with it, the same plan on the same model gave logits that differ in the last bits between
/// machines, and now and then a sample near a decision boundary changed class (an accuracy of
/// 0.730 against 0.731). This kernel sums every element over k in ascending order with one fused
/// multiply-add per term, compiled for AVX-512, AVX2 and the baseline (libm's `fmaf`), so given a
/// model file, evaluation, and so every search, is bit-reproducible. Training keeps OpenBLAS.
package enum MatrixProduct {
    /// `C = A B + beta C`.
    ///
    /// - Parameters:
    ///   - m: Rows of `A` and `C`.
    ///   - n: Columns of `B` and `C`.
    ///   - k: Columns of `A`, rows of `B`.
    package static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cellwise_sgemm(m, n, k, a, lda, b, ldb, beta, c, ldc)
    }

    /// `C = A B + beta C` with one instruction set's version (tests compare them); false when this
    /// processor lacks it.
    package static func multiply(
        on isa: InstructionSet, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
        ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) -> Bool {
        guard let kernels = isa.kernels else { return false }
        kernels.pointee.sgemm(m, n, k, a, lda, b, ldb, beta, c, ldc)
        return true
    }
}
