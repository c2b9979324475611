// urdfdom is C++; this target exists only to carry pkg-config's flags (urdfdom) to CSim.
