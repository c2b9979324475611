// sgemm_libraries.c: the candidate matrix-product libraries side by side on one thread, at 1024³
// and at the reference network's own shapes (issue 22, item 1). Build and run through
// benchmarks/sgemm_libraries.sh, which compiles in whichever of OpenBLAS, BLIS, libxsmm and
// oneDNN are installed (HAVE_BLIS, HAVE_XSMM, HAVE_DNNL) and sets every library to one thread.
//
// Each product is row-major C (m × n) = op(A) · op(B), beta = 0, with the transpositions the
// network uses (Sources/NeuralCore/Linear.swift):
//   forward          NT  C(batch × out) = X(batch × in) · Wᵀ
//   input gradient   NN  C(batch × in)  = G(batch × out) · W(out × in)
//   weight gradient  TN  C(out × in)    = Gᵀ(out × batch) · X(batch × in)
// Rate = 2·m·n·k / seconds per call, per timed window of process CPU time (steadier than the wall
// clock on a shared machine; every library runs on the calling thread). Each library gets `runs`
// windows, the libraries taking turns window by window; the table prints min / median / max
// GFLOP/s and the median as % of the core's peak
// (peak = FLOP per cycle × the clock measured here by a chain of dependent adds). Every library is
// also checked: its result against a Float64 product (max relative error) and bit-identical on a
// repeated call ("det").
//
// Output: one line per (shape, library); with --json one JSON array instead.

#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include "neural_kernels.h"
#ifdef HAVE_BLIS
#include <blis.h>
#endif
#ifdef HAVE_XSMM
#include <libxsmm.h>
#endif
#ifdef HAVE_DNNL
#include <dnnl.h>
#endif

typedef struct { long m, n, k; int ta, tb; const char *name; } Shape;

// One candidate: multiplies row-major op(A) · op(B) into C (beta = 0); returns 0 when it cannot
// run this shape.
typedef int (*Product)(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc);

static int run_own(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    if (!nk_has_avx512()) return 0;
    nk_sgemm_avx512(s->ta, s->tb, s->m, s->n, s->k, 1, a, lda, b, ldb, 0, c, ldc);
    return 1;
}

static int run_openblas(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans, s->tb ? CblasTrans : CblasNoTrans, (int)s->m,
                (int)s->n, (int)s->k, 1, a, (int)lda, b, (int)ldb, 0, c, (int)ldc);
    return 1;
}

#ifdef HAVE_BLIS
// BLIS takes row and column strides, so row-major needs no transposition trick.
static int run_blis(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    float one = 1, zero = 0;
    bli_sgemm(s->ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s->tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s->m, s->n, s->k,
              &one, (float *)a, lda, 1, (float *)b, ldb, 1, &zero, c, ldc, 1);
    return 1;
}
#endif

#ifdef HAVE_DNNL
static int run_dnnl(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    return dnnl_sgemm(s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->m, s->n, s->k, 1, a, lda, b, ldb, 0, c, ldc) == dnnl_success;
}
#endif

