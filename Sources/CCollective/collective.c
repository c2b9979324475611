// collective.c: MPI_Init / MPI_Allgather / MPI_Barrier for data-parallel training, or stubs.
//
// Why a C shim and not a Swift system-library module over <mpi.h>: SwiftPM cannot make a target
// optional, and a module map naming mpi.h (or `link "mpi"`) fails the whole build on a machine
// without Open MPI. Here the system-library target CMPI only carries pkg-config's flags; when
// they are absent <mpi.h> is not visible and this file compiles the stubs at the bottom.

#include "collective.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>

static void coll_message(char *message, size_t capacity, const char *text) {
    if (message && capacity > 0) snprintf(message, capacity, "%s", text);
}

int coll_isLaunchedByMPI(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL || getenv("PMI_SIZE") != NULL;
}

#if __has_include(<mpi.h>)
#include <mpi.h>

static int coll_initialized = 0;

static void coll_finalize(void) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

// The MPI error string of `code`, prefixed by the call's name.
static int coll_failure(const char *call, int code, char *message, size_t capacity) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) snprintf(text, sizeof text, "error %d", code);
    if (message && capacity > 0) snprintf(message, capacity, "%s: %s", call, text);
    return COLL_ERR_MPI;
}

int coll_isAvailable(void) { return 1; }

int coll_initialize(int *rank, int *size, char *message, size_t capacity) {
    if (!rank || !size) { coll_message(message, capacity, "coll_initialize: null pointer"); return COLL_ERR_ARGUMENT; }
    if (!coll_initialized) {
        int code = MPI_Init(NULL, NULL);
        if (code != MPI_SUCCESS) return coll_failure("MPI_Init", code, message, capacity);
        // errors come back as codes (the default handler aborts the job without a message from us)
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        atexit(coll_finalize);
        coll_initialized = 1;
    }
    int code = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (code != MPI_SUCCESS) return coll_failure("MPI_Comm_rank", code, message, capacity);
    code = MPI_Comm_size(MPI_COMM_WORLD, size);
    if (code != MPI_SUCCESS) return coll_failure("MPI_Comm_size", code, message, capacity);
    return COLL_OK;
}

int coll_allGather(const void *sent, size_t bytes, void *received, char *message, size_t capacity) {
    if (!coll_initialized) { coll_message(message, capacity, "coll_allGather: MPI is not initialised"); return COLL_ERR_ARGUMENT; }
    if ((!sent || !received) && bytes > 0) { coll_message(message, capacity, "coll_allGather: null buffer"); return COLL_ERR_ARGUMENT; }
    if (bytes > (size_t)INT_MAX) { coll_message(message, capacity, "coll_allGather: block over INT_MAX bytes"); return COLL_ERR_ARGUMENT; }
    int code = MPI_Allgather(sent, (int)bytes, MPI_BYTE, received, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? COLL_OK : coll_failure("MPI_Allgather", code, message, capacity);
}

int coll_allToAll(const void *sent, size_t bytes, void *received, char *message, size_t capacity) {
    if (!coll_initialized) { coll_message(message, capacity, "coll_allToAll: MPI is not initialised"); return COLL_ERR_ARGUMENT; }
    if ((!sent || !received) && bytes > 0) { coll_message(message, capacity, "coll_allToAll: null buffer"); return COLL_ERR_ARGUMENT; }
    if (bytes > (size_t)INT_MAX) { coll_message(message, capacity, "coll_allToAll: block over INT_MAX bytes"); return COLL_ERR_ARGUMENT; }
    int code = MPI_Alltoall(sent, (int)bytes, MPI_BYTE, received, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? COLL_OK : coll_failure("MPI_Alltoall", code, message, capacity);
}

int coll_barrier(char *message, size_t capacity) {
    if (!coll_initialized) { coll_message(message, capacity, "coll_barrier: MPI is not initialised"); return COLL_ERR_ARGUMENT; }
    int code = MPI_Barrier(MPI_COMM_WORLD);
    return code == MPI_SUCCESS ? COLL_OK : coll_failure("MPI_Barrier", code, message, capacity);
}

void coll_abort(int code) {
    if (coll_initialized) MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

double coll_wallTime(void) { return MPI_Wtime(); }

#else  // built without MPI: one process

int coll_isAvailable(void) { return 0; }

int coll_initialize(int *rank, int *size, char *message, size_t capacity) {
    (void)rank; (void)size;
    coll_message(message, capacity, "this ebm was built without MPI (install libopenmpi-dev, which pkg-config finds as ompi-c, and rebuild)");
    return COLL_ERR_UNAVAILABLE;
}

int coll_allGather(const void *sent, size_t bytes, void *received, char *message, size_t capacity) {
    (void)sent; (void)bytes; (void)received;
    coll_message(message, capacity, "built without MPI");
    return COLL_ERR_UNAVAILABLE;
}

int coll_allToAll(const void *sent, size_t bytes, void *received, char *message, size_t capacity) {
    (void)sent; (void)bytes; (void)received;
    coll_message(message, capacity, "built without MPI");
    return COLL_ERR_UNAVAILABLE;
}

int coll_barrier(char *message, size_t capacity) {
    coll_message(message, capacity, "built without MPI");
    return COLL_ERR_UNAVAILABLE;
}

void coll_abort(int code) { exit(code); }

double coll_wallTime(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#endif
