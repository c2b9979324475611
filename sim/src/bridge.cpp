// bridge.cpp — every extern "C" entry point of energysim.h. Each one validates its arguments,
// runs the C++ code inside one catch-all guard and turns exceptions into status codes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>

#include "energysim.h"
#include "parallel.hpp"
#include "rollout.hpp"

struct simModel_ {
  sim::Model model;
};

struct simState_ {
  const simModel_* owner;
  sim::State state;
};

namespace {

void writeMessage(char* message, size_t size, const std::string& text) {
  if (!message || size == 0) return;
  const size_t n = std::min(size - 1, text.size());
  std::memcpy(message, text.data(), n);
  message[n] = '\0';
}

/// Runs `body` (returning a status), turning every exception into a status and message.
template <class Body>
int32_t guarded(char* message, size_t messageSize, Body body) noexcept {
  try {
    writeMessage(message, messageSize, "");
    return body();
  } catch (const sim::SimError& e) {
    writeMessage(message, messageSize, e.message);
    return e.status;
  } catch (const std::bad_alloc&) {
    writeMessage(message, messageSize, "out of memory");
    return SIM_ERR_INTERNAL;
  } catch (const std::exception& e) {
    writeMessage(message, messageSize, std::string("internal error: ") + e.what());
    return SIM_ERR_INTERNAL;
  } catch (...) {
    writeMessage(message, messageSize, "internal error: unknown exception");
    return SIM_ERR_INTERNAL;
  }
}

[[noreturn]] void argumentError(const std::string& what) { throw sim::SimError{SIM_ERR_ARGUMENT, what}; }

void requireBatch(int64_t B, const void* a, const void* b, const char* call) {
  if (B < 0) argumentError(std::string(call) + ": batch size " + std::to_string(B) + " is negative");
  if (B > 0 && (!a || !b)) argumentError(std::string(call) + ": a required array is NULL");
}

int32_t statusOf(const sim::BatchReport& r, simBatchReport* out, char* message, size_t size,
                 const char* call) {
  if (out) *out = simBatchReport{r.failed, r.firstBatch, r.firstStep, r.firstStatus};
  if (r.failed == 0) return SIM_OK;
  std::ostringstream os;
  os << call << ": " << r.failed << " batch element(s) failed; first: element " << r.firstBatch
     << " at step " << r.firstStep << " (" << sim_statusName(r.firstStatus)
     << ": state, control or acceleration not finite)";
  writeMessage(message, size, os.str());
  return r.firstStatus;
}

sim::URDFOptions urdfOptions(const char* packagePath, const std::string& file) {
  sim::URDFOptions options;
  const size_t slash = file.find_last_of('/');
  options.fileDirectory = slash == std::string::npos ? (file.empty() ? "" : ".") : file.substr(0, slash + 1);
  if (!packagePath) return options;
  std::stringstream list(packagePath);
  for (std::string dir; std::getline(list, dir, ':');)
    if (!dir.empty()) options.packagePaths.push_back(dir);
  return options;
}

/// MJCF, or URDF when the root element is <robot> (MuJoCo's rule in mj_loadXML).
simModel_* compileFromXML(const std::string& xml, const std::string& source,
                          const std::string& path = "", const char* packagePath = nullptr) {
  if (sim::looksLikeURDF(xml))
    return new simModel_{sim::compileModel(sim::parseURDF(xml, source, path, urdfOptions(packagePath, path)))};
  auto* handle = new simModel_{sim::compileModel(sim::parseMJCF(xml, source, path))};
  return handle;
}

/// A model file's text; files over 256 MiB are refused (no robot description is that large).
std::string readModelFile(const char* path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw sim::SimError{SIM_ERR_IO, std::string(path) + ": cannot open file"};
  const std::streamoff size = in.tellg();
  if (size < 0 || size > (std::streamoff(256) << 20))
    throw sim::SimError{SIM_ERR_IO, std::string(path) + ": not a readable file of at most 256 MiB"};
  in.seekg(0);
  std::string text((size_t)size, '\0');
  in.read(&text[0], size);
  if (in.gcount() != size) throw sim::SimError{SIM_ERR_IO, std::string(path) + ": read error"};
  return text;
}

/// The checks shared by the batched inverse-dynamics derivatives.
const sim::Model& requireVJP(const simModel* model, int64_t B, const double* qpos, const double* qacc,
                             const void* a, const void* b, const void* c, const void* d, const char* call) {
  if (!model) argumentError(std::string(call) + ": model is NULL");
  const sim::Model& m = model->model;
  if (const char* why = sim::rneaVJPUnsupported(m))
    throw sim::SimError{SIM_ERR_UNSUPPORTED, std::string(call) + ": " + m.spec.source + ": " + why};
  requireBatch(B, qpos, qacc, call);
  if (B > 0 && (!a || !b || !c || !d)) argumentError(std::string(call) + ": an input or output array is NULL");
  return m;
}

void requireFiniteVJP(int64_t n, const double* dqpos, const double* dqvel, const double* dqacc,
                      const double* qfrc, const char* call) {
  if (!sim::allFinite(dqpos, n) || !sim::allFinite(dqvel, n) || !sim::allFinite(dqacc, n) ||
      (qfrc && !sim::allFinite(qfrc, n)))
    throw sim::SimError{SIM_ERR_NONFINITE, std::string(call) + ": a state, acceleration or cotangent is not finite"};
}
}  // namespace

