// step_speed.cpp — the simulator's steps/s as `ebm bench sim` measures them (sim_rollout of 8
// trajectories × 1000 steps from a perturbed rest pose, 1 thread, process CPU clock), without
// Swift, and with -DSTAGES the time of each pipeline stage (one state, µs per call). Built by
// benchmarks/step_speed.py from any checkout (a baseline beside the working tree).
//   step_speed FILE INTEGRATOR(0 Euler, 1 RK4) [MIN_TIME [CONTACTS]]   or   step_speed FILE.urdf xml
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>
#include "energysim.h"
#ifdef STAGES
#include "state.hpp"  // with -DSTAGES: the pipeline's own functions
struct simModel_ { sim::Model model; };
#endif
static double cpu() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char** argv) {
  const char* path = argv[1];
  if (!strcmp(argv[2], "xml")) {  // the MJCF a URDF imports as (for MuJoCo)
    size_t len = 0; char msg0[4096];
    if (sim_urdfToMJCF(path, nullptr, nullptr, 0, &len, msg0, sizeof msg0) != SIM_OK) { fprintf(stderr, "%s\n", msg0); return 1; }
    std::string buf(len + 1, '\0'); sim_urdfToMJCF(path, nullptr, &buf[0], buf.size(), &len, msg0, sizeof msg0);
    fputs(buf.c_str(), stdout); return 0;
  }
  int integ = atoi(argv[2]);
  double minTime = argc > 3 ? atof(argv[3]) : 0.5;
  int contacts = argc > 4 ? atoi(argv[4]) : 1;
  char msg[4096];
  simModel* base = nullptr;
  if (sim_loadModelFile(path, &base, msg, sizeof msg) != SIM_OK) { fprintf(stderr, "%s\n", msg); return 1; }
  simOptions o; sim_modelOptions(base, &o); o.timestep = 0.002; o.integrator = integ; o.substeps = 1;
  simModel* m1 = nullptr; sim_copyModelWithOptions(base, &o, &m1, msg, sizeof msg);
  simSolverOptions so; sim_modelSolverOptions(m1, &so); so.contacts = contacts;
  simModel* m = nullptr; sim_copyModelWithSolverOptions(m1, &so, &m, msg, sizeof msg);
  simSizes z; sim_modelSizes(m, &z);
  const int B = 8, T = 1000; const int nq = z.nq, nv = z.nv;
  simState* st; sim_makeState(m, &st); std::vector<double> qq(nq), vv(nv);
  sim_getState(m, st, qq.data(), vv.data(), nullptr, nullptr, nullptr);
  std::vector<double> qpos(B * nq), qvel(B * nv);
  for (int b = 0; b < B; ++b) { for (int i = 0; i < nq; ++i) qpos[b * nq + i] = qq[i] + 0.1 * sin(i + b);
    for (int i = 0; i < nv; ++i) qvel[b * nv + i] = 0.1 * cos(i * 7 + b); }
  std::vector<double> oq((size_t)B * (T + 1) * nq), ov((size_t)B * (T + 1) * nv);
  sim_rollout(m, B, 50, qpos.data(), qvel.data(), nullptr, nullptr, oq.data(), ov.data(), nullptr, nullptr, 1, nullptr, msg, sizeof msg);
  long total = 0; double t0 = cpu(), el;
  do { sim_rollout(m, B, T, qpos.data(), qvel.data(), nullptr, nullptr, oq.data(), ov.data(), nullptr, nullptr, 1, nullptr, msg, sizeof msg);
       total += B * T; el = cpu() - t0; } while (el < minTime);
  double chk = 0; for (double x : oq) chk += x;
  printf("%s integ %d nq %d nv %d : %.0f steps/s  (%.3f us/step) chk %.17g\n", path, integ, nq, nv, total / el, 1e6 * el / total, chk);
#ifdef STAGES
  const sim::Model& M = m->model; sim::State s; sim::makeState(M, s);
  std::copy(qpos.begin(), qpos.begin() + nq, s.qpos.begin()); std::copy(qvel.begin(), qvel.begin() + nv, s.qvel.begin());
  for (int k = 0; k < 20; ++k) sim::step(M, s);
  const int N = 20000;
  auto timeit = [&](const char* name, auto f) { double a = cpu(); for (int k = 0; k < N; ++k) f(); printf("  %-22s %8.3f us\n", name, 1e6 * (cpu() - a) / N); };
  printf("  nefc %d maxrows %d pairs %zu\n", s.nefc, M.maxConstraintRows, M.pairs.size());
  timeit("step", [&] { std::copy(qpos.begin(), qpos.begin() + nq, s.qpos.begin()); std::copy(qvel.begin(), qvel.begin() + nv, s.qvel.begin()); sim::step(M, s); });
  timeit("kinematics", [&] { sim::kinematics(M, s); });
  timeit("tendonKin", [&] { sim::tendonKinematics(M, s); });
  timeit("actuatorForces", [&] { sim::actuatorForces(M, s); });
  timeit("passive", [&] { sim::passiveForces(M, s); });
  timeit("makeConstraints", [&] { sim::makeConstraints(M, s); });
  timeit("aba", [&] { sim::aba(M, s, nullptr); });
  timeit("aba same", [&] { sim::aba(M, s, nullptr, true); });
  timeit("crba after", [&] { sim::crba(M, s, s.M.data(), true); });
  if (s.nefc > 0) timeit("constrainedAcc", [&] { sim::constrainedAcceleration(M, s); });
  if (s.nefc > 0) timeit("solveConstraints", [&] { sim::solveConstraints(M, s); });
  printf("  iterations %d\n", s.solverIterations);
#endif
  return 0;
}
