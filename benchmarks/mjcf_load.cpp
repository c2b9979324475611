// mjcf_load.cpp — loads MJCF files through the C bridge and prints one JSON line per file:
// {"file": ..., "status": ..., "message": ..., "nq": ..., "nv": ..., "nu": ..., "nbody": ...}.
// Built and run by benchmarks/mjcf_corpus.py; a tiny driver so that the corpus check needs no
// Swift build. With --parity, each loaded model is also rolled out from 16 seeded starts inside
// its joint ranges with Euler, RK4 and its own integrator when that is implicit or implicitfast,
// 500 steps, zero controls (for the MuJoCo check);
// --tolerance X sets the constraint solver's tolerance (benchmarks/constraints_vs_mujoco.py);
// --no-limits switches joint limits off (benchmarks/urdf_models.py).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "energysim.h"

static std::string json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if ((unsigned char)c < 0x20) out += ' ';
    else out += c;
  }
  return out + "\"";
}

static std::string array(const std::vector<double>& x) {
  std::string out = "[";
  char buf[40];
  for (size_t i = 0; i < x.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "", x[i]);
    out += buf;
  }
  return out + "]";
}

// Trajectories for the MuJoCo check: for each integrator (Euler, RK4, the file's own implicit one) and seed, a start inside
// the joint ranges, zero controls, and qpos every `every` steps; `hit` marks a trajectory that
// left a joint range (a limit constraint acted; benchmarks/constraints_vs_mujoco.py compares those).
static void parity(const simModel* base, int steps, int seeds, int every) {
  simSizes z;
  sim_modelSizes(base, &z);
  const size_t nq = (size_t)z.nq, nv = (size_t)z.nv, nj = (size_t)z.njoint;
  std::vector<int32_t> limited(nj), type(nj);
  std::vector<int64_t> qadr(nj), dadr(nj);
  std::vector<double> range(2 * nj), qpos0(nq), q(nq), v(nv), a(nv);
  sim_jointInfo(base, type.data(), nullptr, limited.data(), range.data(), qpos0.data());
  sim_jointAddresses(base, qadr.data(), dadr.data());
  // a hinge/slide joint's coordinate leaves its range (a limit constraint acted)
  auto outside = [&](const std::vector<double>& x) {
    for (size_t j = 0; j < nj; ++j)
      if (limited[j] && type[j] <= SIM_JOINT_SLIDE &&
          (x[qadr[j]] < range[2 * j] || x[qadr[j]] > range[2 * j + 1]))
        return true;
    return false;
  };
  std::printf(", \"runs\": [");
  // Euler and RK4, and the file's own integrator when it is implicit or implicitfast
  simOptions own;
  sim_modelOptions(base, &own);
  std::vector<int> integrators = {SIM_INTEGRATOR_EULER, SIM_INTEGRATOR_RK4};
  if (own.integrator != SIM_INTEGRATOR_EULER && own.integrator != SIM_INTEGRATOR_RK4)
    integrators.push_back(own.integrator);
  for (int integrator : integrators) {
    simOptions o = own;
    o.integrator = integrator;
    simModel* model = nullptr;
    if (sim_copyModelWithOptions(base, &o, &model, nullptr, 0) != SIM_OK) return;
    for (int seed = 0; seed < seeds; ++seed) {
      // hinge/slide: inside the range or near qpos0; ball/free: qpos0 turned by a small
      // rotation (sim_integratePos from qpos0 along a seeded velocity), free bodies also moved
      std::vector<double> turn(nv);
      for (size_t i = 0; i < nv; ++i) turn[i] = 0.2 * std::sin(2.0 + i + 5.0 * seed);
      q = qpos0;
      sim_integratePos(model, q.data(), turn.data(), 1.0);
      for (size_t j = 0; j < nj; ++j) {
        if (type[j] > SIM_JOINT_SLIDE) continue;
        const size_t i = (size_t)qadr[j];
        const double s = std::sin(1.0 + i + 7.0 * seed);
        if (limited[j]) {
          const double mid = (range[2 * j] + range[2 * j + 1]) / 2,
                       half = (range[2 * j + 1] - range[2 * j]) / 2;
          q[i] = mid + 0.25 * half * s;
        } else {
          q[i] = qpos0[i] + 0.2 * s;
        }
      }
      for (size_t i = 0; i < nv; ++i) v[i] = 0.3 * std::cos(1.0 + i + 3.0 * seed);
      simState* state = nullptr;
      if (sim_makeState(model, &state) != SIM_OK) break;
      sim_setState(model, state, q.data(), v.data(), nullptr);
      int32_t status = sim_forward(model, state);
      sim_getState(model, state, nullptr, nullptr, a.data(), nullptr, nullptr);
      std::printf("%s{\"integrator\": %d, \"seed\": %d, \"q0\": %s, \"v0\": %s, \"qacc\": %s, \"snap\": [",
                  integrator + seed ? ", " : "", integrator, seed, array(q).c_str(),
                  array(v).c_str(), array(a).c_str());
      int hit = 0;
      for (int t = 1; t <= steps && status == SIM_OK; ++t) {
        status = sim_step(model, state);
        sim_getState(model, state, q.data(), v.data(), nullptr, nullptr, nullptr);
        if (outside(q)) hit = 1;
        if (t % every == 0) std::printf("%s%s", t == every ? "" : ", ", array(q).c_str());
      }
      std::printf("], \"vT\": %s, \"status\": %d, \"hit\": %d}", array(v).c_str(), status, hit);
      sim_deleteState(state);
    }
    sim_deleteModel(model);
  }
  std::printf("], \"steps\": %d, \"every\": %d", steps, every);
}

