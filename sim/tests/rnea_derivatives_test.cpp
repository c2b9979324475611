// rnea_derivatives_test.cpp — the vector–Jacobian product of inverse dynamics (sim_inverseVJP,
// sim_inverseVJPBatch) against central differences of sim_inverseBatch, through the C bridge.
// Built and run by scripts/test.sh (plain C++, no Swift build needed); run from the repository
// root (it loads sim/robots/*.xml).
//
// For each model, random states (q in [−π, π] or ±0.3 m, q̇, q̈, w standard-normal-ish) and
// wᵀ∂τ/∂x by central differences, step h = 1e-5 per coordinate (truncation ~h² ≈ 1e-10,
// rounding ~ε|τ|/h ≈ 1e-11 absolute): each of dqpos, dqvel, dqacc must agree to a relative
// error ≤ 1e-7 (max-norm of the difference over the max-norm of the difference quotient, the
// latter floored at 1e-3·max(1, |w|·|τ|): a planar arm without in-plane gravity has
// |wᵀ∂τ/∂q| ~ 1e-4 and a rolling ball exactly 0, where the quotient's own rounding is ~1e-10). A wrong sign or a missing term (Coriolis, gravity,
// armature, damping, springs) moves it to ≥ 1e-3.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "energysim.h"

#include "check.hpp"

static simModel* fromString(const std::string& xml, const char* name) {
  char msg[2048];
  simModel* m = nullptr;
  const int32_t st = sim_loadModelString(xml.c_str(), name, &m, msg, sizeof msg);
  CHECK(st == SIM_OK, "%s: %s", name, msg);
  return m;
}

static simModel* builtin(const char* name) {
  size_t n = 0;
  sim_builtinModelXML(name, nullptr, 0, &n);
  std::string xml(n + 1, '\0');
  CHECK(sim_builtinModelXML(name, &xml[0], xml.size(), &n) == SIM_OK, "%s", name);
  xml.resize(n);
  return fromString(xml, name);
}

static simModel* file(const char* path) {
  char msg[2048];
  simModel* m = nullptr;
  const int32_t st = sim_loadModelFile(path, &m, msg, sizeof msg);
  CHECK(st == SIM_OK, "%s: %s", path, msg);
  return m;
}

// A branching tree with what the derivative must carry: slide and hinge joints on skew axes
// with off-origin anchors, a non-zero reference configuration, armature, damping, springs with
// a spring reference, off-centre and rotated inertias, and tilted gravity.
static const char* kTree = R"(<mujoco model="tree">
  <option gravity="1.5 -2 -9.81"/>
  <worldbody>
    <body name="base" pos="0.1 0 0.2">
      <joint name="s" type="slide" axis="0.6 0.8 0" damping="0.7" armature="0.05" stiffness="3" springref="0.1" ref="0.05"/>
      <inertial pos="0.02 -0.01 0.03" mass="1.3" fullinertia="0.03 0.02 0.025 0.001 -0.002 0.0015"/>
      <body name="a" pos="0 0.1 0" quat="0.9 0.1 0.3 0.2">
        <joint name="h1" type="hinge" axis="0.3 0.4 0.866" pos="0.02 0 -0.01" damping="0.2" armature="0.01" stiffness="1.5" ref="0.3"/>
        <inertial pos="0.1 0.02 0" mass="0.8" diaginertia="0.01 0.02 0.015" quat="0.8 0.2 0.5 0.1"/>
        <body name="a2" pos="0.2 0 0">
          <joint name="h2" type="hinge" axis="0 1 0"/>
          <inertial pos="0.1 0 0.01" mass="0.5" diaginertia="0.004 0.005 0.006"/>
          <body name="a3" pos="0.2 0 0">
            <joint name="s3" type="slide" axis="1 0 0" damping="0.1"/>
            <inertial pos="0.05 0 0" mass="0.2" diaginertia="0.001 0.001 0.001"/>
          </body>
        </body>
      </body>
      <body name="b" pos="0 -0.1 0">
        <joint name="h3" type="hinge" axis="1 0 0" armature="0.02"/>
        <inertial pos="0 -0.1 0.02" mass="0.6" diaginertia="0.005 0.003 0.004"/>
        <body name="b2" pos="0 -0.2 0">
          <joint name="h4" type="hinge" axis="0 0 1" damping="0.05" stiffness="0.4" springref="-0.2"/>
          <inertial pos="0 -0.1 0" mass="0.3" diaginertia="0.002 0.001 0.002"/>
        </body>
      </body>
    </body>
  </worldbody>
</mujoco>)";

static double maxAbs(const std::vector<double>& x) {
  double r = 0;
  for (double v : x) r = std::max(r, std::abs(v));
  return r;
}

