// AVX2 + FMA versions of the pointwise kernels in NeuralCore/FastMath.swift (see the header).

#include "neural_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int nk_has_avx2_fma(void) {
    static int answer = -1;
    if (answer < 0) {
        __builtin_cpu_init();
        answer = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return answer;
}

#define AVX2 __attribute__((target("avx2,fma")))

// e^x: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial for e^r, 2^n from the exponent bits.
static inline AVX2 __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);  // 1.5 * 2^23: rounds n without a round instruction
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 expR = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(expR, scale);
}

static inline AVX2 void silu8(__m256 z, __m256 *value, __m256 *derivative) {
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), z))));
    *value = _mm256_mul_ps(z, s);
    *derivative = _mm256_mul_ps(s, _mm256_fmadd_ps(z, _mm256_sub_ps(one, s), one));
}

AVX2 void nk_silu_avx2(long rows, long columns, const float *source, long source_stride, const float *bias,
                       float *values, long value_stride, float *derivatives, long derivative_stride) {
    const long whole = columns & ~7L;
    for (long row = 0; row < rows; row++) {
        const float *z = source + row * source_stride;
        float *y = values + row * value_stride, *d = derivatives + row * derivative_stride;
        long c = 0;
        for (; c < whole; c += 8) {
            __m256 lanes = _mm256_loadu_ps(z + c);
            if (bias) lanes = _mm256_add_ps(lanes, _mm256_loadu_ps(bias + c));
            __m256 v, g;
            silu8(lanes, &v, &g);
            _mm256_storeu_ps(y + c, v);
            _mm256_storeu_ps(d + c, g);
        }
        if (c < columns) {  // the tail padded to eight lanes: every element sees the same arithmetic
            float in[8] = {0}, out[8], grad[8];
            for (long k = 0; k < columns - c; k++) in[k] = z[c + k] + (bias ? bias[c + k] : 0.0f);
            __m256 v, g;
            silu8(_mm256_loadu_ps(in), &v, &g);
            _mm256_storeu_ps(out, v);
            _mm256_storeu_ps(grad, g);
            for (long k = 0; k < columns - c; k++) { y[c + k] = out[k]; d[c + k] = grad[k]; }
        }
    }
}

// s(1 - s)(2 + z(1 - 2s)), s = sigmoid(z): SiLU's second derivative.
static inline AVX2 __m256 silu_second8(__m256 z) {
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), z))));
    __m256 curve = _mm256_fmadd_ps(z, _mm256_fnmadd_ps(two, s, one), two);
    return _mm256_mul_ps(_mm256_mul_ps(s, _mm256_sub_ps(one, s)), curve);
}

static inline AVX2 void silu_second_order8(const float *derivative, const float *tangent, const float *gradient, const float *input,
                                           float *output_tangent, float *adjoint, int accumulate) {
    __m256 v = _mm256_loadu_ps(tangent);
    __m256 r = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(gradient), v), silu_second8(_mm256_loadu_ps(input)));
    if (accumulate) r = _mm256_add_ps(r, _mm256_loadu_ps(adjoint));
    if (derivative && output_tangent) _mm256_storeu_ps(output_tangent, _mm256_mul_ps(_mm256_loadu_ps(derivative), v));
    _mm256_storeu_ps(adjoint, r);
}

AVX2 void nk_silu_second_order_avx2(long count, const float *derivative, const float *tangent, const float *gradient,
                                    const float *input, float *output_tangent, float *adjoint, int accumulate) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        silu_second_order8(derivative ? derivative + i : 0, tangent + i, gradient + i, input + i,
                           output_tangent ? output_tangent + i : 0, adjoint + i, accumulate);
    }
    if (i < count) {  // the tail padded to eight lanes: every element sees the same arithmetic
        float d[8] = {0}, v[8] = {0}, g[8] = {0}, z[8] = {0}, t[8], a[8] = {0};
        for (long k = 0; k < count - i; k++) {
            if (derivative) d[k] = derivative[i + k];
            v[k] = tangent[i + k]; g[k] = gradient[i + k]; z[k] = input[i + k]; a[k] = adjoint[i + k];
        }
        silu_second_order8(d, v, g, z, t, a, accumulate);
        for (long k = 0; k < count - i; k++) {
            if (derivative && output_tangent) output_tangent[i + k] = t[k];
            adjoint[i + k] = a[k];
        }
    }
}

#else

#include <stdlib.h>

int nk_has_avx2_fma(void) { return 0; }

/* Without x86 there is no AVX2 kernel: callers check nk_has_avx2_fma() first, so reaching one of
   these is a programming error, and computing nothing would hand back garbage silently. */

void nk_silu_second_order_avx2(long count, const float *derivative, const float *tangent, const float *gradient,
                               const float *input, float *output_tangent, float *adjoint, int accumulate) {
    (void)count; (void)derivative; (void)tangent; (void)gradient; (void)input; (void)output_tangent; (void)adjoint; (void)accumulate;
    abort();
}

void nk_silu_avx2(long rows, long columns, const float *source, long source_stride, const float *bias,
                  float *values, long value_stride, float *derivatives, long derivative_stride) {
    (void)rows; (void)columns; (void)source; (void)source_stride; (void)bias;
    (void)values; (void)value_stride; (void)derivatives; (void)derivative_stride;
    abort();
}

#endif
