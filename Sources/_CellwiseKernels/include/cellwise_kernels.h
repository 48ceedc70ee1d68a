// Vectorised Float32 kernels for Cellwise's plan evaluator.
//
// Each kernel computes, element by element,
//     out[i] = f(scale * (z[i] + addend[i]) + offset)
// where f is a polynomial (Horner or Clenshaw form) or the exact tanh.
// `addend` may be NULL. `out` may alias `z`.
// Each is compiled for several x86-64 levels (AVX-512, AVX2+FMA, baseline), all giving the same
// bits; the best one for the running processor is used unless `cellwise_use_isa` picks another.
#ifndef CELLWISE_KERNELS_H
#define CELLWISE_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Parity of a power-basis polynomial in u, used to halve Horner's work.
enum cellwise_parity {
    /// p(u) = sum_k c_k u^k
    CELLWISE_PARITY_NONE = 0,
    /// p(u) = u * sum_k c_k (u^2)^k  (coefficients of the odd powers only)
    CELLWISE_PARITY_ODD = 1,
    /// p(u) = sum_k c_k (u^2)^k      (coefficients of the even powers only)
    CELLWISE_PARITY_EVEN = 2,
};

/// Horner evaluation; `coefficients[0]` is the constant (or lowest odd/even) term; `constant` is
/// added to the result (the centre of an odd fit, e.g. 0.5 for sigmoid; 0 otherwise).
void cellwise_horner(const float *z, const float *addend, float *out, ptrdiff_t count,
                     float scale, float offset,
                     const float *coefficients, int coefficientCount, int parity, float constant);

/// Clenshaw evaluation of sum_k c_k T_k(u), numerically stable for any degree.
void cellwise_clenshaw(const float *z, const float *addend, float *out, ptrdiff_t count,
                       float scale, float offset,
                       const float *coefficients, int coefficientCount);

/// Clenshaw evaluation of `constant` + an odd Chebyshev series sum_j c_j T_{2j+1}(u) (`offset` is
/// 0 for the symmetric domains this is used on, so u = scale * z). Uses T_{2j+1}(u) =
/// u V_j(2u^2 - 1), V_j the Chebyshev polynomials of the third kind, so the recurrence runs over
/// half the terms.
void cellwise_clenshaw_odd(const float *z, const float *addend, float *out, ptrdiff_t count,
                           float scale, const float *coefficients, int coefficientCount, float constant);

/// Evaluation of a full Chebyshev series through its even and odd parts in w = 2u^2 - 1:
/// p(u) = E(w) + u O(w), with `even` (E) and `odd` (O) in the power basis of w, lowest first.
/// Half the operations of Clenshaw, and far better conditioned than Horner in u (degree n/2 in w).
void cellwise_horner_split(const float *z, const float *addend, float *out, ptrdiff_t count,
                           float scale, float offset, const float *even, int evenCount,
                           const float *odd, int oddCount);

/// `C = A B + beta C` (row-major, no transposes) in single precision, every element summed over
/// k in ascending order with one fused multiply-add per term: the same bits on every processor
/// (unlike a BLAS, whose kernel and so rounding depend on the CPU). `beta` 0 ignores C's values.
void cellwise_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b,
                    ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);

/// Instruction sets the kernels have a version for.
enum cellwise_isa {
    /// The best this processor runs (for `cellwise_use_isa`).
    CELLWISE_ISA_BEST = -1,
    /// Any x86-64 (or other) processor; fused multiply-adds by libm's `fmaf`.
    CELLWISE_ISA_BASELINE = 0,
    /// x86-64-v3: AVX2 and FMA.
    CELLWISE_ISA_AVX2 = 1,
    /// x86-64-v4: AVX-512.
    CELLWISE_ISA_AVX512 = 2,
};

/// One instruction set's versions of the polynomial kernels and the matrix product (tests
/// compare them).
struct cellwise_kernel_table {
    void (*horner)(const float *, const float *, float *, ptrdiff_t, float, float, const float *, int, int, float);
    void (*clenshaw)(const float *, const float *, float *, ptrdiff_t, float, float, const float *, int);
    void (*clenshaw_odd)(const float *, const float *, float *, ptrdiff_t, float, const float *, int, float);
    void (*horner_split)(const float *, const float *, float *, ptrdiff_t, float, float, const float *, int,
                         const float *, int);
    void (*sgemm)(ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, const float *, ptrdiff_t, float,
                  float *, ptrdiff_t);
};

/// The versions for `isa` (a `cellwise_isa`), or NULL when this processor lacks it.
const struct cellwise_kernel_table *cellwise_kernels_on(int isa);

/// Makes every later call use `isa`'s versions. Returns 0, or -1 (changing nothing) when this
/// processor lacks it.
int cellwise_use_isa(int isa);

/// The instruction set whose versions are in use.
int cellwise_isa_in_use(void);

/// The exact hyperbolic tangent (libm `tanhf`); `scale` and `offset` are not applied.
void cellwise_tanh(const float *z, const float *addend, float *out, ptrdiff_t count);

/// The exact logistic sigmoid 1 / (1 + e^-x), without overflow for any finite x.
void cellwise_sigmoid(const float *z, const float *addend, float *out, ptrdiff_t count);

#ifdef __cplusplus
}
#endif

#endif
