// neural_kernels.h: pointwise kernels of NeuralCore compiled for AVX2 + FMA and chosen at run
// time, so that the package still builds for baseline x86-64 (Swift compiles SIMD8<Float> for
// SSE2 there). The Swift code in NeuralCore/FastMath.swift is the reference and the fallback.
#ifndef NEURAL_KERNELS_H
#define NEURAL_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs the AVX2 + FMA kernels below (checked once), else 0: then callers must
/// not call them.
int nk_has_avx2_fma(void);

/// SiLU over a (rows, columns) block: z = source + bias (bias per column, may be NULL),
/// values = z·σ(z), derivatives = σ(z)·(1 + z·(1 − σ(z))). Strides in floats; `values` may
/// alias `source`. exp is the Cephes polynomial of FastMath.swift with the same clamp to
/// [-87, 88], evaluated with fused multiply-adds.
void nk_silu_avx2(long rows, long columns, const float *source, long source_stride, const float *bias,
                  float *values, long value_stride, float *derivatives, long derivative_stride);

#ifdef __cplusplus
}
#endif

#endif