extern "C" {

int32_t sim_version(void) { return SIM_VERSION; }

const char* sim_statusName(int32_t status) {
  switch (status) {
    case SIM_OK: return "SIM_OK";
    case SIM_ERR_PARSE: return "SIM_ERR_PARSE";
    case SIM_ERR_MODEL: return "SIM_ERR_MODEL";
    case SIM_ERR_ARGUMENT: return "SIM_ERR_ARGUMENT";
    case SIM_ERR_NONFINITE: return "SIM_ERR_NONFINITE";
    case SIM_ERR_IO: return "SIM_ERR_IO";
    case SIM_ERR_NOT_FOUND: return "SIM_ERR_NOT_FOUND";
    case SIM_ERR_INTERNAL: return "SIM_ERR_INTERNAL";
    case SIM_ERR_UNSUPPORTED: return "SIM_ERR_UNSUPPORTED";
    default: return "SIM_ERR_UNKNOWN";
  }
}

// MARK: - Models

int32_t sim_loadModelFile(const char* path, simModel** model, char* message, size_t messageSize) {
  if (model) *model = nullptr;
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!path || !model) argumentError("sim_loadModelFile: path and model must not be NULL");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw sim::SimError{SIM_ERR_IO, std::string(path) + ": cannot open file"};
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw sim::SimError{SIM_ERR_IO, std::string(path) + ": read error"};
    *model = compileFromXML(text.str(), path, path);
    return SIM_OK;
  });
}

int32_t sim_loadURDFFile(const char* path, const char* packagePath, simModel** model, char* message,
                         size_t messageSize) {
  if (model) *model = nullptr;
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!path || !model) argumentError("sim_loadURDFFile: path and model must not be NULL");
    const std::string text = readModelFile(path);
    *model = new simModel_{sim::compileModel(sim::parseURDF(text, path, path, urdfOptions(packagePath, path)))};
    return SIM_OK;
  });
}

int32_t sim_urdfToMJCF(const char* path, const char* packagePath, char* buffer, size_t bufferSize,
                       size_t* length, char* message, size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!path || !length) argumentError("sim_urdfToMJCF: path and length must not be NULL");
    const std::string text = readModelFile(path);
    const std::string xml = sim::convertURDF(text, path, urdfOptions(packagePath, path)).mjcf;
    *length = xml.size();
    if (buffer && bufferSize > xml.size()) std::memcpy(buffer, xml.c_str(), xml.size() + 1);
    return SIM_OK;
  });
}

int32_t sim_loadModelString(const char* xml, const char* sourceName, simModel** model,
                            char* message, size_t messageSize) {
  if (model) *model = nullptr;
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!xml || !sourceName || !model) argumentError("sim_loadModelString: arguments must not be NULL");
    *model = compileFromXML(xml, sourceName);
    return SIM_OK;
  });
}

int32_t sim_builtinModelXML(const char* name, char* buffer, size_t bufferSize, size_t* length) {
  return guarded(nullptr, 0, [&]() -> int32_t {
    if (!name || !length) argumentError("sim_builtinModelXML: name and length must not be NULL");
    std::string xml;
    if (!sim::builtinModelXML(name, xml)) return SIM_ERR_NOT_FOUND;
    *length = xml.size();
    if (buffer && bufferSize > xml.size()) std::memcpy(buffer, xml.c_str(), xml.size() + 1);
    return SIM_OK;
  });
}

const char* sim_builtinModelNames(void) { return sim::builtinModelNames(); }

void sim_deleteModel(simModel* model) { delete model; }

int64_t sim_keyframeCount(const simModel* model) {
  return model ? (int64_t)model->model.spec.keyframes.size() : 0;
}

