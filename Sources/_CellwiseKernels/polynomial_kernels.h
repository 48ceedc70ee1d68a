// The polynomial kernels' bodies, included once per instruction set by kernels.c with
// KERNEL(name) (the version's name) and KERNEL_ATTRIBUTES (its target) defined. Each rounding step
// is written out: a fused multiply-add (FMA_V, FMA_S) where one is meant, a separate multiply and
// add elsewhere, and the compiler fuses nothing else. So every version gives the same bits: the
// AVX-512 and AVX2 versions use the FMA instructions, the baseline libm's correctly rounded fmaf.
//
// Two steps are fused in some chains and not in others (ODD_TAIL_FUSED, W2_FUSED). They are the
// arithmetic the committed results were made with: these kernels used to leave fusion to the
// compiler (`fp contract(fast)`), and clang 21 fused those steps per chain as written here, the
// same way for AVX-512 and AVX2 but not at all for the baseline, which so gave other bits. Making
// them uniform changes last bits of the evaluator's activations, so it needs every committed
// result regenerated.
#define ODD_TAIL_FUSED(j) ((j) < CHAINS - 1)
#define W2_FUSED(j) ((j) == CHAINS - 1)

KERNEL_ATTRIBUTES
static void KERNEL(horner)(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                           float offset, const float *c, int m, int parity, float constant) {
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
            for (int j = 0; j < CHAINS; j++) acc[j] = FMA_V(acc[j], v[j], ck);
        }
        for (int j = 0; j < CHAINS; j++) {
            const vf odd = ODD_TAIL_FUSED(j) ? FMA_V(acc[j], u[j], vconstant) : acc[j] * u[j] + vconstant;
            STORE_V(out + base + j * LANES, parity == CELLWISE_PARITY_ODD ? odd : acc[j] + vconstant);
        }
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        const float x = parity == CELLWISE_PARITY_NONE ? u : u * u;
        float a = c[m - 1];
        for (int k = m - 2; k >= 0; k--) a = FMA_S(a, x, c[k]);
        out[base] = (parity == CELLWISE_PARITY_ODD ? a * u : a) + constant;
    }
}

KERNEL_ATTRIBUTES
static void KERNEL(clenshaw)(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                             float offset, const float *c, int m) {
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
                const vf b = FMA_V(u2[j], b1[j], -b2[j]) + ck;
                b2[j] = b1[j];
                b1[j] = b;
            }
        }
        for (int j = 0; j < CHAINS; j++) STORE_V(out + base + j * LANES, FMA_V(u[j], b1[j], -b2[j]) + c[0]);
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        float b1 = 0.0f, b2 = 0.0f;
        for (int k = m - 1; k >= 1; k--) {
            const float b = FMA_S(2.0f * u, b1, -b2) + c[k];
            b2 = b1;
            b1 = b;
        }
        out[base] = FMA_S(u, b1, -b2) + c[0];
    }
}

KERNEL_ATTRIBUTES
static void KERNEL(clenshaw_odd)(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                                 const float *c, int m, float constant) {
    // p(u) = u * sum_j c_j V_j(w), w = 2u^2 - 1, V_j of the third kind (V_0 = 1, V_1 = 2w - 1):
    // b_j = c_j + 2w b_{j+1} - b_{j+2};  S = c_0 + (2w - 1) b_1 - b_2.
    const vf vscale = SPLAT(scale), zero = SPLAT(0.0f);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], w2[CHAINS], b1[CHAINS], b2[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, zero);
            w2[j] = W2_FUSED(j) ? FMA_V(4.0f * u[j], u[j], SPLAT(-2.0f)) : 4.0f * u[j] * u[j] - 2.0f;
            b1[j] = zero;
            b2[j] = zero;
        }
        for (int k = m - 1; k >= 1; k--) {
            const vf ck = SPLAT(c[k]);
            for (int j = 0; j < CHAINS; j++) {
                const vf b = FMA_V(w2[j], b1[j], -b2[j]) + ck;
                b2[j] = b1[j];
                b1[j] = b;
            }
        }
        for (int j = 0; j < CHAINS; j++) {
            const vf s = FMA_V(w2[j] - 1.0f, b1[j], -b2[j]) + c[0];
            STORE_V(out + base + j * LANES, FMA_V(u[j], s, SPLAT(constant)));
        }
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, 0.0f);
        const float w2 = FMA_S(4.0f * u, u, -2.0f);
        float b1 = 0.0f, b2 = 0.0f;
        for (int k = m - 1; k >= 1; k--) {
            const float b = FMA_S(w2, b1, -b2) + c[k];
            b2 = b1;
            b1 = b;
        }
        out[base] = FMA_S(u, FMA_S(w2 - 1.0f, b1, -b2) + c[0], constant);
    }
}

KERNEL_ATTRIBUTES
static void KERNEL(horner_split)(const float *z, const float *addend, float *out, ptrdiff_t count, float scale,
                                 float offset, const float *e, int me, const float *o, int mo) {
    // p(u) = E(w) + u O(w), w = 2u^2 - 1: E and O in the power basis of w (converted from the
    // Chebyshev T_j(w) and V_j(w) series), each by Horner's rule.
    const vf vscale = SPLAT(scale), voffset = SPLAT(offset);
    ptrdiff_t base = 0;
    for (; base + BLOCK <= count; base += BLOCK) {
        vf u[CHAINS], w[CHAINS], ea[CHAINS], oa[CHAINS];
        for (int j = 0; j < CHAINS; j++) {
            u[j] = INPUT_V(z, addend, base + j * LANES, vscale, voffset);
            w[j] = FMA_V(2.0f * u[j], u[j], SPLAT(-1.0f));
            ea[j] = SPLAT(me > 0 ? e[me - 1] : 0.0f);
            oa[j] = SPLAT(mo > 0 ? o[mo - 1] : 0.0f);
        }
        for (int k = me - 2; k >= 0; k--) {
            const vf ck = SPLAT(e[k]);
            for (int j = 0; j < CHAINS; j++) ea[j] = FMA_V(ea[j], w[j], ck);
        }
        for (int k = mo - 2; k >= 0; k--) {
            const vf ck = SPLAT(o[k]);
            for (int j = 0; j < CHAINS; j++) oa[j] = FMA_V(oa[j], w[j], ck);
        }
        for (int j = 0; j < CHAINS; j++) STORE_V(out + base + j * LANES, FMA_V(u[j], oa[j], ea[j]));
    }
    for (; base < count; base++) {
        const float u = input_s(z, addend, base, scale, offset);
        const float w = FMA_S(2.0f * u, u, -1.0f);
        float ea = me > 0 ? e[me - 1] : 0.0f, oa = mo > 0 ? o[mo - 1] : 0.0f;
        for (int k = me - 2; k >= 0; k--) ea = FMA_S(ea, w, e[k]);
        for (int k = mo - 2; k >= 0; k--) oa = FMA_S(oa, w, o[k]);
        out[base] = FMA_S(u, oa, ea);
    }
}
