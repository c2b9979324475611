// rollout.cpp — batched rollouts: B independent trajectories, open-loop or under a feedback law.
#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.hpp"
#include "rollout.hpp"

namespace sim {

namespace {

/// One state per worker: each thread owns its scratch.
std::vector<State> makeStates(const Model& m, int workers) {
  std::vector<State> states(workers);
  for (State& s : states) makeState(m, s);
  return states;
}

// ctrl_a = offset + (kp (q* − q) + kd (v* − v) + s_a g(q)) / gear  (clamping happens in the step)
void feedbackControls(const Model& m, State& s, const simFeedback& fb, int64_t b, int64_t t,
                      int64_t T, double* gravity) {
  const int nq = m.nq, nv = m.nv, nu = m.nu;
  const int64_t row = fb.targetPerStep ? b * T + t : b;
  const double* qTarget = fb.qposTarget ? fb.qposTarget + row * nq : nullptr;
  const double* vTarget = fb.qvelTarget ? fb.qvelTarget + row * nv : nullptr;
  const double* offset = fb.ctrlOffset ? fb.ctrlOffset + (b * T + t) * nu : nullptr;
  const bool tendons = m.anyTendonActuator;
  if (fb.gravityCompensation || tendons) kinematics(m, s);
  if (fb.gravityCompensation) rnea(m, s, nullptr, gravity, false);
  if (tendons) tendonKinematics(m, s);
  for (int a = 0; a < nu; ++a) {
    if (m.actBody[a] >= 0) {
      // a body transmission (adhesion) has no coordinate to track: the offset alone
      s.ctrl[a] = offset ? offset[a] : 0.0;
      continue;
    }
    if (m.actTendon[a] >= 0) {
      // a tendon actuator: the same law along the tendon, its length error J·(q* − q) over the
      // hinge and slide dofs (exact for fixed tendons), velocity error J·(v* − v), and the
      // gravity term's least-squares share (J·g)/(J·J)
      const double* J = &s.tenJ[(size_t)m.actTendon[a] * nv];
      double dl = 0, dv = 0, jg = 0, jj = 0;
      for (int i = 0; i < nv; ++i) {
        const Link& L = m.links[i];
        if (qTarget && (L.type == SIM_JOINT_HINGE || L.type == SIM_JOINT_SLIDE))
          dl += J[i] * (qTarget[L.qposAdr] - s.qpos[L.qposAdr]);
        dv += J[i] * ((vTarget ? vTarget[i] : 0.0) - s.qvel[i]);
        if (fb.gravityCompensation) jg += J[i] * gravity[i];
        jj += J[i] * J[i];
      }
      double force = 0;
      if (fb.kp && qTarget) force += fb.kp[a] * dl;
      if (fb.kd) force += fb.kd[a] * dv;
      if (fb.gravityCompensation && jj > 0) force += (fb.gravityScale ? fb.gravityScale[a] : 1.0) * jg / jj;
      s.ctrl[a] = (offset ? offset[a] : 0.0) + force / m.actGear[a];
      continue;
    }
    const int j = m.actDof[a], qa = m.actQpos[a];
    double force = 0;
    if (fb.kp && qTarget) force += fb.kp[a] * (qTarget[qa] - s.qpos[qa]);
    if (fb.kd) force += fb.kd[a] * ((vTarget ? vTarget[j] : 0.0) - s.qvel[j]);
    if (fb.gravityCompensation) force += (fb.gravityScale ? fb.gravityScale[a] : 1.0) * gravity[j];
    s.ctrl[a] = (offset ? offset[a] : 0.0) + force / m.actGear[a];
  }
}

void clampedControls(const Model& m, const State& s, double* out) {
  for (int a = 0; a < m.nu; ++a) {
    double u = s.ctrl[a];
    if (m.ctrlLimited[a]) u = std::min(std::max(u, m.ctrlLo[a]), m.ctrlHi[a]);
    out[a] = u;
  }
}

void writeRow(const Model& m, State& s, double* qpos, double* qvel, double* sites) {
  std::copy(s.qpos.begin(), s.qpos.end(), qpos);
  std::copy(s.qvel.begin(), s.qvel.end(), qvel);
  if (sites) {
    kinematics(m, s);
    for (int i = 0; i < m.nsite(); ++i) {
      const Vec3 p = sitePosition(m, s, i);
      for (int k = 0; k < 3; ++k) sites[3 * i + k] = p[k];
    }
  }
}

/// Row b of a batch of states into s: qpos [B, nq], qvel [B, nv] (null keeps s.qvel, zero from makeStates).
void readRow(const Model& m, State& s, const double* qpos, const double* qvel, int64_t b) {
  std::copy(qpos + b * m.nq, qpos + (b + 1) * m.nq, s.qpos.begin());
  std::fill(s.act.begin(), s.act.end(), 0.0);
  if (qvel) std::copy(qvel + b * m.nv, qvel + (b + 1) * m.nv, s.qvel.begin());
}

/// row(s, worker, b) for every row b of a batch of states (qpos [B, nq], qvel [B, nv] or null) on
/// `workers` threads, row b read into the worker's own State first.
template <class Row>
void forEachRow(const Model& m, int64_t B, int workers, const double* qpos, const double* qvel, Row row) {
  std::vector<State> states = makeStates(m, workers);
  parallelFor(B, workers, [&](int w, int64_t b) {
    State& s = states[w];
    readRow(m, s, qpos, qvel, b);
    row(s, w, b);
  });
}

void fillNaN(double* x, int64_t n) {
  if (x) std::fill(x, x + n, std::numeric_limits<double>::quiet_NaN());
}

}  // namespace

void rollout(const Model& m, const RolloutArgs& r, BatchReport& report) {
  const int64_t nq = m.nq, nv = m.nv, nu = m.nu, ns = m.nsite(), T = r.T;
  std::vector<int> status(r.B, SIM_OK);
  std::vector<int64_t> failStep(r.B, -1);
  const int workers = workerCount(r.B, double(T) * (nv + 1) * 400.0, r.threads);
  std::vector<State> states = makeStates(m, workers);
  std::vector<std::vector<double>> gravity(workers, std::vector<double>(nv));

  parallelFor(r.B, workers, [&](int w, int64_t b) {
    State& s = states[w];
    double* qpos = r.qpos + b * (T + 1) * nq;
    double* qvel = r.qvel + b * (T + 1) * nv;
    double* sites = r.sites ? r.sites + b * (T + 1) * ns * 3 : nullptr;
    double* ctrlOut = r.ctrlOut ? r.ctrlOut + b * T * nu : nullptr;
    std::copy(r.qpos0 + b * nq, r.qpos0 + (b + 1) * nq, s.qpos.begin());
    std::copy(r.qvel0 + b * nv, r.qvel0 + (b + 1) * nv, s.qvel.begin());
    std::fill(s.ctrl.begin(), s.ctrl.end(), 0.0);
    std::fill(s.act.begin(), s.act.end(), 0.0);
    s.time = 0;
    int64_t t = 0, lastGoodRow = -1;
    int st = allFinite(s.qpos.data(), nq) && allFinite(s.qvel.data(), nv) ? SIM_OK : SIM_ERR_NONFINITE;
    if (st == SIM_OK) {
      writeRow(m, s, qpos, qvel, sites);
      lastGoodRow = 0;
    }
    for (; st == SIM_OK && t < T; ++t) {
      if (r.feedback) feedbackControls(m, s, *r.feedback, b, t, T, gravity[w].data());
      else if (r.ctrl) std::copy(r.ctrl + (b * T + t) * nu, r.ctrl + (b * T + t + 1) * nu, s.ctrl.begin());
      if (!allFinite(s.ctrl.data(), nu)) { st = SIM_ERR_NONFINITE; break; }
      if (ctrlOut) clampedControls(m, s, ctrlOut + t * nu);
      st = step(m, s);
      if (st != SIM_OK) break;
      writeRow(m, s, qpos + (t + 1) * nq, qvel + (t + 1) * nv, sites ? sites + (t + 1) * ns * 3 : nullptr);
      lastGoodRow = t + 1;
    }
    if (st != SIM_OK) {
      // rows after the last good one are NaN: a failed trajectory never looks valid
      const int64_t bad = lastGoodRow + 1;
      fillNaN(qpos + bad * nq, (T + 1 - bad) * nq);
      fillNaN(qvel + bad * nv, (T + 1 - bad) * nv);
      if (sites) fillNaN(sites + bad * ns * 3, (T + 1 - bad) * ns * 3);
      if (ctrlOut) fillNaN(ctrlOut + t * nu, (T - t) * nu);
      status[b] = st;
      failStep[b] = t;
    }
  });
  report.collect(status, failStep);
}

void stepBatch(const Model& m, int64_t B, int64_t steps, double* qpos, double* qvel,
               const double* ctrl, int threads, BatchReport& report) {
  const int64_t nq = m.nq, nv = m.nv, nu = m.nu;
  std::vector<int> status(B, SIM_OK);
  std::vector<int64_t> failStep(B, -1);
  const int workers = workerCount(B, double(steps) * (nv + 1) * 400.0, threads);
  std::vector<State> states = makeStates(m, workers);
  parallelFor(B, workers, [&](int w, int64_t b) {
    State& s = states[w];
    std::copy(qpos + b * nq, qpos + (b + 1) * nq, s.qpos.begin());
    std::copy(qvel + b * nv, qvel + (b + 1) * nv, s.qvel.begin());
    if (ctrl) std::copy(ctrl + b * nu, ctrl + (b + 1) * nu, s.ctrl.begin());
    else std::fill(s.ctrl.begin(), s.ctrl.end(), 0.0);
    std::fill(s.act.begin(), s.act.end(), 0.0);
    int st = allFinite(s.qpos.data(), nq) && allFinite(s.qvel.data(), nv) && allFinite(s.ctrl.data(), nu)
                 ? SIM_OK : SIM_ERR_NONFINITE;
    int64_t t = 0;
    for (; st == SIM_OK && t < steps; ++t) {
      st = step(m, s);
      if (st != SIM_OK) break;
    }
    std::copy(s.qpos.begin(), s.qpos.end(), qpos + b * nq);
    std::copy(s.qvel.begin(), s.qvel.end(), qvel + b * nv);
    if (st != SIM_OK) {
      status[b] = st;
      failStep[b] = t;
    }
  });
  report.collect(status, failStep);
}

void forwardBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                  const double* qfrc, double* qacc, int threads) {
  const int64_t nv = m.nv;
  forEachRow(m, B, workerCount(B, (nv + 1) * 400.0, threads), qpos, qvel, [&](State& s, int, int64_t b) {
    kinematics(m, s);
    tendonKinematics(m, s);
    passiveForces(m, s);
    for (int i = 0; i < nv; ++i) s.tau[i] = (qfrc ? qfrc[b * nv + i] : 0.0) + s.qfrcPassive[i];
    // as sim_forward: limits and dry friction by the constraint solver (cold start)
    if (m.maxConstraintRows > 0) makeConstraints(m, s);
    if (m.maxConstraintRows > 0 && s.nefc > 0) {
      std::fill(s.qaccWarmstart.begin(), s.qaccWarmstart.end(), 0.0);
      constrainedAcceleration(m, s);
    } else {
      aba(m, s, nullptr);
    }
    std::copy(s.qacc.begin(), s.qacc.end(), qacc + b * nv);
  });
}

void inverseBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                  const double* qacc, double* qfrc, int threads) {
  const int64_t nv = m.nv;
  forEachRow(m, B, workerCount(B, (nv + 1) * 300.0, threads), qpos, qvel, [&](State& s, int, int64_t b) {
    inverseDynamics(m, s, qacc + b * nv, qfrc + b * nv);
  });
}

void inverseVJPBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                     const double* qacc, const double* w, double* dqpos, double* dqvel,
                     double* dqacc, double* qfrc, int threads) {
  const int64_t nv = m.nv;
  forEachRow(m, B, workerCount(B, (nv + 1) * 600.0, threads), qpos, qvel, [&](State& s, int, int64_t b) {
    kinematics(m, s);
    rneaVJP(m, s, qacc + b * nv, w + b * nv, dqpos + b * nv, dqvel + b * nv, dqacc + b * nv,
            qfrc ? qfrc + b * nv : nullptr);
  });
}

void inverseCostGradientBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                              const double* qacc, simForceCost cost, void* context, double* costs,
                              double* dqpos, double* dqvel, double* dqacc, double* qfrc, int threads) {
  const int64_t nv = m.nv;
  const int workers = workerCount(B, (nv + 1) * 600.0, threads);
  std::vector<std::vector<double>> scratch(workers, std::vector<double>(2 * nv));  // τ, w
  forEachRow(m, B, workers, qpos, qvel, [&](State& s, int worker, int64_t b) {
    double* tau = qfrc ? qfrc + b * nv : scratch[worker].data();
    double* w = scratch[worker].data() + nv;
    kinematics(m, s);
    rneaVJPForward(m, s, qacc + b * nv, tau);
    std::fill(w, w + nv, 0.0);
    costs[b] = cost(context, b, tau, w);
    rneaVJPBackward(m, s, w, dqpos + b * nv, dqvel + b * nv, dqacc + b * nv);
  });
}

