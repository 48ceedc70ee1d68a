import _CellwiseKernels

/// The exact tanh over a buffer (the plaintext reference activation).
package enum TanhKernel {
    /// `out[i] = tanh(z[i] + addend[i])` (`addend` may be nil; `out` may be `z`).
    package static func apply(
        _ z: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        cellwise_tanh(z, addend, out, count)
    }
}
