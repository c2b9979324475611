// neural_kernels.h: kernels of NeuralCore compiled for AVX2 + FMA or AVX-512 and chosen at run
// time, so that the package still builds for baseline x86-64 (Swift compiles SIMD8<Float> for
// SSE2 there). The Swift code in NeuralCore/FastMath.swift is the reference and the fallback of
// the pointwise kernels; cblas_sgemm that of the gemm.
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

/// SiLU's second-order products over `count` elements: output_tangent = derivative · tangent (skipped when
/// either is NULL) and adjoint = gradient · tangent · φ''(input) (+ adjoint when `accumulate`), with
/// φ''(z) = σ(z)(1 − σ(z))(2 + z(1 − 2σ(z))) and σ from the exp of nk_silu_avx2. `adjoint` may alias
/// `input`, `gradient` or `tangent`. The tail is padded to eight lanes.
void nk_silu_second_order_avx2(long count, const float *derivative, const float *tangent, const float *gradient,
                               const float *input, float *output_tangent, float *adjoint, int accumulate);

/// 1 when this CPU (and OS) runs AVX-512 F/VL/BW/DQ code, else 0.
int nk_has_avx512(void);

/// Row-major C (m × n) = alpha · op(A) · op(B) + beta · C with AVX-512, one thread, the
/// cblas_sgemm contract (op(A): m × k, op(B): k × n; leading dimensions are row strides in floats;
/// beta == 0 overwrites C without reading it). Deterministic: each element sums over k in order,
/// one fused multiply-add at a time, within chunks of 256. Call only where nk_has_avx512().
/// Thread-safe; a thread that multiplies by a transposed A into ≥ 512 columns keeps a packing
/// buffer of up to m × 256 floats for later calls.
void nk_sgemm_avx512(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                     const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);

/// 1 when oneDNN's shared library (libdnnl.so.3 or .2, Debian libdnnl-dev) could be loaded at run
/// time and exports dnnl_sgemm, else 0 (checked once, thread-safe).
int nk_has_onednn(void);

/// The same product as nk_sgemm_avx512 by oneDNN's dnnl_sgemm on the calling thread alone (its
/// OpenMP thread count is set to 1 for this thread). oneDNN chooses its code from the CPU's
/// features; on one thread it is deterministic (same inputs → same bits). Returns 0 on success,
/// -1 when oneDNN is not loaded, else oneDNN's status.
int nk_sgemm_onednn(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a, long lda,
                    const float *b, long ldb, float beta, float *c, long ldc);

#ifdef __cplusplus
}
#endif

#endif
