// urdf_test.cpp — URDF import (sim/src/urdf.cpp) through the C bridge: a small arm against
// closed forms, and hostile input (cycles, missing parents, duplicate names, missing files,
// truncated and mutated text) that must give a status and a file:line message, never a crash.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "energysim.h"

static int failures = 0;
#define CHECK(cond, what)                                               \
  do {                                                                  \
    if (!(cond)) { std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what); ++failures; } \
  } while (0)

static std::string write(const std::string& name, const std::string& text) {
  const std::string path = std::string("/tmp/urdf_test_") + name;
  std::ofstream(path) << text;
  return path;
}

static const char* kArm = R"(<robot name="arm">
  <link name="base"><collision><geometry><box size="0.2 0.2 0.1"/></geometry></collision></link>
  <link name="upper"><inertial><origin xyz="0 0 0.25"/><mass value="2"/>
    <inertia ixx="0.05" iyy="0.05" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <link name="lower"><inertial><origin xyz="0 0 0.2" rpy="0.1 0.2 0.3"/><mass value="1"/>
    <inertia ixx="0.02" iyy="0.03" izz="0.015" ixy="0.001" ixz="0" iyz="0"/></inertial></link>
  <link name="tool"/>
  <joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/>
    <origin xyz="0 0 0.1"/><axis xyz="0 1 0"/><limit lower="-2" upper="2" effort="10" velocity="3"/>
    <dynamics damping="0.1"/></joint>
  <joint name="elbow" type="continuous"><parent link="upper"/><child link="lower"/>
    <origin xyz="0 0 0.5"/><axis xyz="0 1 0"/></joint>
  <joint name="flange" type="fixed"><parent link="lower"/><child link="tool"/><origin xyz="0 0 0.4"/></joint>
</robot>
)";

static int load(const std::string& path, std::string& message) {
  simModel* m = nullptr;
  char buf[8192];
  const int s = sim_loadURDFFile(path.c_str(), nullptr, &m, buf, sizeof buf);
  message = buf;
  sim_deleteModel(m);
  return s;
}

static void expectError(const std::string& name, const std::string& text, const std::string& needle) {
  std::string msg;
  const int s = load(write(name, text), msg);
  CHECK(s != SIM_OK, ("refused: " + name).c_str());
  if (msg.find(needle) == std::string::npos) {
    std::printf("FAIL %s: message lacks '%s':\n%s\n", name.c_str(), needle.c_str(), msg.c_str());
    ++failures;
  }
}

static std::string replace(std::string s, const std::string& a, const std::string& b) {
  const size_t k = s.find(a);
  if (k != std::string::npos) s.replace(k, a.size(), b);
  return s;
}

