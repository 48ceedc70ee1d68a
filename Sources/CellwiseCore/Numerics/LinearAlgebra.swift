import _CellwiseBLAS

/// Cellwise's single gateway to OpenBLAS (CBLAS) and LAPACKE.
///
/// Every other file calls these Swift functions; none imports the C module. All matrices are
/// row-major.
package enum LinearAlgebra {
    /// Pins OpenBLAS to one thread. Cellwise parallelises over independent blocks of samples
    /// itself, which keeps results independent of the thread count and avoids oversubscription.
    package static let singleThreaded: Void = {
        openblas_set_num_threads(1)
    }()

    /// `C = alpha * op(A) * op(B) + beta * C` in single precision.
    ///
    /// - Parameters:
    ///   - m: Rows of `op(A)` and `C`.
    ///   - n: Columns of `op(B)` and `C`.
    ///   - k: Columns of `op(A)`, rows of `op(B)`.
    package static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreaded
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    /// Errors reported by LAPACK.
    package struct LAPACKError: Error, CustomStringConvertible {
        var routine: String
        var info: Int32
        package var description: String { "LAPACK \(routine) failed (info = \(info))" }
    }

    /// The orthogonal factor Q of a square matrix's QR decomposition, with the signs of Q's
    /// columns fixed so that R has a non-negative diagonal (the convention of Keras's
    /// `Orthogonal` initializer, which multiplies Q by sign(diag(R))).
    ///
    /// - Parameter matrix: `n * n` values, row-major.
    package static func orthogonalFactor(of matrix: [Double], n: Int) throws -> [Double] {
        precondition(matrix.count == n * n)
        var a = matrix
        var tau = [Double](repeating: 0, count: n)
        var info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), &a, Int32(n), &tau)
        guard info == 0 else { throw LAPACKError(routine: "dgeqrf", info: info) }
        let diagonalSigns = (0..<n).map { a[$0 * n + $0] < 0 ? -1.0 : 1.0 }
        info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(n), Int32(n), Int32(n), &a, Int32(n), &tau)
        guard info == 0 else { throw LAPACKError(routine: "dorgqr", info: info) }
        for row in 0..<n {
            for column in 0..<n { a[row * n + column] *= diagonalSigns[column] }
        }
        return a
    }

    /// Solves the full-rank least-squares problem `min ||A x - b||_2` by Householder QR
    /// (LAPACK `dgels`), never forming the normal equations.
    ///
    /// - Parameters:
    ///   - a: `rows * columns` values, row-major, `rows >= columns`.
    ///   - b: `rows` values.
    /// - Returns: `columns` values.
    package static func leastSquares(_ a: [Double], rows: Int, columns: Int, b: [Double]) throws -> [Double] {
        precondition(a.count == rows * columns && b.count == rows && rows >= columns)
        var matrix = a
        var rhs = b
        let info = LAPACKE_dgels(
            LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")),
            Int32(rows), Int32(columns), 1,
            &matrix, Int32(columns), &rhs, 1)
        guard info == 0 else { throw LAPACKError(routine: "dgels", info: info) }
        return Array(rhs.prefix(columns))
    }
}
