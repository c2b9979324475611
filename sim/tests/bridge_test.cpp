// bridge_test.cpp — drives the C bridge the way a careless caller would, for sanitizer builds:
// every built-in robot through every entry point, NULL and wrong-size arguments, NaN states,
// blow-ups, and every truncation of every built-in MJCF file. Nothing may crash or leak.
//   scripts/sanitize.sh builds it with -fsanitize=address,undefined and runs it.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "energysim.h"
#include "scenes.hpp"

static int failures = 0, checks = 0;
#define CHECK(cond)                                                      \
  do {                                                                   \
    ++checks;                                                            \
    if (!(cond)) {                                                       \
      ++failures;                                                        \
      std::printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
    }                                                                    \
  } while (0)

int main() {
  char msg[512];
  const char* names[] = {"pendulum", "cartpole", "acrobot", "pointmass2d", "reacher2", "arm7", "chain16"};
  for (const char* name : names) {
    simModel* m = nullptr;
    CHECK(sim_loadModelString(builtinXML(name).c_str(), name, &m, msg, sizeof msg) == SIM_OK);
    simSizes z;
    sim_modelSizes(m, &z);
    simState* s = nullptr;
    CHECK(sim_makeState(m, &s) == SIM_OK);
    std::vector<double> q(z.nq, 0.3), v(z.nv, -0.2), u(z.nu, 0.5), out(z.nv * z.nv), sites(3 * z.nsite);
    CHECK(sim_setState(m, s, q.data(), v.data(), u.data()) == SIM_OK);
    for (int k = 0; k < 50; ++k) CHECK(sim_step(m, s) == SIM_OK);
    CHECK(sim_forward(m, s) == SIM_OK);
    CHECK(sim_massMatrix(m, s, out.data()) == SIM_OK);
    CHECK(sim_inverse(m, s, v.data(), out.data()) == SIM_OK);
    if (z.nsite > 0) CHECK(sim_sitePositions(m, s, sites.data()) == SIM_OK);
    CHECK(sim_siteJacobian(m, s, z.nsite, out.data(), nullptr) == SIM_ERR_ARGUMENT);
    // NaN state refused, state untouched
    std::vector<double> bad = q;
    bad[0] = NAN;
    CHECK(sim_setState(m, s, bad.data(), v.data(), nullptr) == SIM_ERR_NONFINITE);
    // batched calls, with one NaN element
    const int B = 5, T = 20;
    std::vector<double> q0(B * z.nq, 0.1), v0(B * z.nv, 0.0), ctrl(B * T * z.nu, 0.2);
    std::vector<double> Q(B * (T + 1) * z.nq), V(B * (T + 1) * z.nv), S(B * (T + 1) * z.nsite * 3 + 1);
    if (z.nu > 0) ctrl[2 * T * z.nu + 3 * z.nu] = NAN;
    simBatchReport report;
    const int st = sim_rollout(m, B, T, q0.data(), v0.data(), ctrl.data(), nullptr, Q.data(), V.data(),
                               S.data(), nullptr, 0, &report, msg, sizeof msg);
    CHECK(z.nu == 0 ? st == SIM_OK : (st == SIM_ERR_NONFINITE && report.firstBatch == 2 && report.firstStep == 3));
    CHECK(sim_rollout(m, -1, T, q0.data(), v0.data(), nullptr, nullptr, Q.data(), V.data(), nullptr, nullptr, 1,
                      nullptr, msg, sizeof msg) == SIM_ERR_ARGUMENT);
    CHECK(sim_rollout(m, B, T, nullptr, v0.data(), nullptr, nullptr, Q.data(), V.data(), nullptr, nullptr, 1,
                      nullptr, msg, sizeof msg) == SIM_ERR_ARGUMENT);
    CHECK(sim_stepBatch(m, B, 3, q0.data(), v0.data(), nullptr, 2, nullptr, msg, sizeof msg) == SIM_OK);
    CHECK(sim_inverseBatch(m, B, q0.data(), nullptr, v0.data(), V.data(), 2, msg, sizeof msg) == SIM_OK);
    CHECK(sim_kinematicsBatch(m, B, q0.data(), S.data(), z.nsite + 3, V.data(), 2, msg, sizeof msg) == SIM_ERR_ARGUMENT);
    // a model with an absurd timestep blows up: reported, never propagated
    simOptions o;
    sim_modelOptions(m, &o);
    o.timestep = 50.0;
    o.integrator = SIM_INTEGRATOR_RK4;
    simModel* wild = nullptr;
    CHECK(sim_copyModelWithOptions(m, &o, &wild, msg, sizeof msg) == SIM_OK);
    o.substeps = 0;
    simModel* none = nullptr;
    CHECK(sim_copyModelWithOptions(m, &o, &none, msg, sizeof msg) == SIM_ERR_ARGUMENT && none == nullptr);
    simState* ws = nullptr;
    sim_makeState(wild, &ws);
    std::vector<double> fast(z.nv, 100.0);
    sim_setState(wild, ws, q.data(), fast.data(), nullptr);
    int status = SIM_OK;
    for (int k = 0; k < 500 && status == SIM_OK; ++k) status = sim_step(wild, ws);
    std::vector<double> after(z.nq);
    sim_getState(wild, ws, after.data(), nullptr, nullptr, nullptr, nullptr);
    for (double x : after) CHECK(std::isfinite(x));
    CHECK(sim_step(m, ws) == SIM_ERR_ARGUMENT);  // a state used with another model
    sim_deleteState(ws);
    sim_deleteModel(wild);
    sim_deleteState(s);
    sim_deleteModel(m);
  }
  // every truncation of every built-in file fails cleanly (or, at the very end, loads)
  long truncations = 0;
  for (const char* name : names) {
    const std::string xml = builtinXML(name);
    for (size_t n = 0; n < xml.size(); n += (xml.size() > 4000 ? 7 : 1)) {
      simModel* m = nullptr;
      const int st = sim_loadModelString(xml.substr(0, n).c_str(), "cut.xml", &m, msg, sizeof msg);
      CHECK(st == SIM_OK || ((st == SIM_ERR_PARSE || st == SIM_ERR_MODEL) && m == nullptr &&
                             std::strncmp(msg, "cut.xml:", 8) == 0));
      sim_deleteModel(m);
      ++truncations;
    }
  }
  CHECK(sim_loadModelFile("/nonexistent.xml", nullptr, msg, sizeof msg) == SIM_ERR_ARGUMENT);
  simModel* m = nullptr;
  CHECK(sim_loadModelFile("/nonexistent.xml", &m, msg, sizeof msg) == SIM_ERR_IO && m == nullptr);
  std::printf("%ld truncated files refused cleanly\n", truncations);
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