int32_t sim_keyframe(const simModel* model, int64_t index, double* qpos, double* qvel,
                     double* ctrl, double* time) {
  return guarded(nullptr, 0, [&]() -> int32_t {
    if (!model) argumentError("sim_keyframe: model must not be NULL");
    const auto& keys = model->model.spec.keyframes;
    if (index < 0 || index >= (int64_t)keys.size()) return SIM_ERR_ARGUMENT;
    const sim::KeyframeSpec& k = keys[index];
    if (qpos) std::copy(k.qpos.begin(), k.qpos.end(), qpos);
    if (qvel) std::copy(k.qvel.begin(), k.qvel.end(), qvel);
    if (ctrl) std::copy(k.ctrl.begin(), k.ctrl.end(), ctrl);
    if (time) *time = k.time;
    return SIM_OK;
  });
}

const char* sim_modelWarnings(const simModel* model) {
  return model ? model->model.spec.warnings.c_str() : "";
}

void sim_modelSizes(const simModel* model, simSizes* sizes) {
  if (!model || !sizes) return;
  const sim::Model& m = model->model;
  sizes->nq = m.nq;
  sizes->nv = m.nv;
  sizes->nu = m.nu;
  sizes->nbody = m.nbody();
  sizes->njoint = (int64_t)m.spec.joints.size();
  sizes->nsite = m.nsite();
  sizes->ngeom = (int64_t)m.spec.geoms.size();
  sizes->na = m.na;
  sizes->ntendon = m.ntendon();
}

void sim_modelOptions(const simModel* model, simOptions* options) {
  if (!model || !options) return;
  const sim::ModelSpec& spec = model->model.spec;
  options->timestep = spec.timestep;
  options->integrator = spec.integrator;
  options->substeps = spec.substeps;
  for (int k = 0; k < 3; ++k) options->gravity[k] = spec.gravity[k];
}

int32_t sim_copyModelWithOptions(const simModel* model, const simOptions* options,
                                 simModel** copy, char* message, size_t messageSize) {
  if (copy) *copy = nullptr;
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model || !options || !copy) argumentError("sim_copyModelWithOptions: arguments must not be NULL");
    if (!(options->timestep > 0) || !std::isfinite(options->timestep))
      argumentError("timestep " + std::to_string(options->timestep) + " must be positive and finite");
    if (options->substeps < 1) argumentError("substeps " + std::to_string(options->substeps) + " must be >= 1");
    if (options->integrator < SIM_INTEGRATOR_EULER || options->integrator > SIM_INTEGRATOR_IMPLICITFAST)
      argumentError(std::string(sim::kUnknownIntegrator) + ": " + std::to_string(options->integrator));
    if (const char* why = sim::integratorUnsupported(model->model, options->integrator))
      throw sim::SimError{SIM_ERR_UNSUPPORTED, "sim_copyModelWithOptions: " + model->model.spec.source + ": " + why};
    for (double g : options->gravity)
      if (!std::isfinite(g)) argumentError("gravity must be finite");
    auto* out = new simModel_{model->model};
    out->model.spec.timestep = options->timestep;
    out->model.spec.integrator = options->integrator;
    out->model.spec.substeps = options->substeps;
    out->model.spec.gravity = sim::Vec3(options->gravity[0], options->gravity[1], options->gravity[2]);
    *copy = out;
    return SIM_OK;
  });
}

void sim_modelSolverOptions(const simModel* model, simSolverOptions* options) {
  if (!model || !options) return;
  const sim::SolverOptions& o = model->model.spec.solver;
  options->solver = o.solver;
  options->iterations = o.iterations;
  options->tolerance = o.tolerance;
  options->lsIterations = o.lsIterations;
  options->lsTolerance = o.lsTolerance;
  options->impratio = o.impratio;
  options->limits = o.limits ? 1 : 0;
  options->frictionloss = o.frictionloss ? 1 : 0;
  options->warmstart = o.warmstart ? 1 : 0;
  options->contacts = o.contact ? 1 : 0;
}

int32_t sim_copyModelWithSolverOptions(const simModel* model, const simSolverOptions* options,
                                       simModel** copy, char* message, size_t messageSize) {
  if (copy) *copy = nullptr;
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model || !options || !copy)
      argumentError("sim_copyModelWithSolverOptions: arguments must not be NULL");
    if (options->solver != SIM_SOLVER_PGS && options->solver != SIM_SOLVER_CG &&
        options->solver != SIM_SOLVER_NEWTON)
      argumentError("unknown solver " + std::to_string(options->solver) + " (0 = PGS, 1 = CG, 2 = Newton)");
    if (options->iterations < 0 || options->lsIterations < 0)
      argumentError("solver iterations must be >= 0");
    if (!(options->tolerance >= 0) || !std::isfinite(options->tolerance) ||
        !(options->lsTolerance >= 0) || !std::isfinite(options->lsTolerance))
      argumentError("solver tolerances must be finite and >= 0");
    if (!(options->impratio > 0) || !std::isfinite(options->impratio))
      argumentError("impratio must be positive and finite");
    auto* out = new simModel_{model->model};
    sim::SolverOptions& o = out->model.spec.solver;
    o.solver = options->solver;
    o.iterations = options->iterations;
    o.tolerance = options->tolerance;
    o.lsIterations = options->lsIterations;
    o.lsTolerance = options->lsTolerance;
    o.impratio = options->impratio;
    o.limits = options->limits != 0;
    o.frictionloss = options->frictionloss != 0;
    o.warmstart = options->warmstart != 0;
    if (o.contact != (options->contacts != 0)) {
      o.contact = options->contacts != 0;
      std::string unsupported;  // already in the warnings when contacts were on
      sim::compileCollision(out->model, unsupported);
    }
    out->model.maxConstraintRows = sim::constraintCapacity(out->model);
    *copy = out;
    return SIM_OK;
  });
}

