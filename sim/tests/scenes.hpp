// scenes.hpp — MJCF scenes shared by the C++ test programs.
#pragma once
#include <string>

#include "energysim.h"

/// A built-in robot's MJCF text (sim_builtinModelXML), or "" for an unknown name.
inline std::string builtinXML(const char* name) {
  size_t n = 0;
  if (sim_builtinModelXML(name, nullptr, 0, &n) != SIM_OK) return "";
  std::string xml(n + 1, '\0');
  sim_builtinModelXML(name, &xml[0], xml.size(), &n);
  xml.resize(n);
  return xml;
}

// A pile of 12 free bodies (boxes, spheres, capsules; two layers of 3 × 2, turned, some with a
// contact margin) dropped onto a plane: 66 filtered pairs (16 capsule–box), enough for the sweep-and-prune broad
// phase (collision.cpp), and body–body contacts as the pile settles.
inline std::string pileXML() {
  std::string xml = "<mujoco><option timestep=\"0.002\"/><worldbody><geom type=\"plane\" size=\"5 5 .1\"/>";
  for (int k = 0; k < 12; ++k) {
    const double x = 0.17 * (k % 3) - 0.17, y = 0.17 * ((k / 3) % 2) - 0.08, z = 0.15 + 0.22 * (k / 6);
    xml += "<body pos=\"" + std::to_string(x + 0.03 * (k / 6)) + " " + std::to_string(y) + " " + std::to_string(z) +
           "\" euler=\"" + std::to_string(17 * k) + " " + std::to_string(29 * k) + " " + std::to_string(7 * k) +
           "\"><freejoint/>";
    const std::string margin = k % 4 == 1 ? " margin=\"0.01\"" : "";
    if (k % 3 == 0) xml += "<geom type=\"box\" size=\"0.1 0.08 0.06\"" + margin + "/>";
    else if (k % 3 == 1) xml += "<geom type=\"sphere\" size=\"0.09\"" + margin + "/>";
    else xml += "<geom type=\"capsule\" fromto=\"-0.1 0 0 0.1 0 0\" size=\"0.05\"" + margin + "/>";
    xml += "</body>";
  }
  return xml + "</worldbody></mujoco>";
}

// The general convex collider's pairs (convex.cpp) as they settle: a cylinder dropped flat on a box
// (cylinder–box, multiccd contacts), an ellipsoid dropped on a standing cylinder
// (ellipsoid–cylinder), a capsule across a cylinder lying down (capsule–cylinder), and an
// ellipsoid on a tetrahedral mesh (ellipsoid–mesh) on the box; a plane under them.
inline std::string convexXML() {
  return "<mujoco><option timestep=\"0.002\"/><asset><mesh name=\"tet\" vertex=\"0 0 0  0.3 0 0  0 0.3 0  0 0 0.3\" "
         "face=\"0 2 1  0 1 3  0 3 2  1 2 3\"/></asset><worldbody><geom type=\"plane\" size=\"5 5 .1\"/>"
         "<geom type=\"box\" size=\"0.3 0.3 0.1\" pos=\"0 0 0.1\"/>"
         "<geom type=\"cylinder\" size=\"0.1 0.15\" pos=\"1 0 0.15\"/>"
         "<geom type=\"cylinder\" size=\"0.08 0.3\" pos=\"-1 0 0.08\" euler=\"90 0 0\"/>"
         "<geom type=\"mesh\" mesh=\"tet\" pos=\"0 1 0\"/>"
         "<body pos=\"0.02 0.01 0.4\" euler=\"2 1 0\"><freejoint/><geom type=\"cylinder\" size=\"0.1 0.1\" mass=\"1\"/></body>"
         "<body pos=\"1.02 0.01 0.6\" euler=\"10 20 5\"><freejoint/><geom type=\"ellipsoid\" size=\"0.08 0.1 0.12\" mass=\"1\"/></body>"
         "<body pos=\"-1 0.03 0.3\" euler=\"0 90 0\"><freejoint/><geom type=\"capsule\" size=\"0.04 0.2\" mass=\"1\"/></body>"
         "<body pos=\"0.06 1.05 0.5\" euler=\"5 10 0\"><freejoint/><geom type=\"ellipsoid\" size=\"0.06 0.08 0.1\" mass=\"1\"/></body>"
         "</worldbody></mujoco>";
}