int main() {
  // the arm: sizes, limits, mass properties; one hinge body falls as a compound pendulum
  const std::string arm = write("arm.urdf", kArm);
  simModel* m = nullptr;
  char msg[8192];
  int s = sim_loadURDFFile(arm.c_str(), nullptr, &m, msg, sizeof msg);
  CHECK(s == SIM_OK, msg);
  if (s == SIM_OK) {
    simSizes z;
    sim_modelSizes(m, &z);
    CHECK(z.nq == 2 && z.nv == 2 && z.nbody == 5 && z.ngeom == 1, "arm sizes");
    int32_t limited[2];
    double range[4];
    sim_jointInfo(m, nullptr, nullptr, limited, range, nullptr);
    CHECK(limited[0] == 1 && range[0] == -2 && range[1] == 2, "revolute limits");
    CHECK(limited[1] == 0, "continuous joint unlimited");
    double mass[5], inertia[45];
    sim_bodyInfo(m, nullptr, mass, nullptr, inertia);
    CHECK(mass[2] == 2 && mass[3] == 1, "link masses");
    // the rotated inertial: trace and the off-diagonal survive the principal-axes round trip
    const double* I = inertia + 27;
    CHECK(std::fabs(I[0] + I[4] + I[8] - 0.065) < 1e-12, "inertia trace kept under rotation");
    // at qpos 0, velocity 0: the elbow link (mass 1, com 0.2 up, rotated inertia) and the
    // shoulder's torque balance: the hanging-up arm at rest has zero acceleration by symmetry
    simState* st = nullptr;
    sim_makeState(m, &st);
    const double q[2] = {0, 0}, v[2] = {0, 0};
    sim_setState(m, st, q, v, nullptr);
    sim_forward(m, st);
    double a[2];
    sim_getState(m, st, nullptr, nullptr, a, nullptr, nullptr);
    CHECK(std::fabs(a[0]) < 1e-12 && std::fabs(a[1]) < 1e-12, "upright arm in equilibrium");
    sim_deleteState(st);
    sim_deleteModel(m);
  }
  // the MJCF text it imports as loads to the same sizes
  size_t n = 0;
  s = sim_urdfToMJCF(arm.c_str(), nullptr, nullptr, 0, &n, msg, sizeof msg);
  CHECK(s == SIM_OK && n > 100, "urdfToMJCF length");
  std::vector<char> xml(n + 1);
  sim_urdfToMJCF(arm.c_str(), nullptr, xml.data(), xml.size(), &n, msg, sizeof msg);
  s = sim_loadModelString(xml.data(), "arm.xml", &m, msg, sizeof msg);
  CHECK(s == SIM_OK, msg);
  sim_deleteModel(m);
  // sim_loadModelFile takes URDF too (root element <robot>)
  s = sim_loadModelFile(arm.c_str(), &m, msg, sizeof msg);
  CHECK(s == SIM_OK, msg);
  sim_deleteModel(m);

  // every joint kind: planar (2 slides + hinge), floating (free), a mimic (joint equality)
  {
    const std::string kinds = write("kinds.urdf", R"(<robot name="kinds">
  <link name="world"/>
  <link name="body"><inertial><mass value="2"/><inertia ixx="0.3" iyy="0.25" izz="0.2" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <link name="a"><inertial><mass value="1"/><inertia ixx="0.1" iyy="0.1" izz="0.1" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <link name="b"><inertial><mass value="1"/><inertia ixx="0.1" iyy="0.1" izz="0.1" ixy="0" ixz="0" iyz="0"/></inertial></link>
  <joint name="float" type="floating"><parent link="world"/><child link="body"/><origin xyz="0 0 1"/></joint>
  <joint name="pl" type="planar"><parent link="body"/><child link="a"/><axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>
  <joint name="m" type="continuous"><parent link="a"/><child link="b"/><mimic joint="pl_RZ" multiplier="2" offset="0.1"/></joint>
</robot>
)");
    s = sim_loadURDFFile(kinds.c_str(), nullptr, &m, msg, sizeof msg);
    CHECK(s == SIM_OK, msg);
    if (s == SIM_OK) {
      simSizes z;
      sim_modelSizes(m, &z);
      CHECK(z.nq == 7 + 3 + 1 && z.nv == 6 + 3 + 1 && z.njoint == 5, "free + planar + hinge sizes");
      CHECK(std::string(sim_name(m, 1, 1)) == "pl_TX" && std::string(sim_name(m, 1, 3)) == "pl_RZ", "planar joint names");
      int32_t type[5];
      sim_jointInfo(m, type, nullptr, nullptr, nullptr, nullptr);
      CHECK(type[0] == SIM_JOINT_FREE && type[1] == SIM_JOINT_SLIDE && type[3] == SIM_JOINT_HINGE, "joint types");
      sim_deleteModel(m);
    }
    n = 0;
    sim_urdfToMJCF(kinds.c_str(), nullptr, nullptr, 0, &n, msg, sizeof msg);
    std::vector<char> text(n + 1);
    sim_urdfToMJCF(kinds.c_str(), nullptr, text.data(), text.size(), &n, msg, sizeof msg);
    CHECK(std::string(text.data()).find("<joint joint1=\"m\" joint2=\"pl_RZ\" polycoef=\"0.10000000000000001 2 0 0 0\"/>") !=
              std::string::npos, "mimic as a joint equality");
  }
  // package:// through the package path; without it, a clear error
  {
    std::system("mkdir -p /tmp/urdf_test_pkgs/mypkg/meshes");
    std::ofstream("/tmp/urdf_test_pkgs/mypkg/meshes/tet.obj")
        << "v 0 0 0\nv 0.1 0 0\nv 0 0.1 0\nv 0 0 0.1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";
    const std::string withMesh = write("pkg.urdf", replace(kArm, "<box size=\"0.2 0.2 0.1\"/>",
                                                           "<mesh filename=\"package://mypkg/meshes/tet.obj\"/>"));
    s = sim_loadURDFFile(withMesh.c_str(), "/nonexistent:/tmp/urdf_test_pkgs", &m, msg, sizeof msg);
    CHECK(s == SIM_OK, msg);
    sim_deleteModel(m);
    s = sim_loadURDFFile(withMesh.c_str(), nullptr, &m, msg, sizeof msg);
    CHECK(s == SIM_ERR_IO && std::string(msg).find("urdf_test_pkg.urdf:2: mesh 'package://mypkg/meshes/tet.obj': "
                                                     "package 'mypkg' not found") != std::string::npos, msg);
    // ROS_PACKAGE_PATH, also through sim_loadModelFile
    setenv("ROS_PACKAGE_PATH", "/nonexistent:/tmp/urdf_test_pkgs", 1);
    s = sim_loadModelFile(withMesh.c_str(), &m, msg, sizeof msg);
    CHECK(s == SIM_OK, msg);
    sim_deleteModel(m);
    unsetenv("ROS_PACKAGE_PATH");
  }

  // bad input: each names the file and line
  const std::string A = kArm;
  expectError("cycle.urdf",
              replace(replace(A, "<parent link=\"base\"/><child link=\"upper\"/>", "<parent link=\"tool\"/><child link=\"upper\"/>"), "", ""),
              "form a cycle");
  expectError("missing_parent.urdf", replace(A, "<parent link=\"upper\"/>", "<parent link=\"nowhere\"/>"),
              "urdf_test_missing_parent.urdf:11: joint 'elbow': parent link 'nowhere' is not defined");
  expectError("duplicate_link.urdf", replace(A, "<link name=\"tool\"/>", "<link name=\"upper\"/>"),
              "urdf_test_duplicate_link.urdf:7: duplicate link name 'upper' (first at line 3)");
  expectError("duplicate_joint.urdf", replace(A, "name=\"elbow\"", "name=\"shoulder\""), "duplicate joint name 'shoulder'");
  expectError("two_parents.urdf", replace(A, "<parent link=\"lower\"/><child link=\"tool\"/>", "<parent link=\"base\"/><child link=\"lower\"/>"),
              "link 'lower' has two parents");
  expectError("mesh.urdf", replace(A, "<box size=\"0.2 0.2 0.1\"/>", "<mesh filename=\"package://nopkg/m.stl\"/>"),
              "urdf_test_mesh.urdf:2: mesh 'package://nopkg/m.stl': package 'nopkg' not found");
  expectError("mesh_file.urdf", replace(A, "<box size=\"0.2 0.2 0.1\"/>", "<mesh filename=\"missing.stl\"/>"),
              "urdf_test_mesh_file.urdf:2:");
  expectError("not_urdf.urdf", "<mujoco/>", "a URDF file's is <robot>");
  expectError("mimic.urdf", replace(A, "<origin xyz=\"0 0 0.5\"/>", "<origin xyz=\"0 0 0.5\"/><mimic joint=\"nothing\"/>"),
              "urdf_test_mimic.urdf:11:");  // the mimicked joint does not exist: the elbow's line
  expectError("no_limit.urdf", replace(A, "<limit lower=\"-2\" upper=\"2\" effort=\"10\" velocity=\"3\"/>", ""),
              "urdf_test_no_limit.urdf:8: Joint [shoulder] is of type REVOLUTE but it does not specify limits");

  expectError("malformed.urdf", A.substr(0, A.size() / 2), "malformed XML");
  std::string deep = "<robot name=\"d\"><link name=\"a\">";
  for (int i = 0; i < 200000; ++i) deep += "<x>";
  expectError("deep.urdf", deep, "malformed XML");  // unclosed: pugixml refuses before any recursion
  std::string nested = "<robot name=\"d\"><link name=\"a\">";
  for (int i = 0; i < 100; ++i) nested += "<x>";
  for (int i = 0; i < 100; ++i) nested += "</x>";
  expectError("nested.urdf", nested + "</link></robot>", "nested more than 64 deep");
  expectError("no_file.urdf", "", "malformed XML");
  // a tab in a name (found by libFuzzer): TinyXML and pugixml read it differently
  expectError("tab_name.urdf", replace(A, "name=\"elbow\"", "name=\"elbow\t\""), "urdf_test_tab_name.urdf:");
  std::string m2;
  CHECK(load("/tmp/urdf_test_does_not_exist.urdf", m2) == SIM_ERR_IO, "missing file");

  // fuzz: byte mutations of the arm never crash (any status is fine)
  unsigned seed = 12345;
  int refused = 0;
  for (int k = 0; k < 400; ++k) {
    std::string t = A;
    for (int j = 0; j < 1 + k % 5; ++j) {
      seed = seed * 1103515245u + 12345u;
      const size_t at = (seed >> 8) % t.size();
      seed = seed * 1103515245u + 12345u;
      const char bytes[] = "<>\"/ =0-1e9xyzlinkjoint\n";
      if (seed % 3 == 0) t.erase(at, 1 + (seed >> 20) % 8);
      else t[at] = bytes[(seed >> 12) % (sizeof bytes - 1)];
    }
    std::string msg3;
    if (load(write("fuzz.urdf", t), msg3) != SIM_OK) ++refused;
  }
  std::printf("urdf_test: fuzz: 400 mutated files, %d refused, none crashed\n", refused);
  if (failures) { std::printf("urdf_test: %d failures\n", failures); return 1; }
  std::printf("urdf_test: all checks passed\n");
  return 0;
}
