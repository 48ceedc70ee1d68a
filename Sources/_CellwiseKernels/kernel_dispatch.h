// Private to the kernels: each instruction set's matrix product (gemm.c), each version's table
// (kernels.c), and the table in use (dispatch.c).
#ifndef CELLWISE_KERNEL_DISPATCH_H
#define CELLWISE_KERNEL_DISPATCH_H

#include "cellwise_kernels.h"

void cellwise_gemm_baseline(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b,
                            ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);
extern const struct cellwise_kernel_table cellwise_kernels_baseline;
#if defined(__x86_64__)
void cellwise_gemm_avx2(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b,
                        ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);
void cellwise_gemm_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b,
                          ptrdiff_t ldb, float beta, float *c, ptrdiff_t ldc);
extern const struct cellwise_kernel_table cellwise_kernels_avx2;
extern const struct cellwise_kernel_table cellwise_kernels_avx512;
#endif

/// The table in use (chosen on first use: the best version this processor runs).
const struct cellwise_kernel_table *cellwise_kernels(void);

#endif