// Checks `states` random states of `m` against central differences; returns the worst error.
static double checkModel(simModel* m, const char* name, int states, std::mt19937_64& rng) {
  simSizes sz;
  sim_modelSizes(m, &sz);
  const int n = (int)sz.nv;
  CHECK(sz.nq == sz.nv, "%s: nq %lld != nv %lld", name, (long long)sz.nq, (long long)sz.nv);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> angle(-3.0, 3.0);
  const double h = 1e-5;
  double worst = 0;
  char msg[1024];
  for (int k = 0; k < states; ++k) {
    std::vector<double> q(n), v(n), a(n), w(n);
    for (int i = 0; i < n; ++i) {
      q[i] = 0.3 * angle(rng);  // within ±0.9: slides stay near their anchors, hinges anywhere
      if (k % 2) q[i] = angle(rng);
      v[i] = 2.0 * normal(rng);
      a[i] = 5.0 * normal(rng);
      w[i] = normal(rng);
    }
    // the product, batched (one state) and single
    std::vector<double> dq(n), dv(n), da(n), tau(n);
    int32_t st = sim_inverseVJPBatch(m, 1, q.data(), v.data(), a.data(), w.data(), dq.data(),
                                     dv.data(), da.data(), tau.data(), 1, msg, sizeof msg);
    CHECK(st == SIM_OK, "%s: %s", name, msg);
    // central differences: 2 rows per coordinate of q, v and a, all in one batched call
    const int rows = 6 * n + 1;
    std::vector<double> bq(rows * n), bv(rows * n), ba(rows * n), bt(rows * n);
    for (int r = 0; r < rows; ++r) {
      std::copy(q.begin(), q.end(), bq.begin() + r * n);
      std::copy(v.begin(), v.end(), bv.begin() + r * n);
      std::copy(a.begin(), a.end(), ba.begin() + r * n);
      if (r == rows - 1) break;
      const int which = r / (2 * n), i = (r / 2) % n;
      const double sign = r % 2 ? -1.0 : 1.0;
      (which == 0 ? bq : which == 1 ? bv : ba)[r * n + i] += sign * h;
    }
    st = sim_inverseBatch(m, rows, bq.data(), bv.data(), ba.data(), bt.data(), 1, msg, sizeof msg);
    CHECK(st == SIM_OK, "%s: %s", name, msg);
    std::vector<double> fd[3] = {std::vector<double>(n), std::vector<double>(n), std::vector<double>(n)};
    for (int r = 0; r < 6 * n; r += 2) {
      const int which = r / (2 * n), i = (r / 2) % n;
      double s = 0;
      for (int j = 0; j < n; ++j) s += w[j] * (bt[r * n + j] - bt[(r + 1) * n + j]);
      fd[which][i] = s / (2 * h);
    }
    // qfrc as sim_inverse
    double tauErr = 0;
    for (int j = 0; j < n; ++j) tauErr = std::max(tauErr, std::abs(tau[j] - bt[(rows - 1) * n + j]));
    CHECK(tauErr <= 1e-10 * std::max(1.0, maxAbs(tau)), "%s: qfrc differs from sim_inverseBatch by %g", name, tauErr);
    const std::vector<double>* got[3] = {&dq, &dv, &da};
    const char* label[3] = {"dqpos", "dqvel", "dqacc"};
    for (int c = 0; c < 3; ++c) {
      double diff = 0;
      for (int i = 0; i < n; ++i) diff = std::max(diff, std::abs((*got[c])[i] - fd[c][i]));
      const double rel = diff / std::max(maxAbs(fd[c]), 1e-3 * std::max(1.0, maxAbs(w) * maxAbs(tau)));
      worst = std::max(worst, rel);
      CHECK(rel <= 1e-7, "%s state %d %s: relative error %.3g (|fd| %.3g)", name, k, label[c], rel, maxAbs(fd[c]));
    }
    // the single-state entry point gives the same bits
    simState* s = nullptr;
    sim_makeState(m, &s);
    sim_setState(m, s, q.data(), v.data(), nullptr);
    std::vector<double> dq1(n), dv1(n), da1(n);
    CHECK(sim_inverseVJP(m, s, a.data(), w.data(), dq1.data(), dv1.data(), da1.data(), nullptr) == SIM_OK, "%s", name);
    CHECK(dq1 == dq && dv1 == dv && da1 == da, "%s: sim_inverseVJP differs from the batch", name);
    sim_deleteState(s);
  }
  std::printf("  %-28s nv %2d, %d states: worst relative error %.2e\n", name, n, states, worst);
  return worst;
}