const char* sim_name(const simModel* model, int32_t kind, int64_t index) {
  if (!model || index < 0) return nullptr;
  const sim::ModelSpec& spec = model->model.spec;
  switch (kind) {
    case 0: return index < (int64_t)spec.bodies.size() ? spec.bodies[index].name.c_str() : nullptr;
    case 1: return index < (int64_t)spec.joints.size() ? spec.joints[index].name.c_str() : nullptr;
    case 2: return index < (int64_t)spec.sites.size() ? spec.sites[index].name.c_str() : nullptr;
    case 3: return index < (int64_t)spec.actuators.size() ? spec.actuators[index].name.c_str() : nullptr;
    case 4: return index < (int64_t)spec.geoms.size() ? spec.geoms[index].name.c_str() : nullptr;
    case 5: return index < (int64_t)spec.keyframes.size() ? spec.keyframes[index].name.c_str() : nullptr;
    default: return nullptr;
  }
}

int64_t sim_nameToIndex(const simModel* model, int32_t kind, const char* name) {
  if (!model || !name || !*name) return -1;
  for (int64_t i = 0;; ++i) {
    const char* n = sim_name(model, kind, i);
    if (!n) return -1;
    if (std::strcmp(n, name) == 0) return i;
  }
}

void sim_jointInfo(const simModel* model, int32_t* type, int64_t* body, int32_t* limited,
                   double* range, double* qpos0) {
  if (!model) return;
  const sim::Model& m = model->model;
  for (int i = 0; i < (int)m.spec.joints.size(); ++i) {
    const sim::JointSpec& j = m.spec.joints[i];
    const int dof = m.jntDofAdr[i];
    if (type) type[i] = j.type;
    if (body) body[i] = j.body;
    if (limited) limited[i] = m.limited[dof];
    if (range) { range[2 * i] = m.rangeLo[dof]; range[2 * i + 1] = m.rangeHi[dof]; }
  }
  if (qpos0) std::copy(m.qpos0.begin(), m.qpos0.end(), qpos0);
}

void sim_jointAddresses(const simModel* model, int64_t* qposAddress, int64_t* dofAddress) {
  if (!model) return;
  const sim::Model& m = model->model;
  for (size_t i = 0; i < m.jntQposAdr.size(); ++i) {
    if (qposAddress) qposAddress[i] = m.jntQposAdr[i];
    if (dofAddress) dofAddress[i] = m.jntDofAdr[i];
  }
}

int32_t sim_integratePos(const simModel* model, double* qpos, const double* qvel, double dt) {
  if (!model || !qpos || !qvel) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    const sim::Model& m = model->model;
    sim::integratePos(m, qpos, qvel, dt);
    return sim::allFinite(qpos, m.nq) ? SIM_OK : SIM_ERR_NONFINITE;
  });
}

void sim_actuatorInfo(const simModel* model, int64_t* joint, double* gear, int32_t* ctrlLimited,
                      double* ctrlRange) {
  if (!model) return;
  const sim::Model& m = model->model;
  for (int a = 0; a < m.nu; ++a) {
    if (joint) joint[a] = m.actJoint[a];
    if (gear) gear[a] = m.actGear[a];
    if (ctrlLimited) ctrlLimited[a] = m.ctrlLimited[a];
    if (ctrlRange) { ctrlRange[2 * a] = m.ctrlLo[a]; ctrlRange[2 * a + 1] = m.ctrlHi[a]; }
  }
}

void sim_bodyInfo(const simModel* model, int64_t* parent, double* mass, double* com, double* inertia) {
  if (!model) return;
  const sim::ModelSpec& spec = model->model.spec;
  for (size_t b = 0; b < spec.bodies.size(); ++b) {
    const sim::BodySpec& bs = spec.bodies[b];
    if (parent) parent[b] = bs.parent;
    if (mass) mass[b] = bs.mass;
    if (com) for (int k = 0; k < 3; ++k) com[3 * b + k] = bs.com[k];
    if (inertia)
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) inertia[9 * b + 3 * r + c] = bs.inertia(r, c);
  }
}

