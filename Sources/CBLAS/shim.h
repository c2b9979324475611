#include <cblas.h>

// LAPACK's symmetric eigensolver (divide and conquer), which OpenBLAS exports; Debian's
// openblas headers declare no LAPACK prototypes, so this one is declared here.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