#ifdef HAVE_XSMM
// libxsmm is column-major: row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. its
// product with the operands swapped. Its JIT kernels are for small products (libxsmm's
// LIBXSMM_MAX_MNK = 64³), so the product is cut into tiles of C of at most 64 × 64 over the whole k,
// each a call of one JIT kernel ("xsmm"); "xsmm-sgemm" is libxsmm_sgemm, which JITs small products
// and hands larger ones to the BLAS it is linked with (here OpenBLAS).
#define XSMM_TILE 64
static int run_xsmm(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    // Column-major view: M = n, N = m, K = k, A' = b (trans tb), B' = a (trans ta).
    const libxsmm_blasint K = s->k, la = ldb, lb = lda, lc = ldc;
    const int flags = (s->tb ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (s->ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
    const float alpha = 1, beta = 0;
    for (long j = 0; j < s->m; j += XSMM_TILE) {           // columns of the column-major C'
        const libxsmm_blasint nb = s->m - j < XSMM_TILE ? s->m - j : XSMM_TILE;
        for (long i = 0; i < s->n; i += XSMM_TILE) {       // rows of C'
            const libxsmm_blasint mb = s->n - i < XSMM_TILE ? s->n - i : XSMM_TILE;
            libxsmm_smmfunction kernel = libxsmm_smmdispatch(mb, nb, K, &la, &lb, &lc, &alpha, &beta, &flags, NULL);
            if (!kernel) return 0;
            // A' tile: rows i.. of A' (= columns i.. of op(B)): b + i (tb = 0) or b + i·ldb (tb = 1).
            const float *ap = s->tb ? b + i * ldb : b + i;
            const float *bp = s->ta ? a + j : a + j * lda;
            kernel(ap, bp, c + j * ldc + i);
        }
    }
    return 1;
}

static int run_xsmm_sgemm(const Shape *s, const float *a, long lda, const float *b, long ldb, float *c, long ldc) {
    const char ta = s->tb ? 'T' : 'N', tb = s->ta ? 'T' : 'N';
    const libxsmm_blasint M = s->n, N = s->m, K = s->k, la = ldb, lb = lda, lc = ldc;
    const float alpha = 1, beta = 0;
    libxsmm_sgemm(&ta, &tb, &M, &N, &K, &alpha, b, &la, a, &lb, &beta, c, &lc);
    return 1;
}
#endif

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

// Cycles per second of this core: a chain of dependent integer adds retires one per cycle.
static double measured_clock_hz(void) {
    double best = 0;
    for (int trial = 0; trial < 5; trial++) {
        uint64_t x = 0;
        const long adds = 200000000;
        const double start = cpu_seconds();
        for (long i = 0; i < adds / 8; i++) {
            __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                             "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
        }
        const double hz = adds / (cpu_seconds() - start);
        if (hz > best) best = hz;
    }
    return best;
}

static int compare_doubles(const void *x, const void *y) {
    const double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

typedef struct { const char *name; Product product; } Library;

int main(int argc, char **argv) {
    int runs = 7, json = 0;
    double window = 0.2;
    long batches[2] = {128, 1024};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--window") && i + 1 < argc) window = atof(argv[++i]);
        else { fprintf(stderr, "usage: %s [--runs N] [--window SECONDS] [--json]\n", argv[0]); return 2; }
    }
    if (runs < 1 || runs > 1000 || !(window > 0 && window < 60)) { fprintf(stderr, "bad --runs or --window\n"); return 2; }

    Library libraries[8];
    int count = 0;
    libraries[count++] = (Library){"own-avx512", run_own};
    libraries[count++] = (Library){"openblas", run_openblas};
#ifdef HAVE_BLIS
    bli_thread_set_num_threads(1);
    libraries[count++] = (Library){"blis", run_blis};
#endif
#ifdef HAVE_XSMM
    libxsmm_init();
    libraries[count++] = (Library){"xsmm", run_xsmm};
    libraries[count++] = (Library){"xsmm-sgemm", run_xsmm_sgemm};
#endif
#ifdef HAVE_DNNL
    libraries[count++] = (Library){"onednn", run_dnnl};
#endif
    openblas_set_num_threads(1);

    // 1024³ and, per batch, the three products of each layer shape the networks use:
    // 80 → 256 (the reference network's first layer), 256 → 256, 512 → 512.
    Shape shapes[32];
    int shape_count = 0;
    shapes[shape_count++] = (Shape){1024, 1024, 1024, 0, 0, "square"};
    const long widths[3][2] = {{80, 256}, {256, 256}, {512, 512}};
    for (int bi = 0; bi < 2; bi++) {
        for (int w = 0; w < 3; w++) {
            const long batch = batches[bi], in = widths[w][0], out = widths[w][1];
            shapes[shape_count++] = (Shape){batch, out, in, 0, 1, "forward"};
            shapes[shape_count++] = (Shape){batch, in, out, 0, 0, "input-grad"};
            shapes[shape_count++] = (Shape){out, in, batch, 1, 0, "weight-grad"};
        }
    }

    const double hz = measured_clock_hz();
    const double flops_per_cycle = 32;  // one 512-bit FMA per cycle: 16 lanes × 2 (Zen 4: two 256-bit pipes)
    const double peak = flops_per_cycle * hz * 1e-9;
    if (!json) {
        printf("clock %.2f GHz (dependent adds), peak %.1f GFLOP/s at %.0f FLOP/cycle; %d runs of %.2f s CPU time each\n",
               hz * 1e-9, peak, flops_per_cycle, runs, window);
#ifdef HAVE_BLIS
        printf("BLIS %s, kernels for %s\n", bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
#endif
        printf("OpenBLAS kernels: %s\n", openblas_get_corename());
        printf("%-11s %5s %5s %5s %2s  %-11s %8s %8s %8s %6s  %9s %s\n", "product", "m", "n", "k", "op", "library",
               "min", "median", "max", "%peak", "rel.err", "det");
    } else {
        printf("{\"clock_ghz\": %.3f, \"peak_gflops\": %.2f, \"rows\": [\n", hz * 1e-9, peak);
    }

    int first_row = 1;
    unsigned seed = 12345;
    for (int si = 0; si < shape_count; si++) {
        const Shape *s = &shapes[si];
        const long a_rows = s->ta ? s->k : s->m, a_cols = s->ta ? s->m : s->k;
        const long b_rows = s->tb ? s->n : s->k, b_cols = s->tb ? s->k : s->n;
        float *a = aligned_alloc(64, ((a_rows * a_cols * 4 + 63) / 64) * 64);
        float *b = aligned_alloc(64, ((b_rows * b_cols * 4 + 63) / 64) * 64);
        float *c = aligned_alloc(64, ((s->m * s->n * 4 + 63) / 64) * 64);
        float *again = malloc(s->m * s->n * sizeof(float));
        double *reference = calloc(s->m * s->n, sizeof(double));
        if (!a || !b || !c || !again || !reference) { fprintf(stderr, "out of memory\n"); return 1; }
        for (long i = 0; i < a_rows * a_cols; i++) a[i] = (float)rand_r(&seed) / RAND_MAX * 2 - 1;
        for (long i = 0; i < b_rows * b_cols; i++) b[i] = (float)rand_r(&seed) / RAND_MAX * 2 - 1;
        double scale = 0;
        for (long i = 0; i < s->m; i++)
            for (long p = 0; p < s->k; p++) {
                const double x = s->ta ? a[p * a_cols + i] : a[i * a_cols + p];
                for (long j = 0; j < s->n; j++) reference[i * s->n + j] += x * (s->tb ? b[j * b_cols + p] : b[p * b_cols + j]);
            }
        for (long i = 0; i < s->m * s->n; i++) scale = fmax(scale, fabs(reference[i]));
        const double flops = 2.0 * s->m * s->n * s->k;
        // Check every library once (error against Float64, determinism), then time them
        // round-robin, one window each per run, so that a burst of load from other processes
        // falls on all of them alike rather than on whichever ran then.
        int runs_here[8] = {0}, deterministic[8] = {0};
        double errors[8] = {0}, rates[8][1000];
        for (int li = 0; li < count; li++) {
            const Library *lib = &libraries[li];
            if (!lib->product(s, a, a_cols, b, b_cols, c, s->n)) continue;
            runs_here[li] = 1;
            for (long i = 0; i < s->m * s->n; i++) errors[li] = fmax(errors[li], fabs(c[i] - reference[i]) / scale);
            memcpy(again, c, s->m * s->n * sizeof(float));
            lib->product(s, a, a_cols, b, b_cols, c, s->n);
            deterministic[li] = !memcmp(again, c, s->m * s->n * sizeof(float));
        }
        for (int r = 0; r < runs; r++) {
            for (int li = 0; li < count; li++) {
                if (!runs_here[li]) continue;
                long calls = 0;
                const double start = cpu_seconds();
                double elapsed;
                do {
                    libraries[li].product(s, a, a_cols, b, b_cols, c, s->n);
                    calls++;
                    elapsed = cpu_seconds() - start;
                } while (elapsed < window);
                rates[li][r] = flops * calls / elapsed * 1e-9;
            }
        }
        for (int li = 0; li < count; li++) {
            if (!runs_here[li]) continue;
            const Library *lib = &libraries[li];
            double *sorted = rates[li];
            qsort(sorted, runs, sizeof(double), compare_doubles);
            const double median = runs % 2 ? sorted[runs / 2] : 0.5 * (sorted[runs / 2 - 1] + sorted[runs / 2]);
            const char *op = s->ta ? (s->tb ? "TT" : "TN") : (s->tb ? "NT" : "NN");
            if (json) {
                printf("%s  {\"product\": \"%s\", \"m\": %ld, \"n\": %ld, \"k\": %ld, \"op\": \"%s\", \"library\": \"%s\", "
                       "\"gflops_min\": %.2f, \"gflops_median\": %.2f, \"gflops_max\": %.2f, \"relative_error\": %.3g, "
                       "\"deterministic\": %s}", first_row ? "" : ",\n", s->name, s->m, s->n, s->k, op, lib->name, sorted[0],
                       median, sorted[runs - 1], errors[li], deterministic[li] ? "true" : "false");
                first_row = 0;
            } else {
                printf("%-11s %5ld %5ld %5ld %2s  %-11s %8.1f %8.1f %8.1f %5.0f%%  %9.1e %s\n", s->name, s->m, s->n, s->k, op,
                       lib->name, sorted[0], median, sorted[runs - 1], 100 * median / peak, errors[li],
                       deterministic[li] ? "yes" : "NO");
            }
            fflush(stdout);
        }
        free(a); free(b); free(c); free(again); free(reference);
    }
    if (json) printf("\n]}\n");
    return 0;
}