int32_t sim_geomInfo(const simModel* model, int64_t index, simGeom* geom) {
  if (!model || !geom || index < 0 || index >= (int64_t)model->model.spec.geoms.size())
    return SIM_ERR_ARGUMENT;
  const sim::GeomSpec& g = model->model.spec.geoms[index];
  geom->type = g.type;
  geom->body = g.body;
  for (int k = 0; k < 3; ++k) { geom->size[k] = g.size[k]; geom->pos[k] = g.pos[k]; }
  geom->quat[0] = g.quat.w(); geom->quat[1] = g.quat.x();
  geom->quat[2] = g.quat.y(); geom->quat[3] = g.quat.z();
  for (int k = 0; k < 4; ++k) geom->rgba[k] = g.rgba[k];
  return SIM_OK;
}

// MARK: - States

int32_t sim_makeState(const simModel* model, simState** state) {
  if (state) *state = nullptr;
  return guarded(nullptr, 0, [&]() -> int32_t {
    if (!model || !state) argumentError("sim_makeState: arguments must not be NULL");
    auto* s = new simState_{model, {}};
    sim::makeState(model->model, s->state);
    *state = s;
    return SIM_OK;
  });
}

void sim_deleteState(simState* state) { delete state; }

int32_t sim_setState(const simModel* model, simState* state, const double* qpos, const double* qvel,
                     const double* ctrl) {
  if (!model || !state || !qpos || !qvel || state->owner != model) return SIM_ERR_ARGUMENT;
  const sim::Model& m = model->model;
  if (!sim::allFinite(qpos, m.nq) || !sim::allFinite(qvel, m.nv) || (ctrl && !sim::allFinite(ctrl, m.nu)))
    return SIM_ERR_NONFINITE;
  sim::State& s = state->state;
  std::copy(qpos, qpos + m.nq, s.qpos.begin());
  std::copy(qvel, qvel + m.nv, s.qvel.begin());
  if (ctrl) std::copy(ctrl, ctrl + m.nu, s.ctrl.begin());
  return SIM_OK;
}

int32_t sim_getActivation(const simModel* model, const simState* state, double* act) {
  if (!model || !state || !act || state->owner != model) return SIM_ERR_ARGUMENT;
  std::copy(state->state.act.begin(), state->state.act.end(), act);
  return SIM_OK;
}

int32_t sim_setActivation(const simModel* model, simState* state, const double* act) {
  if (!model || !state || !act || state->owner != model) return SIM_ERR_ARGUMENT;
  if (!sim::allFinite(act, model->model.na)) return SIM_ERR_NONFINITE;
  std::copy(act, act + model->model.na, state->state.act.begin());
  return SIM_OK;
}

int32_t sim_tendonState(const simModel* model, const simState* state, double* length, double* velocity) {
  if (!model || !state || state->owner != model) return SIM_ERR_ARGUMENT;
  const sim::State& s = state->state;
  if (length) std::copy(s.tenLength.begin(), s.tenLength.end(), length);
  if (velocity) std::copy(s.tenVelocity.begin(), s.tenVelocity.end(), velocity);
  return SIM_OK;
}

void sim_setTime(simState* state, double time) {
  if (state) state->state.time = time;
}

void sim_getState(const simModel* model, const simState* state, double* qpos, double* qvel,
                  double* qacc, double* ctrl, double* time) {
  if (!model || !state) return;
  const sim::State& s = state->state;
  if (qpos) std::copy(s.qpos.begin(), s.qpos.end(), qpos);
  if (qvel) std::copy(s.qvel.begin(), s.qvel.end(), qvel);
  if (qacc) std::copy(s.qacc.begin(), s.qacc.end(), qacc);
  if (ctrl) std::copy(s.ctrl.begin(), s.ctrl.end(), ctrl);
  if (time) *time = s.time;
}

// MARK: - Pipeline

#define SIM_REQUIRE_PAIR(model, state) \
  if (!(model) || !(state) || (state)->owner != (model)) return SIM_ERR_ARGUMENT

int32_t sim_forward(const simModel* model, simState* state) {
  SIM_REQUIRE_PAIR(model, state);
  return guarded(nullptr, 0, [&]() -> int32_t {
    sim::forward(model->model, state->state);
    return sim::allFinite(state->state.qacc.data(), model->model.nv) ? SIM_OK : SIM_ERR_NONFINITE;
  });
}

int32_t sim_step(const simModel* model, simState* state) {
  SIM_REQUIRE_PAIR(model, state);
  return guarded(nullptr, 0, [&]() -> int32_t {
    const sim::Model& m = model->model;
    sim::State& s = state->state;
    if (!sim::allFinite(s.ctrl.data(), m.nu)) return SIM_ERR_NONFINITE;
    return sim::step(m, s);
  });
}

