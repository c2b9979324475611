// pugixml is C++; this target exists only to carry pkg-config's flags to CSim.
