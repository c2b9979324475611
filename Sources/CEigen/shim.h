// Eigen is header-only C++; this target exists only to carry pkg-config's include flags to CSim.