void sim_constraintInfo(const simModel* model, const simState* state, int64_t* nefc,
                        int64_t* ncon, int64_t* iterations, double* qfrcConstraint) {
  if (!model || !state) return;
  const sim::State& s = state->state;
  if (nefc) *nefc = s.nefc;
  if (ncon) *ncon = s.ncon;
  if (iterations) *iterations = s.nefc > 0 ? s.solverIterations : 0;
  if (qfrcConstraint) std::copy(s.qfrcConstraint.begin(), s.qfrcConstraint.end(), qfrcConstraint);
}

int32_t sim_contacts(const simModel* model, const simState* state, int64_t capacity, int64_t* ncon,
                     int32_t* geoms, double* contacts) {
  SIM_REQUIRE_PAIR(model, state);
  if (!ncon || capacity < 0) return SIM_ERR_ARGUMENT;
  const sim::Model& m = model->model;
  const sim::State& s = state->state;
  *ncon = s.ncon;
  for (int i = 0; i < s.ncon && i < capacity; ++i) {
    const sim::Contact& c = s.contacts[i];
    if (geoms) {
      geoms[2 * i] = m.pairs[c.pair].g1;
      geoms[2 * i + 1] = m.pairs[c.pair].g2;
    }
    if (contacts) {
      double* out = contacts + 13 * (size_t)i;
      out[0] = c.dist;
      for (int k = 0; k < 3; ++k) out[1 + k] = c.pos[k];
      for (int r = 0; r < 3; ++r)
        for (int k = 0; k < 3; ++k) out[4 + 3 * r + k] = c.frame(r, k);
    }
  }
  return SIM_OK;
}

int32_t sim_contactForces(const simModel* model, const simState* state, int64_t capacity, int64_t* ncon,
                          double* forces) {
  SIM_REQUIRE_PAIR(model, state);
  if (!ncon || (!forces && capacity > 0) || capacity < 0) return SIM_ERR_ARGUMENT;
  const sim::Model& m = model->model;
  const sim::State& s = state->state;
  *ncon = s.ncon;
  const int64_t n = std::min<int64_t>(s.ncon, capacity);
  std::fill(forces, forces + 6 * (size_t)n, 0.0);
  // A contact's rows are consecutive (constraint.cpp, addContactRows): one normal row (condim 1),
  // the pyramid's edges n + μk jk, n − μk jk for k = 1 … condim − 1 (decoded as MuJoCo's
  // mju_decodePyramid), or an elliptic cone's condim rows, which are the frame's components already.
  for (int i = 0; i < s.nefc;) {
    const bool elliptic = s.efcType[i] == sim::kRowElliptic;
    if (s.efcType[i] != sim::kRowContact && !elliptic) { ++i; continue; }
    const int c = s.efcId[i];
    const sim::CollisionPair& p = m.pairs[s.contacts[c].pair];
    const int rows = sim::contactRowCount(p.condim, elliptic);
    if (c < n) {
      double* f = forces + 6 * (size_t)c;
      if (elliptic) {
        std::copy(&s.efcForce[i], &s.efcForce[i] + rows, f);
      } else {
        for (int r = 0; r < rows; ++r) f[0] += s.efcForce[i + r];
        for (int k = 1; k < p.condim; ++k)
          f[k] = p.friction[k - 1] * (s.efcForce[i + 2 * (k - 1)] - s.efcForce[i + 2 * (k - 1) + 1]);
      }
    }
    i += rows;
  }
  return SIM_OK;
}

int32_t sim_inverse(const simModel* model, simState* state, const double* qacc, double* qfrc) {
  SIM_REQUIRE_PAIR(model, state);
  if (!qacc || !qfrc) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    const int nv = model->model.nv;
    if (!sim::allFinite(qacc, nv)) return SIM_ERR_NONFINITE;
    sim::inverseDynamics(model->model, state->state, qacc, qfrc);
    return sim::allFinite(qfrc, nv) ? SIM_OK : SIM_ERR_NONFINITE;
  });
}

int32_t sim_inverseVJP(const simModel* model, simState* state, const double* qacc, const double* w,
                       double* dqpos, double* dqvel, double* dqacc, double* qfrc) {
  SIM_REQUIRE_PAIR(model, state);
  if (!qacc || !w || !dqpos || !dqvel || !dqacc) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    const sim::Model& m = model->model;
    if (sim::rneaVJPUnsupported(m)) return SIM_ERR_UNSUPPORTED;
    const int nv = m.nv;
    if (!sim::allFinite(qacc, nv) || !sim::allFinite(w, nv)) return SIM_ERR_NONFINITE;
    sim::kinematics(m, state->state);
    sim::rneaVJP(m, state->state, qacc, w, dqpos, dqvel, dqacc, qfrc);
    const bool finite = sim::allFinite(dqpos, nv) && sim::allFinite(dqvel, nv) &&
                        sim::allFinite(dqacc, nv) && (!qfrc || sim::allFinite(qfrc, nv));
    return finite ? SIM_OK : SIM_ERR_NONFINITE;
  });
}

