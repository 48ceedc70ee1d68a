#include "cellwise_kernels.h"
#include "kernel_dispatch.h"
#include <math.h>
#include <string.h>

// Every product is one fused multiply-add, and every element of C is summed over k in ascending
// order, on every processor: the AVX-512 and AVX2 versions use the FMA instructions, the baseline
// libm's correctly rounded fmaf, so all give the same bits (never a separate multiply and add,
// which would round twice). Only the blocking differs (the rows sharing a broadcast), which does
// not change any element's arithmetic.
#pragma clang fp contract(off)

#define LANES 16

typedef float vf __attribute__((vector_size(LANES * sizeof(float))));

#define LOAD_V(p) ({ vf v_; memcpy(&v_, (p), sizeof v_); v_; })
#define STORE_V(p, v) do { vf s_ = (v); memcpy((p), &s_, sizeof s_); } while (0)
#define SPLAT(x) ((vf){} + (float)(x))
#define FMA_V(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#define START_V(row, j) (beta == 0 ? SPLAT(0) : LOAD_V(c + (row) * ldc + (j)) * SPLAT(beta))

// Rows i ..< i + R (sharing each broadcast of A): 32 columns at a time, then 16, then single ones.
#define ROW_BLOCK(R)                                                                                        \
    do {                                                                                                    \
        ptrdiff_t j = 0;                                                                                    \
        for (; j + 2 * LANES <= n; j += 2 * LANES) {                                                        \
            vf lo[R], hi[R];                                                                                \
            for (int r = 0; r < (R); r++) {                                                                 \
                lo[r] = START_V(i + r, j);                                                                  \
                hi[r] = START_V(i + r, j + LANES);                                                          \
            }                                                                                               \
            for (ptrdiff_t p = 0; p < k; p++) {                                                             \
                const vf b0 = LOAD_V(b + p * ldb + j), b1 = LOAD_V(b + p * ldb + j + LANES);                \
                for (int r = 0; r < (R); r++) {                                                             \
                    const vf x = SPLAT(a[(i + r) * lda + p]);                                               \
                    lo[r] = FMA_V(x, b0, lo[r]);                                                            \
                    hi[r] = FMA_V(x, b1, hi[r]);                                                            \
                }                                                                                           \
            }                                                                                               \
            for (int r = 0; r < (R); r++) {                                                                 \
                STORE_V(c + (i + r) * ldc + j, lo[r]);                                                      \
                STORE_V(c + (i + r) * ldc + j + LANES, hi[r]);                                              \
            }                                                                                               \
        }                                                                                                   \
        for (; j + LANES <= n; j += LANES) {                                                                \
            vf acc[R];                                                                                      \
            for (int r = 0; r < (R); r++) acc[r] = START_V(i + r, j);                                       \
            for (ptrdiff_t p = 0; p < k; p++) {                                                             \
                const vf b0 = LOAD_V(b + p * ldb + j);                                                      \
                for (int r = 0; r < (R); r++) acc[r] = FMA_V(SPLAT(a[(i + r) * lda + p]), b0, acc[r]);      \
            }                                                                                               \
            for (int r = 0; r < (R); r++) STORE_V(c + (i + r) * ldc + j, acc[r]);                           \
        }                                                                                                   \
        for (; j < n; j++) {                                                                                \
            for (int r = 0; r < (R); r++) {                                                                 \
                float acc = beta == 0 ? 0.0f : c[(i + r) * ldc + j] * beta;                                 \
                for (ptrdiff_t p = 0; p < k; p++) acc = __builtin_fmaf(a[(i + r) * lda + p], b[p * ldb + j], acc); \
                c[(i + r) * ldc + j] = acc;                                                                 \
            }                                                                                               \
        }                                                                                                   \
    } while (0)

// R rows at a time, the leftover rows one at a time.
#define GEMM_KERNEL(NAME, R, ATTRIBUTES)                                                                    \
    ATTRIBUTES void NAME(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,              \
                         const float *b, ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {              \
        ptrdiff_t i = 0;                                                                                    \
        for (; i + (R) <= m; i += (R)) ROW_BLOCK(R);                                                        \
        for (; i < m; i++) ROW_BLOCK(1);                                                                    \
    }

#if defined(__x86_64__)
// Measured at 512 x 32 x 32 and 370 x 32 x 32 (a block of samples times a gate's weights): 8 rows
// at a time in 512-bit registers suit AVX-512's 32 (within 10% of OpenBLAS's Cooperlake kernel), 2
// rows AVX2's 16 (faster than OpenBLAS's Haswell kernel; 4 rows spill).
GEMM_KERNEL(cellwise_gemm_avx512, 8, __attribute__((target("arch=x86-64-v4"), min_vector_width(512))))
GEMM_KERNEL(cellwise_gemm_avx2, 2, __attribute__((target("arch=x86-64-v3"))))
#endif
GEMM_KERNEL(cellwise_gemm_baseline, 2, )

void cellwise_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b,
                    ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc) {
    cellwise_kernels()->sgemm(m, n, k, a, lda, b, ldb, beta, c, ldc);
}