int main(int argc, char** argv) {
  std::vector<char> message(1 << 16);
  int first = 1;
  bool withParity = false;
  bool noLimits = false;  // --no-limits: joint limits switched off (<flag limit="disable">)
  double tolerance = -1;  // --tolerance X: the constraint solver's tolerance (else the file's)
  for (; first < argc; ++first) {
    const std::string flag = argv[first];
    if (flag == "--parity") withParity = true;
    else if (flag == "--tolerance" && first + 1 < argc) tolerance = std::atof(argv[++first]);
    else if (flag == "--no-limits") noLimits = true;
    else break;
  }
  for (int i = first; i < argc; ++i) {
    simModel* model = nullptr;
    int32_t status = sim_loadModelFile(argv[i], &model, message.data(), message.size());
    if (status == SIM_OK && (tolerance >= 0 || withParity)) {
      simSolverOptions so;
      sim_modelSolverOptions(model, &so);
      if (tolerance >= 0) so.tolerance = tolerance;
      if (noLimits) so.limits = 0;
      so.contacts = 0;  // the MuJoCo side of the parity check disables contacts too
      simModel* tight = nullptr;
      status = sim_copyModelWithSolverOptions(model, &so, &tight, message.data(), message.size());
      sim_deleteModel(model);
      model = tight;  // warnings (what the loader ignored) are the same
    }
    std::printf("{\"file\": %s, \"status\": %s", json(argv[i]).c_str(),
                json(sim_statusName(status)).c_str());
    if (status == SIM_OK) {
      simSizes z;
      sim_modelSizes(model, &z);
      std::printf(", \"nq\": %lld, \"nv\": %lld, \"nu\": %lld, \"nbody\": %lld", (long long)z.nq,
                  (long long)z.nv, (long long)z.nu, (long long)z.nbody);
      std::printf(", \"warnings\": %s", json(sim_modelWarnings(model)).c_str());
      if (withParity) parity(model, 500, 16, 50);
    } else {
      std::printf(", \"message\": %s", json(message.data()).c_str());
    }
    std::printf("}\n");
    std::fflush(stdout);
    sim_deleteModel(model);
  }
  return 0;
}
