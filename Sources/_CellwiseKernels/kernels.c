#include "cellwise_kernels.h"
#include "kernel_dispatch.h"
#include <math.h>
#include <string.h>

// Nothing is fused behind the code's back: each fused multiply-add is written as one, so the
// result does not depend on what the compiler contracts for a given instruction set.
#pragma clang fp contract(off)

// A block of LANES * CHAINS elements is evaluated together: CHAINS independent vector
// recurrences keep the FMA pipelines busy while the coefficient loop runs, and every
// intermediate stays in registers.
#define LANES 16
#define CHAINS 4
#define BLOCK (LANES * CHAINS)

typedef float vf __attribute__((vector_size(LANES * sizeof(float))));

// Macros rather than functions: a function taking or returning `vf` would need one ABI per
// instruction set.
#define LOAD_V(p) ({ vf v_; memcpy(&v_, (p), sizeof v_); v_; })
#define STORE_V(p, v) do { vf s_ = (v); memcpy((p), &s_, sizeof s_); } while (0)
#define SPLAT(x) ((vf){} + (float)(x))
#define FMA_V(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#define FMA_S(a, b, c) __builtin_fmaf((a), (b), (c))
#define INPUT_V(z, addend, i, scale, offset) \
    FMA_V((addend) ? LOAD_V((z) + (i)) + LOAD_V((addend) + (i)) : LOAD_V((z) + (i)), (scale), (offset))
#define input_s(z, addend, i, scale, offset) \
    FMA_S((addend) ? (z)[i] + (addend)[i] : (z)[i], (scale), (offset))

#if defined(__x86_64__)
#define KERNEL(name) name##_avx512
#define KERNEL_ATTRIBUTES __attribute__((target("arch=x86-64-v4")))
#include "polynomial_kernels.h"
#undef KERNEL
#undef KERNEL_ATTRIBUTES

#define KERNEL(name) name##_avx2
#define KERNEL_ATTRIBUTES __attribute__((target("arch=x86-64-v3")))
#include "polynomial_kernels.h"
#undef KERNEL
#undef KERNEL_ATTRIBUTES
#endif

#define KERNEL(name) name##_baseline
#define KERNEL_ATTRIBUTES
#include "polynomial_kernels.h"
#undef KERNEL
#undef KERNEL_ATTRIBUTES

const struct cellwise_kernel_table cellwise_kernels_baseline = {
    horner_baseline, clenshaw_baseline, clenshaw_odd_baseline, horner_split_baseline, cellwise_gemm_baseline};
#if defined(__x86_64__)
const struct cellwise_kernel_table cellwise_kernels_avx2 = {
    horner_avx2, clenshaw_avx2, clenshaw_odd_avx2, horner_split_avx2, cellwise_gemm_avx2};
const struct cellwise_kernel_table cellwise_kernels_avx512 = {
    horner_avx512, clenshaw_avx512, clenshaw_odd_avx512, horner_split_avx512, cellwise_gemm_avx512};
#endif

void cellwise_horner(const float *z, const float *addend, float *out, ptrdiff_t count, float scale, float offset,
                     const float *c, int m, int parity, float constant) {
    cellwise_kernels()->horner(z, addend, out, count, scale, offset, c, m, parity, constant);
}

void cellwise_clenshaw(const float *z, const float *addend, float *out, ptrdiff_t count, float scale, float offset,
                       const float *c, int m) {
    cellwise_kernels()->clenshaw(z, addend, out, count, scale, offset, c, m);
}

void cellwise_clenshaw_odd(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                           const float *c, int m, float constant) {
    cellwise_kernels()->clenshaw_odd(z, addend, out, count, scale, c, m, constant);
}

void cellwise_horner_split(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                           float offset, const float *e, int me, const float *o, int mo) {
    cellwise_kernels()->horner_split(z, addend, out, count, scale, offset, e, me, o, mo);
}

void cellwise_tanh(const float *z, const float *addend, float *out, ptrdiff_t count) {
    if (addend) {
        for (ptrdiff_t i = 0; i < count; i++) out[i] = tanhf(z[i] + addend[i]);
    } else {
        for (ptrdiff_t i = 0; i < count; i++) out[i] = tanhf(z[i]);
    }
}

void cellwise_sigmoid(const float *z, const float *addend, float *out, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) {
        const float x = addend ? z[i] + addend[i] : z[i];
        // Written so that neither branch overflows: exp of a non-positive argument only.
        out[i] = x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
    }
}
