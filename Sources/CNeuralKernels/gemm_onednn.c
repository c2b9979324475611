// oneDNN's sgemm (Debian libdnnl-dev, the library PyTorch itself uses on the CPU) as an optional
// kernel: loaded with dlopen at first use, so the package builds and runs where it is missing
// (see neural_kernels.h). oneDNN picks its own code from the CPU's features (AVX-512, AVX2, …).

#include "neural_kernels.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

// dnnl_sgemm: row-major C = alpha · op(A) · op(B) + beta · C; returns dnnl_success (0) or an error.
typedef int (*dnnl_sgemm_fn)(char transa, char transb, long long m, long long n, long long k, float alpha,
                             const float *a, long long lda, const float *b, long long ldb, float beta, float *c,
                             long long ldc);
// omp_set_num_threads of the OpenMP runtime oneDNN is built on (absent in other builds of it).
typedef void (*omp_set_num_threads_fn)(int);

static dnnl_sgemm_fn sgemm;
static omp_set_num_threads_fn set_threads;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    static const char *const names[] = {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !sgemm; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!library) continue;
        sgemm = (dnnl_sgemm_fn)dlsym(library, "dnnl_sgemm");
        if (!sgemm) { dlclose(library); continue; }
        // Resolved through oneDNN's own dependencies (libgomp for Debian's build).
        set_threads = (omp_set_num_threads_fn)dlsym(library, "omp_set_num_threads");
    }
}

int nk_has_onednn(void) {
    pthread_once(&load_once, load);
    return sgemm != NULL;
}

int nk_sgemm_onednn(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a, long lda,
                    const float *b, long ldb, float beta, float *c, long ldc) {
    if (!nk_has_onednn()) return -1;
    // One thread, the caller's: OpenMP's thread count is per calling thread, so this leaves other
    // threads' settings alone.
    if (set_threads) set_threads(1);
    return sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
