// Single-precision gemm for AVX-512 (see neural_kernels.h). Blocking, after Goto & van de Geijn,
// "Anatomy of high-performance matrix multiplication" (TOMS 2008): op(B) is packed per K chunk
// into 32-column panels that stay in L1; A is read in place (its elements are broadcast, so any
// layout serves; only a transposed A feeding ≥ 512 columns is packed, see below) and C is updated
// by 8 × 32 register tiles (16 zmm accumulators), or 8 × 16 for a last panel of ≤ 16 columns.

#include "neural_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include <stdlib.h>

int nk_has_avx512(void) {
    static int answer = -1;
    if (answer < 0) {
        __builtin_cpu_init();
        // __builtin_cpu_supports also checks that the OS saves the zmm state.
        answer = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
                 && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    }
    return answer;
}

#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define KC 256   // K chunk: a packed panel is KC × 32 floats = 32 KiB
#define NR 32    // panel width: two zmm
#define MR 8     // rows per register tile
#define PACK_A_COLUMNS 512  // pack op(A) = Aᵀ from this many columns of C on

// The first `count` of 16 lanes (none for count ≤ 0, all for count ≥ 16).
static inline __mmask16 first_lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

// Panel of op(B) = B (row-major k × n): rows kk.., columns jj.. (nc ≤ 32 of them), zero-padded.
static AVX512 void pack_panel(long kc, long nc, const float *b, long ldb, float *panel) {
    const __mmask16 low = first_lanes(nc), high = first_lanes(nc - 16);
    for (long p = 0; p < kc; p++) {
        const float *row = b + p * ldb;
        _mm512_store_ps(panel + p * NR, _mm512_maskz_loadu_ps(low, row));
        _mm512_store_ps(panel + p * NR + 16, _mm512_maskz_loadu_ps(high, row + 16));
    }
}

