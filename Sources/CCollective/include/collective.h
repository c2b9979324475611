// collective.h: the few MPI calls data-parallel training makes, behind one prefix.
//
// Built against Open MPI when pkg-config finds `ompi-c` at build time (Debian: libopenmpi-dev),
// else as stubs that report COLL_ERR_UNAVAILABLE: a build without MPI still trains in one
// process. No MPI type crosses this header; buffers are raw bytes.
#ifndef COLLECTIVE_H
#define COLLECTIVE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COLL_OK 0
#define COLL_ERR_UNAVAILABLE 1  ///< built without MPI
#define COLL_ERR_MPI 2          ///< an MPI call failed (its message is in the caller's buffer)
#define COLL_ERR_ARGUMENT 3     ///< a null pointer, a size over INT_MAX, or not initialised

/// 1 when this build links MPI, else 0.
int coll_isAvailable(void);

/// 1 when the environment says an MPI launcher started this process (Open MPI's mpirun sets
/// OMPI_COMM_WORLD_SIZE, Slurm's srun with PMIx PMIX_RANK, PMI-1/2 launchers PMI_SIZE), else 0.
int coll_isLaunchedByMPI(void);

/// MPI_Init (once), then this process's rank and the world size. MPI_Finalize runs at exit.
/// Returns: COLL_OK, COLL_ERR_UNAVAILABLE or COLL_ERR_MPI (message filled).
/// Thread safety: call from one thread, before any other coll_ call.
int coll_initialize(int *rank, int *size, char *message, size_t messageCapacity);

/// MPI_Allgather of `bytes` bytes from every rank: `received` (size × bytes) holds rank 0's
/// block first, then rank 1's, … — the same bytes on every rank.
/// Returns: COLL_OK, COLL_ERR_ARGUMENT (bytes > INT_MAX, not initialised) or COLL_ERR_MPI.
int coll_allGather(const void *sent, size_t bytes, void *received, char *message, size_t messageCapacity);

/// MPI_Alltoall of `bytes` bytes per rank pair: `sent` (size × bytes) holds the block for rank 0
/// first, then rank 1's, …; `received` (size × bytes) rank 0's block for this rank first, then rank 1's, ….
/// Returns: COLL_OK, COLL_ERR_ARGUMENT (bytes > INT_MAX, not initialised) or COLL_ERR_MPI.
int coll_allToAll(const void *sent, size_t bytes, void *received, char *message, size_t messageCapacity);

/// MPI_Barrier over the world.
int coll_barrier(char *message, size_t messageCapacity);

/// MPI_Abort over the world with `code`: ends every rank (a rank that fails must not leave the
/// others waiting in a collective, nor wait for them in MPI_Finalize). Without MPI: exit(code).
void coll_abort(int code);

/// Seconds since an arbitrary origin (MPI_Wtime), or the monotonic clock without MPI.
double coll_wallTime(void);

#ifdef __cplusplus
}
#endif

#endif