// ℓ(τ) = Σ_j ½ (j + 1) τ_j² + sin(row + τ_j): a row-dependent, nonlinear cost on the forces.
static double testCost(void* context, int64_t row, const double* qfrc, double* gradient) {
  const int n = *static_cast<const int*>(context);
  double l = 0;
  for (int j = 0; j < n; ++j) {
    l += 0.5 * (j + 1) * qfrc[j] * qfrc[j] + std::sin(double(row) + qfrc[j]);
    gradient[j] = (j + 1) * qfrc[j] + std::cos(double(row) + qfrc[j]);
  }
  return l;
}

// sim_inverseCostGradientBatch: the same bits as sim_inverseVJPBatch with the cost's own
// cotangent, and the gradient of Σ ℓ against central differences of the costs.
static void checkCostGradient(simModel* m, const char* name, std::mt19937_64& rng) {
  simSizes sz;
  sim_modelSizes(m, &sz);
  int n = (int)sz.nv;
  const int B = 5;
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> q(B * n), v(B * n), a(B * n);
  for (auto* x : {&q, &v, &a})
    for (double& e : *x) e = normal(rng);
  std::vector<double> costs(B), dq(B * n), dv(B * n), da(B * n), tau(B * n);
  char msg[512];
  int32_t st = sim_inverseCostGradientBatch(m, B, q.data(), v.data(), a.data(), testCost, &n, costs.data(),
                                            dq.data(), dv.data(), da.data(), tau.data(), 2, msg, sizeof msg);
  CHECK(st == SIM_OK, "%s: %s", name, msg);
  std::vector<double> w(B * n), dq2(B * n), dv2(B * n), da2(B * n);
  for (int b = 0; b < B; ++b) CHECK(testCost(&n, b, &tau[b * n], &w[b * n]) == costs[b], "%s: cost %d", name, b);
  sim_inverseVJPBatch(m, B, q.data(), v.data(), a.data(), w.data(), dq2.data(), dv2.data(), da2.data(),
                      nullptr, 1, msg, sizeof msg);
  CHECK(dq == dq2 && dv == dv2 && da == da2, "%s: cost gradient differs from the VJP with its cotangent", name);
  // central differences of Σ_b ℓ_b in every coordinate of row 0
  const double h = 1e-6;
  double worst = 0, scale = 0;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < n; ++i) {
      double sum[2];
      for (int side = 0; side < 2; ++side) {
        std::vector<double> x[3] = {q, v, a};
        x[c][i] += side ? -h : h;
        std::vector<double> l(B), o(B * n);
        sim_inverseCostGradientBatch(m, B, x[0].data(), x[1].data(), x[2].data(), testCost, &n, l.data(),
                                     o.data(), o.data(), o.data(), nullptr, 1, msg, sizeof msg);
        sum[side] = 0;
        for (double e : l) sum[side] += e;
      }
      const double fd = (sum[0] - sum[1]) / (2 * h);
      const double got = (c == 0 ? dq : c == 1 ? dv : da)[i];
      worst = std::max(worst, std::abs(got - fd));
      scale = std::max(scale, std::abs(fd));
    }
  CHECK(worst <= 1e-6 * std::max(scale, 1.0), "%s: cost gradient vs differences %.3g (scale %.3g)", name, worst, scale);
  std::printf("  %-28s cost gradient: |difference| %.2e at scale %.2e\n", name, worst, scale);
  // bad input
  CHECK(sim_inverseCostGradientBatch(m, B, q.data(), v.data(), a.data(), nullptr, &n, costs.data(), dq.data(),
                                     dv.data(), da.data(), nullptr, 1, msg, sizeof msg) == SIM_ERR_ARGUMENT,
        "NULL cost");
}