// 16 × 16 transpose in registers (rows[i] lane j → rows[j] lane i).
static inline AVX512 void transpose16(__m512 rows[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(rows[i], rows[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        rows[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        rows[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        rows[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        rows[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(rows[i], rows[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(rows[i], rows[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(rows[i + 8], rows[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(rows[i + 8], rows[i + 12], 0xDD);
    }
    for (int i = 0; i < 4; i++) {
        rows[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        rows[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
        rows[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        rows[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
    }
}

// Panel of op(B) = Bᵀ (B row-major n × k): panel[p][j] = B[jj + j][kk + p], by 16 × 16 blocks.
static AVX512 void pack_panel_transposed(long kc, long nc, const float *b, long ldb, float *panel) {
    for (long half = 0; half < NR; half += 16) {
        const long columns = nc - half;  // rows of B in this half
        for (long p = 0; p < kc; p += 16) {
            const long depth = kc - p < 16 ? kc - p : 16;
            const __mmask16 mask = first_lanes(depth);
            __m512 rows[16];
            for (int j = 0; j < 16; j++)
                rows[j] = j < columns ? _mm512_maskz_loadu_ps(mask, b + (half + j) * ldb + p) : _mm512_setzero_ps();
            transpose16(rows);
            for (int q = 0; q < depth; q++) _mm512_store_ps(panel + (p + q) * NR + half, rows[q]);
        }
    }
}

// C tile (rows × nc) = alpha · A tile · panel + beta · C, `rows` and `halves` (zmm per panel row:
// 2, or 1 where nc ≤ 16, so that a 16-column remainder costs no multiply-adds on padding) compile-time
// constants after inlining so that the accumulators live in registers.
static inline __attribute__((always_inline)) AVX512 void
tile(const int rows, const int halves, long kc, const float *a, long a_row, long a_col, const float *panel,
     float *c, long ldc, __mmask16 low, __mmask16 high, float alpha, float beta) {
    __m512 left[MR], right[MR];
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        left[r] = right[r] = _mm512_setzero_ps();
        if (beta != 0) {  // C is read only after the K loop: start fetching it now
            _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
            if (halves == 2) _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
        }
    }
    for (long p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_load_ps(panel + p * NR);
        const __m512 b1 = halves == 2 ? _mm512_load_ps(panel + p * NR + 16) : b0;
        const float *column = a + p * a_col;
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++) {
            const __m512 broadcast = _mm512_set1_ps(column[r * a_row]);
            left[r] = _mm512_fmadd_ps(broadcast, b0, left[r]);
            if (halves == 2) right[r] = _mm512_fmadd_ps(broadcast, b1, right[r]);
        }
    }
    const __m512 alphas = _mm512_set1_ps(alpha), betas = _mm512_set1_ps(beta);
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        float *out = c + r * ldc;
        __m512 v0 = _mm512_mul_ps(left[r], alphas);
        if (beta != 0) v0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(low, out), betas, v0);
        _mm512_mask_storeu_ps(out, low, v0);
        if (halves == 2) {
            __m512 v1 = _mm512_mul_ps(right[r], alphas);
            if (beta != 0) v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(high, out + 16), betas, v1);
            _mm512_mask_storeu_ps(out + 16, high, v1);
        }
    }
}

#define TILE_ROWS(halves)                                                                                   \
    switch (rows) {                                                                                         \
    case 8: tile(8, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 7: tile(7, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 6: tile(6, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 5: tile(5, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 4: tile(4, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 3: tile(3, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    case 2: tile(2, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;             \
    default: tile(1, halves, kc, a, a_row, a_col, panel, c, ldc, low, high, alpha, beta); break;            \
    }

static AVX512 void tile_any(long rows, long nc, long kc, const float *a, long a_row, long a_col, const float *panel,
                            float *c, long ldc, __mmask16 low, __mmask16 high, float alpha, float beta) {
    if (nc > 16) { TILE_ROWS(2) } else { TILE_ROWS(1) }
}

AVX512 void nk_sgemm_avx512(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                            const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return;
    }
    // Element (i, p) of op(A) is a[i · a_row + p · a_col].
    long a_row = transpose_a ? 1 : lda, a_col = transpose_a ? lda : 1;
    float panel[KC * NR] __attribute__((aligned(64)));
    // op(A) = Aᵀ is read down columns of A, one row of A per k step (with a power-of-two lda those
    // rows share a few L1 sets); where many panels reuse it (n ≥ PACK_A_COLUMNS), each K chunk of it
    // is packed once into MR-row blocks, contiguous per k step. Measured on Zen 4 (benchmarks/README.md):
    // +6 % at 512 × 512 × 1024, neutral at 256 × 256, −10 % at n = 80, where the copy is not repaid.
    // The buffer is per thread and kept (a fresh one per call would be page-faulted in every time);
    // an allocation failure leaves op(A) unpacked.
    static __thread float *packing_buffer;
    static __thread size_t packing_capacity;
    float *packed = NULL;
    if (transpose_a && n >= PACK_A_COLUMNS) {
        const size_t needed = (size_t)((m + MR - 1) / MR) * MR * KC;
        if (needed > packing_capacity) {
            free(packing_buffer);
            packing_buffer = aligned_alloc(64, needed * sizeof(float));
            packing_capacity = packing_buffer ? needed : 0;
        }
        packed = packing_buffer;
    }
    for (long kk = 0; kk < k; kk += KC) {
        const long kc = k - kk < KC ? k - kk : KC;
        const float chunk_beta = kk == 0 ? beta : 1;
        const float *chunk = a + kk * (transpose_a ? lda : 1);  // op(A)(0, kk)
        if (packed) {
            for (long ii = 0; ii < m; ii += MR) {
                const __mmask8 rows = m - ii >= MR ? (__mmask8)0xFF : (__mmask8)((1u << (m - ii)) - 1);
                for (long p = 0; p < kc; p++)
                    _mm256_store_ps(packed + ii * kc + p * MR, _mm256_maskz_loadu_ps(rows, chunk + p * lda + ii));
            }
            chunk = packed;
            a_row = 1;
            a_col = MR;
        }
        for (long jj = 0; jj < n; jj += NR) {
            const long nc = n - jj < NR ? n - jj : NR;
            if (transpose_b) pack_panel_transposed(kc, nc, b + jj * ldb + kk, ldb, panel);
            else pack_panel(kc, nc, b + kk * ldb + jj, ldb, panel);
            const __mmask16 low = first_lanes(nc), high = first_lanes(nc - 16);
            for (long ii = 0; ii < m; ii += MR) {
                const long rows = m - ii < MR ? m - ii : MR;
                const float *block = packed ? packed + ii * kc : chunk + ii * a_row;
                tile_any(rows, nc, kc, block, a_row, a_col, panel, c + ii * ldc + jj, ldc, low, high, alpha, chunk_beta);
            }
        }
    }
}

#else
int nk_has_avx512(void) { return 0; }
void nk_sgemm_avx512(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a,
                     long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    (void)transpose_a; (void)transpose_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
}
#endif
