#include "kernel_dispatch.h"

static int supported(int isa) {
    switch (isa) {
    case CELLWISE_ISA_BASELINE: return 1;
#if defined(__x86_64__)
    case CELLWISE_ISA_AVX2: __builtin_cpu_init(); return __builtin_cpu_supports("x86-64-v3");
    case CELLWISE_ISA_AVX512: __builtin_cpu_init(); return __builtin_cpu_supports("x86-64-v4");
#endif
    default: return 0;
    }
}

static int best(void) {
    if (supported(CELLWISE_ISA_AVX512)) return CELLWISE_ISA_AVX512;
    if (supported(CELLWISE_ISA_AVX2)) return CELLWISE_ISA_AVX2;
    return CELLWISE_ISA_BASELINE;
}

const struct cellwise_kernel_table *cellwise_kernels_on(int isa) {
    if (!supported(isa)) return NULL;
    switch (isa) {
#if defined(__x86_64__)
    case CELLWISE_ISA_AVX2: return &cellwise_kernels_avx2;
    case CELLWISE_ISA_AVX512: return &cellwise_kernels_avx512;
#endif
    default: return &cellwise_kernels_baseline;
    }
}

// 0 until chosen, then the instruction set + 1.
static int in_use;

int cellwise_use_isa(int isa) {
    if (isa == CELLWISE_ISA_BEST) isa = best();
    if (!supported(isa)) return -1;
    __atomic_store_n(&in_use, isa + 1, __ATOMIC_RELAXED);
    return 0;
}

int cellwise_isa_in_use(void) {
    int chosen = __atomic_load_n(&in_use, __ATOMIC_RELAXED);
    if (!chosen) {
        chosen = best() + 1;
        __atomic_store_n(&in_use, chosen, __ATOMIC_RELAXED);
    }
    return chosen - 1;
}

const struct cellwise_kernel_table *cellwise_kernels(void) { return cellwise_kernels_on(cellwise_isa_in_use()); }