int main() {
  std::mt19937_64 rng(20261207);
  std::printf("rnea_derivatives_test: wᵀ∂τ/∂(q, q̇, q̈) against central differences\n");
  const char* builtins[] = {"pendulum", "cartpole", "acrobot", "pointmass2d", "reacher2", "arm7", "ridgeball", "pusher", "hopper", "chain12"};
  for (const char* name : builtins) {
    simModel* m = builtin(name);
    if (m) checkModel(m, name, 12, rng);
    if (m && std::string(name) == "arm7") checkCostGradient(m, name, rng);
    sim_deleteModel(m);
  }
  const char* files[] = {"sim/robots/arm7.xml", "sim/robots/reacher2.xml", "sim/robots/acrobot.xml"};
  for (const char* path : files) {
    simModel* m = file(path);
    if (m) checkModel(m, path, 8, rng);
    sim_deleteModel(m);
  }
  simModel* tree = fromString(kTree, "tree");
  if (tree) checkModel(tree, "tree (armature, damping, springs)", 24, rng);
  if (tree) checkCostGradient(tree, "tree", rng);

  // batches: bit-identical for any thread count, and equal to the one-state calls
  if (tree) {
    const int B = 37, n = 7;
    std::vector<double> q(B * n), v(B * n), a(B * n), w(B * n);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (auto* x : {&q, &v, &a, &w})
      for (double& e : *x) e = normal(rng);
    std::vector<double> out1(4 * B * n), out3(4 * B * n);
    char msg[512];
    auto run = [&](std::vector<double>& o, int threads) {
      return sim_inverseVJPBatch(tree, B, q.data(), v.data(), a.data(), w.data(), &o[0], &o[B * n],
                                 &o[2 * B * n], &o[3 * B * n], threads, msg, sizeof msg);
    };
    CHECK(run(out1, 1) == SIM_OK, "%s", msg);
    CHECK(run(out3, 3) == SIM_OK, "%s", msg);
    CHECK(out1 == out3, "threads change the result");
    // zero velocity when qvel is NULL
    std::vector<double> zero(B * n, 0.0), outZ(4 * B * n), outN(4 * B * n);
    sim_inverseVJPBatch(tree, B, q.data(), zero.data(), a.data(), w.data(), &outZ[0], &outZ[B * n],
                        &outZ[2 * B * n], &outZ[3 * B * n], 1, msg, sizeof msg);
    CHECK(sim_inverseVJPBatch(tree, B, q.data(), nullptr, a.data(), w.data(), &outN[0], &outN[B * n],
                              &outN[2 * B * n], &outN[3 * B * n], 1, msg, sizeof msg) == SIM_OK, "%s", msg);
    CHECK(outZ == outN, "NULL qvel is not zero velocity");
    // bad input: non-finite, NULL outputs, negative batch, unsupported models
    w[5] = NAN;
    CHECK(run(out1, 1) == SIM_ERR_NONFINITE, "NaN cotangent: %s", msg);
    CHECK(sim_inverseVJPBatch(tree, B, q.data(), v.data(), a.data(), w.data(), nullptr, &out1[0],
                              &out1[0], nullptr, 1, msg, sizeof msg) == SIM_ERR_ARGUMENT, "NULL dqpos");
    CHECK(sim_inverseVJPBatch(tree, -1, q.data(), v.data(), a.data(), w.data(), &out1[0], &out1[0],
                              &out1[0], nullptr, 1, msg, sizeof msg) == SIM_ERR_ARGUMENT, "negative batch");
    CHECK(sim_inverseVJPBatch(nullptr, 1, q.data(), v.data(), a.data(), w.data(), &out1[0], &out1[0],
                              &out1[0], nullptr, 1, msg, sizeof msg) == SIM_ERR_ARGUMENT, "NULL model");
    CHECK(sim_inverseVJPBatch(tree, 0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                              nullptr, 1, msg, sizeof msg) == SIM_OK, "empty batch");
  }
  sim_deleteModel(tree);
  {
    char msg[512];
    simModel* ball = fromString(
        "<mujoco><worldbody><body><freejoint/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody></mujoco>", "free");
    double x[7] = {0, 0, 1, 1, 0, 0, 0}, o[6] = {0, 0, 0, 0, 0, 0};
    if (ball) {
      const int32_t st = sim_inverseVJPBatch(ball, 1, x, o, o, o, o, o, o, nullptr, 1, msg, sizeof msg);
      CHECK(st == SIM_ERR_UNSUPPORTED && std::string(msg).find("hinge and slide") != std::string::npos,
            "free joint: status %d, %s", st, msg);
      simState* s = nullptr;
      sim_makeState(ball, &s);
      CHECK(sim_inverseVJP(ball, s, o, o, o, o, o, nullptr) == SIM_ERR_UNSUPPORTED, "free joint, one state");
      CHECK(std::string(sim_statusName(SIM_ERR_UNSUPPORTED)) == "SIM_ERR_UNSUPPORTED", "status name");
      sim_deleteState(s);
    }
    sim_deleteModel(ball);
    simModel* fluid = fromString(
        "<mujoco><option density=\"1.2\" viscosity=\"0.00002\"/><worldbody><body><joint type=\"hinge\" axis=\"0 1 0\"/>"
        "<geom type=\"capsule\" fromto=\"0 0 0 0 0 -0.5\" size=\"0.05\"/></body></worldbody></mujoco>", "fluid");
    if (fluid) {
      double z[1] = {0.1};
      const int32_t st = sim_inverseVJPBatch(fluid, 1, z, z, z, z, z, z, z, nullptr, 1, msg, sizeof msg);
      CHECK(st == SIM_ERR_UNSUPPORTED && std::string(msg).find("fluid") != std::string::npos, "fluid: status %d, %s", st, msg);
    }
    sim_deleteModel(fluid);
  }
  std::printf("rnea_derivatives_test: %d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
