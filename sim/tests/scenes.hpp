// scenes.hpp — MJCF scenes shared by the C++ test programs.
#pragma once
#include <string>

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