int32_t sim_massMatrix(const simModel* model, simState* state, double* mass) {
  SIM_REQUIRE_PAIR(model, state);
  if (!mass) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    sim::kinematics(model->model, state->state);
    sim::crba(model->model, state->state, mass);
    return SIM_OK;
  });
}

int32_t sim_energy(const simModel* model, simState* state, double* potential, double* kinetic) {
  SIM_REQUIRE_PAIR(model, state);
  return guarded(nullptr, 0, [&]() -> int32_t {
    sim::mechanicalEnergy(model->model, state->state, potential, kinetic);
    return SIM_OK;
  });
}

int32_t sim_sitePositions(const simModel* model, simState* state, double* sites) {
  SIM_REQUIRE_PAIR(model, state);
  if (!sites) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    const sim::Model& m = model->model;
    sim::kinematics(m, state->state);
    for (int i = 0; i < m.nsite(); ++i) {
      const sim::Vec3 p = sim::sitePosition(m, state->state, i);
      for (int k = 0; k < 3; ++k) sites[3 * i + k] = p[k];
    }
    return SIM_OK;
  });
}

int32_t sim_bodyPoses(const simModel* model, simState* state, double* position, double* rotation) {
  SIM_REQUIRE_PAIR(model, state);
  if (!position || !rotation) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    const sim::Model& m = model->model;
    sim::kinematics(m, state->state);
    for (int b = 0; b < m.nbody(); ++b) {
      const sim::Pose P = sim::bodyPose(m, state->state, b);
      for (int r = 0; r < 3; ++r) {
        position[3 * b + r] = P.p[r];
        for (int c = 0; c < 3; ++c) rotation[9 * b + 3 * r + c] = P.R(r, c);
      }
    }
    return SIM_OK;
  });
}

int32_t sim_siteJacobian(const simModel* model, simState* state, int64_t site, double* jacp, double* jacr) {
  SIM_REQUIRE_PAIR(model, state);
  if (site < 0 || site >= model->model.nsite()) return SIM_ERR_ARGUMENT;
  return guarded(nullptr, 0, [&]() -> int32_t {
    sim::kinematics(model->model, state->state);
    sim::siteJacobian(model->model, state->state, (int)site, jacp, jacr);
    return SIM_OK;
  });
}

// MARK: - Batched calls

simFeedback sim_defaultFeedback(void) {
  simFeedback f;
  std::memset(&f, 0, sizeof f);
  return f;
}

int32_t sim_rollout(const simModel* model, int64_t B, int64_t T, const double* qpos0,
                    const double* qvel0, const double* ctrl, const simFeedback* feedback,
                    double* qpos, double* qvel, double* sites, double* ctrlOut, int32_t threads,
                    simBatchReport* report, char* message, size_t messageSize) {
  if (report) *report = simBatchReport{0, -1, -1, SIM_OK};
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model) argumentError("sim_rollout: model is NULL");
    requireBatch(B, qpos0, qvel0, "sim_rollout");
    if (T < 0) argumentError("sim_rollout: step count " + std::to_string(T) + " is negative");
    if (B > 0 && (!qpos || !qvel)) argumentError("sim_rollout: output qpos/qvel is NULL");
    if (ctrl && feedback) argumentError("sim_rollout: give open-loop ctrl or a feedback law, not both");
    if (feedback && model->model.nu > 0 && (!feedback->kp != !feedback->qposTarget))
      argumentError("sim_rollout: feedback needs both kp and qposTarget, or neither");
    sim::RolloutArgs args;
    args.B = B; args.T = T; args.qpos0 = qpos0; args.qvel0 = qvel0; args.ctrl = ctrl;
    args.feedback = feedback; args.qpos = qpos; args.qvel = qvel; args.sites = sites;
    args.ctrlOut = ctrlOut; args.threads = threads;
    sim::BatchReport r;
    sim::rollout(model->model, args, r);
    return statusOf(r, report, message, messageSize, "sim_rollout");
  });
}