void kinematicsBatch(const Model& m, int64_t B, const double* qpos, double* sites,
                     int64_t jacobianSite, double* jacp, int threads) {
  const int64_t nv = m.nv, ns = m.nsite();
  forEachRow(m, B, workerCount(B, (nv + 1) * 100.0, threads), qpos, nullptr, [&](State& s, int, int64_t b) {
    kinematics(m, s);
    if (sites)
      for (int i = 0; i < ns; ++i) {
        const Vec3 p = sitePosition(m, s, i);
        for (int k = 0; k < 3; ++k) sites[(b * ns + i) * 3 + k] = p[k];
      }
    if (jacp && jacobianSite >= 0) siteJacobian(m, s, (int)jacobianSite, jacp + b * 3 * nv, nullptr);
  });
}

void inverseDynamics(const Model& m, State& s, const double* qacc, double* qfrc) {
  kinematics(m, s);
  tendonKinematics(m, s);
  passiveForces(m, s);
  rnea(m, s, qacc, qfrc, true);
  for (int i = 0; i < m.nv; ++i) qfrc[i] -= s.qfrcPassive[i];
}

void BatchReport::collect(const std::vector<int>& status, const std::vector<int64_t>& failStep) {
  failed = 0;
  firstBatch = -1;
  firstStep = -1;
  firstStatus = SIM_OK;
  for (size_t b = 0; b < status.size(); ++b) {
    if (status[b] == SIM_OK) continue;
    if (failed++ == 0) {
      firstBatch = (int64_t)b;
      firstStep = failStep[b];
      firstStatus = status[b];
    }
  }
}

}  // namespace sim
