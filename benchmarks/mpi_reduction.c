// mpi_reduction.c: the time of one training step's gradient reduction as `ebm train` does it under
// MPI (Sources/EnergyModels/Trainer+DataParallel.swift): MPI_Alltoall of every rank's P floats cut
// into N slices, the sum of each slice over the N shares in share order, MPI_Allgather of the
// slice sums, plus the small MPI_Allgather of the partial losses. Prints JSON per message size.
//
//   mpicc -O2 benchmarks/mpi_reduction.c -o /tmp/mpi_reduction
//   mpirun --oversubscribe --allow-run-as-root -np 2 /tmp/mpi_reduction 145665 200
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long count = argc > 1 ? atol(argv[1]) : 145665;   // P: the default DSM model's parameters
    int repeats = argc > 2 ? atoi(argv[2]) : 200;
    long slice = (count + size - 1) / size;
    float *local = calloc((size_t)(size * slice), sizeof(float)), *received = calloc((size_t)(size * slice), sizeof(float));
    float *mine = calloc((size_t)slice, sizeof(float)), *all = calloc((size_t)(size * slice), sizeof(float));
    double partial[3] = {rank, 1, 0}, partials[3 * 1024];
    for (long i = 0; i < size * slice; i++) local[i] = (float)(i % 97) * 1e-3f;
    double best = 1e30, total = 0, summing = 0;
    for (int r = 0; r < repeats + 5; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        MPI_Alltoall(local, (int)(slice * sizeof(float)), MPI_BYTE, received, (int)(slice * sizeof(float)), MPI_BYTE, MPI_COMM_WORLD);
        double t1 = MPI_Wtime();
        for (long i = 0; i < slice; i++) mine[i] = received[i];
        for (int s = 1; s < size; s++) for (long i = 0; i < slice; i++) mine[i] += received[s * slice + i];
        double t2 = MPI_Wtime();
        MPI_Allgather(mine, (int)(slice * sizeof(float)), MPI_BYTE, all, (int)(slice * sizeof(float)), MPI_BYTE, MPI_COMM_WORLD);
        MPI_Allgather(partial, 3, MPI_DOUBLE, partials, 3, MPI_DOUBLE, MPI_COMM_WORLD);
        double t3 = MPI_Wtime();
        if (r >= 5) { total += t3 - t0; summing += t2 - t1; if (t3 - t0 < best) best = t3 - t0; }
    }
    if (rank == 0)
        printf("{\"ranks\": %d, \"parameters\": %ld, \"bytes_per_rank\": %ld, \"mean_ms\": %.4f, \"best_ms\": %.4f, \"sum_ms\": %.4f}\n",
               size, count, (long)(2 * slice * (size - 1) * sizeof(float)), 1e3 * total / repeats, 1e3 * best, 1e3 * summing / repeats);
    free(local); free(received); free(mine); free(all);
    MPI_Finalize();
    return 0;
}
