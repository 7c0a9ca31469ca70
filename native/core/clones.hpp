// Function multiversioning for the dense loops (engine/kernels.hpp, optim.cc, the bench's floor
// kernels): on x86-64 Linux with GCC (glibc's ifunc), a function marked SPIKEGRAD_AVX2_CLONES is
// compiled twice, for the build's instruction-set level and for AVX2, and the loader picks the
// AVX2 clone where the CPU has it, so the portable prebuild (-march=x86-64-v2) runs 4-wide loops
// too. The AVX2 clone does not enable FMA (and the builds do not contract, -ffp-contract=off):
// both clones compute the same IEEE operations, so the results are the same bits on every CPU.
// Elsewhere (aarch64, macOS, wasm, clang, or a build at AVX2 already) SPIKEGRAD_AVX2_CLONES is
// empty and SPIKEGRAD_HAS_AVX2_CLONES is 0.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    defined(__GLIBC__) && !defined(__AVX2__)
#define SPIKEGRAD_HAS_AVX2_CLONES 1
#define SPIKEGRAD_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SPIKEGRAD_HAS_AVX2_CLONES 0
#define SPIKEGRAD_AVX2_CLONES
#endif
