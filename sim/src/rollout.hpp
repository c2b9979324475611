// rollout.hpp — batched calls over many independent states (rollout.cpp).
#pragma once

#include "state.hpp"

namespace sim {

/// Outcome of a batched call; see simBatchReport.
struct BatchReport {
  int64_t failed = 0, firstBatch = -1, firstStep = -1;
  int firstStatus = SIM_OK;
  void collect(const std::vector<int>& status, const std::vector<int64_t>& failStep);
};

/// Arguments of sim_rollout, shapes as documented there.
struct RolloutArgs {
  int64_t B = 0, T = 0;
  const double* qpos0 = nullptr;  // [B, nq]
  const double* qvel0 = nullptr;  // [B, nv]
  const double* ctrl = nullptr;   // [B, T, nu] or null
  const simFeedback* feedback = nullptr;
  double* qpos = nullptr;         // [B, T+1, nq]
  double* qvel = nullptr;         // [B, T+1, nv]
  double* sites = nullptr;        // [B, T+1, nsite, 3] or null
  double* ctrlOut = nullptr;      // [B, T, nu] or null
  int threads = 0;
};

void rollout(const Model& m, const RolloutArgs& args, BatchReport& report);
void stepBatch(const Model& m, int64_t B, int64_t steps, double* qpos, double* qvel,
               const double* ctrl, int threads, BatchReport& report);
void forwardBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                  const double* qfrc, double* qacc, int threads);
void inverseBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                  const double* qacc, double* qfrc, int threads);
/// rneaVJP at B states: qpos, qvel, qacc, w [B, nv] in, dqpos, dqvel, dqacc [B, nv] out, and
/// qfrc [B, nv] (may be null) as inverseBatch.
void inverseVJPBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                     const double* qacc, const double* w, double* dqpos, double* dqvel,
                     double* dqacc, double* qfrc, int threads);
/// For each of B rows: τ as inverseBatch, ℓ_b = cost(context, b, τ, w) with w = ∂ℓ/∂τ, then
/// rneaVJP's products with w — one kinematics and one forward sweep per row. costs [B]; qfrc
/// (may be null) as inverseVJPBatch.
void inverseCostGradientBatch(const Model& m, int64_t B, const double* qpos, const double* qvel,
                              const double* qacc, simForceCost cost, void* context, double* costs,
                              double* dqpos, double* dqvel, double* dqacc, double* qfrc, int threads);
void kinematicsBatch(const Model& m, int64_t B, const double* qpos, double* sites,
                     int64_t jacobianSite, double* jacp, int threads);

/// qfrc = RNEA(q, qvel, qacc) − passive(q, qvel): the applied force that yields qacc.
void inverseDynamics(const Model& m, State& s, const double* qacc, double* qfrc);

}  // namespace sim