int32_t sim_stepBatch(const simModel* model, int64_t B, int64_t steps, double* qpos, double* qvel,
                      const double* ctrl, int32_t threads, simBatchReport* report, char* message,
                      size_t messageSize) {
  if (report) *report = simBatchReport{0, -1, -1, SIM_OK};
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model) argumentError("sim_stepBatch: model is NULL");
    requireBatch(B, qpos, qvel, "sim_stepBatch");
    if (steps < 0) argumentError("sim_stepBatch: step count " + std::to_string(steps) + " is negative");
    sim::BatchReport r;
    sim::stepBatch(model->model, B, steps, qpos, qvel, ctrl, threads, r);
    return statusOf(r, report, message, messageSize, "sim_stepBatch");
  });
}

int32_t sim_forwardBatch(const simModel* model, int64_t B, const double* qpos, const double* qvel,
                         const double* qfrc, double* qacc, int32_t threads, char* message,
                         size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model) argumentError("sim_forwardBatch: model is NULL");
    requireBatch(B, qpos, qacc, "sim_forwardBatch");
    const int64_t nv = model->model.nv;
    sim::forwardBatch(model->model, B, qpos, qvel, qfrc, qacc, threads);
    if (!sim::allFinite(qacc, B * nv))
      throw sim::SimError{SIM_ERR_NONFINITE, "sim_forwardBatch: a state or force is not finite"};
    return SIM_OK;
  });
}

int32_t sim_inverseBatch(const simModel* model, int64_t B, const double* qpos, const double* qvel,
                         const double* qacc, double* qfrc, int32_t threads, char* message,
                         size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model) argumentError("sim_inverseBatch: model is NULL");
    requireBatch(B, qpos, qacc, "sim_inverseBatch");
    if (B > 0 && !qfrc) argumentError("sim_inverseBatch: output qfrc is NULL");
    const int64_t nv = model->model.nv;
    sim::inverseBatch(model->model, B, qpos, qvel, qacc, qfrc, threads);
    if (!sim::allFinite(qfrc, B * nv))
      throw sim::SimError{SIM_ERR_NONFINITE, "sim_inverseBatch: a state or acceleration is not finite"};
    return SIM_OK;
  });
}

int32_t sim_inverseVJPBatch(const simModel* model, int64_t B, const double* qpos, const double* qvel,
                            const double* qacc, const double* w, double* dqpos, double* dqvel,
                            double* dqacc, double* qfrc, int32_t threads, char* message,
                            size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    const char* call = "sim_inverseVJPBatch";
    const sim::Model& m = requireVJP(model, B, qpos, qacc, w, dqpos, dqvel, dqacc, call);
    sim::inverseVJPBatch(m, B, qpos, qvel, qacc, w, dqpos, dqvel, dqacc, qfrc, threads);
    requireFiniteVJP(B * m.nv, dqpos, dqvel, dqacc, qfrc, call);
    return SIM_OK;
  });
}

int32_t sim_inverseCostGradientBatch(const simModel* model, int64_t B, const double* qpos,
                                     const double* qvel, const double* qacc, simForceCost cost,
                                     void* context, double* costs, double* dqpos, double* dqvel,
                                     double* dqacc, double* qfrc, int32_t threads, char* message,
                                     size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    const char* call = "sim_inverseCostGradientBatch";
    if (!cost) argumentError(std::string(call) + ": cost is NULL");
    const sim::Model& m = requireVJP(model, B, qpos, qacc, costs, dqpos, dqvel, dqacc, call);
    sim::inverseCostGradientBatch(m, B, qpos, qvel, qacc, cost, context, costs, dqpos, dqvel, dqacc,
                                  qfrc, threads);
    requireFiniteVJP(B * m.nv, dqpos, dqvel, dqacc, qfrc, call);
    if (!sim::allFinite(costs, B))
      throw sim::SimError{SIM_ERR_NONFINITE, std::string(call) + ": a cost is not finite"};
    return SIM_OK;
  });
}

int32_t sim_kinematicsBatch(const simModel* model, int64_t B, const double* qpos, double* sites,
                            int64_t jacobianSite, double* jacp, int32_t threads, char* message,
                            size_t messageSize) {
  return guarded(message, messageSize, [&]() -> int32_t {
    if (!model) argumentError("sim_kinematicsBatch: model is NULL");
    requireBatch(B, qpos, qpos, "sim_kinematicsBatch");
    if (jacp && (jacobianSite < 0 || jacobianSite >= model->model.nsite()))
      argumentError("sim_kinematicsBatch: site " + std::to_string(jacobianSite) + " is out of range");
    if (!sim::allFinite(qpos, B * model->model.nq))
      throw sim::SimError{SIM_ERR_NONFINITE, "sim_kinematicsBatch: qpos is not finite"};
    sim::kinematicsBatch(model->model, B, qpos, sites, jacobianSite, jacp, threads);
    return SIM_OK;
  });
}

int32_t sim_hardwareThreads(void) { return sim::hardwareThreads(); }

}  // extern "C"
