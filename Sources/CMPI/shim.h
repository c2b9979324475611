// CMPI carries Open MPI's compiler and linker flags from pkg-config (`ompi-c`) to CCollective,
// which includes <mpi.h> itself only when these flags make it visible. No `link` line: -lmpi
// comes from pkg-config, so a machine without Open MPI builds CCollective's single-process stubs.
