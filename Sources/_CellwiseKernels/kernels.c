#include "cellwise_kernels.h"
#include <math.h>
#include <string.h>

// Fuse a * b + c into one FMA across statements too (the kernels are written for it); a pragma
// rather than -ffp-contract=fast, so that the package needs no unsafe compiler flags.
#pragma clang fp contract(fast)

#if defined(__x86_64__) && defined(__linux__)
#define CELLWISE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CELLWISE_CLONES
#endif

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
#define INPUT_V(z, addend, i, scale, offset) \
    (((addend) ? LOAD_V((z) + (i)) + LOAD_V((addend) + (i)) : LOAD_V((z) + (i))) * (scale) + (offset))

static inline float input_s(const float *z, const float *addend, ptrdiff_t i, float scale, float offset) {
    float x = z[i];
    if (addend) x += addend[i];
    return x * scale + offset;
}

CELLWISE_CLONES
void cellwise_horner(const float *z, const float *addend, float *out, ptrdiff_t count,
                     float scale, float offset, const float *c, int m, int parity, float constant) {
    const vf vscale = SPLAT(scale), voffset = SPLAT(offset), vconstant = SPLAT(constant);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], v[CHAINS], acc[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, voffset);
            v[j] = parity == CELLWISE_PARITY_NONE ? u[j] : u[j] * u[j];
            acc[j] = SPLAT(c[m - 1]);
        }
        for (int k = m - 2; k >= 0; k--) {
            const vf ck = SPLAT(c[k]);
            for (int j = 0; j < CHAINS; j++) acc[j] = acc[j] * v[j] + ck;
        }
        for (int j = 0; j < CHAINS; j++) {
            STORE_V(out + base + j * LANES, (parity == CELLWISE_PARITY_ODD ? acc[j] * u[j] : acc[j]) + vconstant);
        }
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        const float x = parity == CELLWISE_PARITY_NONE ? u : u * u;
        float a = c[m - 1];
        for (int k = m - 2; k >= 0; k--) a = a * x + c[k];
        out[base] = (parity == CELLWISE_PARITY_ODD ? a * u : a) + constant;
    }
}

CELLWISE_CLONES
void cellwise_clenshaw(const float *z, const float *addend, float *out, ptrdiff_t count,
                       float scale, float offset, const float *c, int m) {
    // b_k = c_k + 2u b_{k+1} - b_{k+2};  S = c_0 + u b_1 - b_2.
    const vf vscale = SPLAT(scale), voffset = SPLAT(offset);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], u2[CHAINS], b1[CHAINS], b2[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, voffset);
            u2[j] = u[j] + u[j];
            b1[j] = SPLAT(0.0f);
            b2[j] = SPLAT(0.0f);
        }
        for (int k = m - 1; k >= 1; k--) {
            const vf ck = SPLAT(c[k]);
            for (int j = 0; j < CHAINS; j++) {
                const vf b = u2[j] * b1[j] - b2[j] + ck;
                b2[j] = b1[j];
                b1[j] = b;
            }
        }
        for (int j = 0; j < CHAINS; j++) STORE_V(out + base + j * LANES, u[j] * b1[j] - b2[j] + c[0]);
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        float b1 = 0.0f, b2 = 0.0f;
        for (int k = m - 1; k >= 1; k--) {
            const float b = 2.0f * u * b1 - b2 + c[k];
            b2 = b1;
            b1 = b;
        }
        out[base] = u * b1 - b2 + c[0];
    }
}

CELLWISE_CLONES
void cellwise_clenshaw_odd(const float *z, const float *addend, float *out, ptrdiff_t count,
                           float scale, const float *c, int m, float constant) {
    // p(u) = u * sum_j c_j V_j(w), w = 2u^2 - 1, V_j of the third kind (V_0 = 1, V_1 = 2w - 1):
    // b_j = c_j + 2w b_{j+1} - b_{j+2};  S = c_0 + (2w - 1) b_1 - b_2.
    const vf vscale = SPLAT(scale), zero = SPLAT(0.0f);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], w2[CHAINS], b1[CHAINS], b2[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, zero);
            w2[j] = 4.0f * u[j] * u[j] - 2.0f;
            b1[j] = zero;
            b2[j] = zero;
        }
        for (int k = m - 1; k >= 1; k--) {
            const vf ck = SPLAT(c[k]);
            for (int j = 0; j < CHAINS; j++) {
                const vf b = w2[j] * b1[j] - b2[j] + ck;
                b2[j] = b1[j];
                b1[j] = b;
            }
        }
        for (int j = 0; j < CHAINS; j++) {
            STORE_V(out + base + j * LANES, u[j] * ((w2[j] - 1.0f) * b1[j] - b2[j] + c[0]) + constant);
        }
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, 0.0f);
        const float w2 = 4.0f * u * u - 2.0f;
        float b1 = 0.0f, b2 = 0.0f;
        for (int k = m - 1; k >= 1; k--) {
            const float b = w2 * b1 - b2 + c[k];
            b2 = b1;
            b1 = b;
        }
        out[base] = u * ((w2 - 1.0f) * b1 - b2 + c[0]) + constant;
    }
}

CELLWISE_CLONES
void cellwise_horner_split(const float *z, const float *addend, float *out, ptrdiff_t count,
                           float scale, float offset, const float *e, int me, const float *o, int mo) {
    // p(u) = E(w) + u O(w), w = 2u^2 - 1: E and O in the power basis of w (converted from the
    // Chebyshev T_j(w) and V_j(w) series), each by Horner's rule.
    const vf vscale = SPLAT(scale), voffset = SPLAT(offset);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], w[CHAINS], ea[CHAINS], oa[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, voffset);
            w[j] = 2.0f * u[j] * u[j] - 1.0f;
            ea[j] = SPLAT(me > 0 ? e[me - 1] : 0.0f);
            oa[j] = SPLAT(mo > 0 ? o[mo - 1] : 0.0f);
        }
        for (int k = me - 2; k >= 0; k--) {
            const vf ck = SPLAT(e[k]);
            for (int j = 0; j < CHAINS; j++) ea[j] = ea[j] * w[j] + ck;
        }
        for (int k = mo - 2; k >= 0; k--) {
            const vf ck = SPLAT(o[k]);
            for (int j = 0; j < CHAINS; j++) oa[j] = oa[j] * w[j] + ck;
        }
        for (int j = 0; j < CHAINS; j++) STORE_V(out + base + j * LANES, u[j] * oa[j] + ea[j]);
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        const float w = 2.0f * u * u - 1.0f;
        float ea = me > 0 ? e[me - 1] : 0.0f, oa = mo > 0 ? o[mo - 1] : 0.0f;
        for (int k = me - 2; k >= 0; k--) ea = ea * w + e[k];
        for (int k = mo - 2; k >= 0; k--) oa = oa * w + o[k];
        out[base] = u * oa + ea;
    }
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
