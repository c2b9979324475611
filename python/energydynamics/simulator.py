"""Models and states of the EnergyDynamics simulator, with batched NumPy calls.

`Model` is the immutable description (MuJoCo's mjModel, Pinocchio's Model): load an MJCF file or a
built-in robot, read sizes, options and names, and run batched calls that spread over every core
(`rollout`, `step`, `forward`, `inverse`, `kinematics`). `Simulation` is the mutable state of one
simulation (mjData): `step()`, `forward()`, and the dynamics terms at its state. Arrays are float64,
C order; shapes are written next to each argument ([B, T, nq] = batch, time, coordinates).
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _bridge as _b
from ._bridge import as_doubles, check, lib, message_buffer, pointer


@dataclass(frozen=True)
class Options:
    """Physics options: seconds per step, "euler" or "rk4", substeps per step, gravity [3] (m/s²)."""

    timestep: float
    integrator: str
    substeps: int
    gravity: tuple


class Rollout(NamedTuple):
    """qpos [B, T+1, nq], qvel [B, T+1, nv], sites [B, T+1, nsite, 3] (None when skipped) and the
    applied (clamped) controls ctrl [B, T, nu]."""

    qpos: np.ndarray
    qvel: np.ndarray
    sites: np.ndarray | None
    ctrl: np.ndarray


class Model:
    """An immutable simulator model; share it across threads freely."""

    def __init__(self, handle: ctypes.c_void_p, source: str):
        if not handle:
            raise _b.InternalError("Model: null handle")
        self._handle = handle
        self.source = source
        sizes = _b.simSizes()
        lib.sim_modelSizes(handle, ctypes.byref(sizes))
        self.nq, self.nv, self.nu = sizes.nq, sizes.nv, sizes.nu
        self.nbody, self.njoint, self.nsite, self.ngeom = sizes.nbody, sizes.njoint, sizes.nsite, sizes.ngeom
        self.na, self.ntendon = sizes.na, sizes.ntendon  # activation states, tendons

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and lib is not None:
            lib.sim_deleteModel(handle)

    def __repr__(self):
        o = self.options
        return (f"Model({self.source!r}: nq={self.nq} nv={self.nv} nu={self.nu} nsite={self.nsite}, "
                f"dt={o.timestep} {o.integrator} substeps={o.substeps})")

    # MARK: - Loading

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "Model":
        """Loads an MJCF file (<include> and meshes resolved next to it).
        Raises SimIOError, ParseError or ModelError with "file:line: problem" text."""
        handle, message = ctypes.c_void_p(), message_buffer()
        status = lib.sim_loadModelFile(os.fsencode(path), ctypes.byref(handle), message, _b.MESSAGE_SIZE)
        check(status, f"loading {os.fspath(path)}", message)
        return cls(handle, os.fspath(path))

    @classmethod
    def from_xml(cls, xml: str, name: str = "<string>") -> "Model":
        """Loads MJCF text; `name` names it in error messages."""
        handle, message = ctypes.c_void_p(), message_buffer()
        status = lib.sim_loadModelString(xml.encode(), name.encode(), ctypes.byref(handle), message, _b.MESSAGE_SIZE)
        check(status, f"loading {name}", message)
        return cls(handle, name)

    @classmethod
    def builtin(cls, name: str) -> "Model":
        """A built-in robot: one of `builtin_names()` or "chainN" (1 <= N <= 1024)."""
        return cls.from_xml(builtin_xml(name), name)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike) -> "Model":
        """A built-in robot's name or an MJCF file's path (as `ebm simulate MODEL` takes)."""
        text = os.fspath(name_or_path)
        return cls.from_file(text) if text.endswith(".xml") or os.path.sep in text else cls.builtin(text)

    def with_options(self, timestep: float | None = None, integrator: str | None = None,
                     substeps: int | None = None, gravity=None) -> "Model":
        """A copy with other physics options (this model stays as it is)."""
        options = _b.simOptions()
        lib.sim_modelOptions(self._handle, ctypes.byref(options))
        if timestep is not None:
            options.timestep = float(timestep)
        if integrator is not None:
            if integrator not in _b.INTEGRATORS:
                raise _b.ArgumentError(f"integrator {integrator!r} is not one of {', '.join(_b.INTEGRATORS)}")
            options.integrator = _b.INTEGRATORS[integrator]
        if substeps is not None:
            options.substeps = int(substeps)
        if gravity is not None:
            options.gravity[:] = [float(g) for g in gravity]
        handle, message = ctypes.c_void_p(), message_buffer()
        check(lib.sim_copyModelWithOptions(self._handle, ctypes.byref(options), ctypes.byref(handle), message,
                                           _b.MESSAGE_SIZE), "with_options", message)
        return Model(handle, self.source)

    # MARK: - Description

    @property
    def options(self) -> Options:
        o = _b.simOptions()
        lib.sim_modelOptions(self._handle, ctypes.byref(o))
        integrator = {v: k for k, v in _b.INTEGRATORS.items()}.get(o.integrator, str(o.integrator))
        return Options(o.timestep, integrator, o.substeps, tuple(o.gravity))

    @property
    def warnings(self) -> str:
        """What the loader ignored (lights, cameras, ...), or ""."""
        return lib.sim_modelWarnings(self._handle).decode()

    def names(self, kind: str) -> list[str]:
        """Names of "body", "joint", "site", "actuator", "geom" or "keyframe" entries ("" when unnamed)."""
        k = _b.NAME_KINDS[kind]
        count = {"body": self.nbody, "joint": self.njoint, "site": self.nsite, "actuator": self.nu,
                 "geom": self.ngeom, "keyframe": lib.sim_keyframeCount(self._handle)}[kind]
        return [lib.sim_name(self._handle, k, i).decode() for i in range(count)]

    def index(self, kind: str, name: str) -> int:
        """Index of a named entry; raises NotFoundError when there is none."""
        i = lib.sim_nameToIndex(self._handle, _b.NAME_KINDS[kind], name.encode())
        if i < 0:
            raise _b.NotFoundError(f"no {kind} named {name!r} in {self.source} (has: {', '.join(self.names(kind))})")
        return i

    @property
    def qpos0(self) -> np.ndarray:
        """The reference configuration [nq]."""
        out = np.zeros(self.nq)
        lib.sim_jointInfo(self._handle, None, None, None, None, pointer(out))
        return out

    @property
    def joint_types(self) -> list[str]:
        """"hinge" (rad) or "slide" (m) per joint."""
        out = np.zeros(self.njoint, dtype=np.int32)
        lib.sim_jointInfo(self._handle, pointer(out), None, None, None, None)
        return ["slide" if t == _b.SIM_JOINT_SLIDE else "hinge" for t in out]

    @property
    def joint_range(self) -> np.ndarray:
        """Joint limits [njoint, 2] (see `joint_limited`)."""
        out = np.zeros((self.njoint, 2))
        lib.sim_jointInfo(self._handle, None, None, None, pointer(out), None)
        return out

    @property
    def ctrl_range(self) -> np.ndarray:
        """Control limits [nu, 2] (meaningful where `ctrl_limited`)."""
        out, limited = np.zeros((self.nu, 2)), np.zeros(self.nu, dtype=np.int32)
        lib.sim_actuatorInfo(self._handle, None, None, pointer(limited), pointer(out))
        out[limited == 0] = (-np.inf, np.inf)
        return out

    def keyframe(self, name_or_index) -> dict:
        """A stored state: {"qpos", "qvel", "ctrl", "time"}."""
        index = name_or_index if isinstance(name_or_index, int) else self.index("keyframe", name_or_index)
        qpos, qvel, ctrl, time = np.zeros(self.nq), np.zeros(self.nv), np.zeros(self.nu), ctypes.c_double()
        check(lib.sim_keyframe(self._handle, index, pointer(qpos), pointer(qvel), pointer(ctrl), ctypes.byref(time)),
              f"keyframe {name_or_index}")
        return {"qpos": qpos, "qvel": qvel, "ctrl": ctrl, "time": time.value}

    # MARK: - Batched calls (one bridge call each, spread over `threads`; 0 = every core)

    @staticmethod
    def _rows(value, B: int, width: int, what: str) -> np.ndarray:
        """`value` as a C-contiguous float64 [B, width] (a flat [B·width] or, for B = 1, [width] is accepted)."""
        array = np.asarray(value, dtype=np.float64)
        if array.size != B * width:
            raise _b.ArgumentError(f"{what} has shape {array.shape}, expected [{B}, {width}]")
        return np.ascontiguousarray(array.reshape(B, width))

    def _positions(self, qpos) -> np.ndarray:
        """qpos as a C-contiguous float64 [B, nq] (a 1-D qpos is one state: B = 1)."""
        qpos = np.atleast_2d(np.asarray(qpos, dtype=np.float64))
        return as_doubles(qpos, (qpos.shape[0], self.nq), "qpos")

    def rollout(self, qpos, qvel=None, ctrl=None, steps: int | None = None, *, dt: float | None = None,
                integrator: str | None = None, substeps: int | None = None, sites: bool = True,
                threads: int = 0) -> Rollout:
        """Rolls out B trajectories from qpos [B, nq], qvel [B, nv] (None = rest) under open-loop
        controls ctrl [B, T, nu] (None = zeros, then `steps` gives T). Bit-identical for any
        `threads`. A 1-D qpos means B = 1 and the outputs keep their batch axis. dt, integrator
        ("euler", "rk4") and substeps override the model's options for this call (`with_options`).
        Raises NonFiniteError when a trajectory diverges (its `report` names the first; the others finish)."""
        if dt is not None or integrator is not None or substeps is not None:
            return self.with_options(timestep=dt, integrator=integrator, substeps=substeps).rollout(
                qpos, qvel, ctrl, steps, sites=sites, threads=threads)
        qpos = self._positions(qpos)
        B = qpos.shape[0]
        qvel = np.zeros((B, self.nv)) if qvel is None else self._rows(qvel, B, self.nv, "qvel")
        if ctrl is not None:
            ctrl = np.asarray(ctrl, dtype=np.float64)
            T = ctrl.shape[-2] if ctrl.ndim >= 2 else -1
            ctrl = as_doubles(ctrl.reshape((B,) + ctrl.shape[-2:]) if ctrl.ndim == 2 and B == 1 else ctrl, (B, T, self.nu), "ctrl")
            if steps is not None and steps != T:
                raise _b.ArgumentError(f"steps {steps} differs from the {T} steps of ctrl")
        elif steps is None:
            raise _b.ArgumentError("give ctrl [B, T, nu] or steps")
        else:
            T = int(steps)
        if T < 0:
            raise _b.ArgumentError(f"steps {T} must be >= 0")
        out_qpos, out_qvel = np.empty((B, T + 1, self.nq)), np.empty((B, T + 1, self.nv))
        out_sites = np.empty((B, T + 1, self.nsite, 3)) if sites else None
        out_ctrl = np.empty((B, T, self.nu))
        report, message = _b.simBatchReport(), message_buffer()
        status = lib.sim_rollout(self._handle, B, T, pointer(qpos), pointer(qvel), pointer(ctrl), None,
                                 pointer(out_qpos), pointer(out_qvel),
                                 pointer(out_sites) if sites and self.nsite > 0 else None,
                                 pointer(out_ctrl) if self.nu > 0 else None, int(threads),
                                 ctypes.byref(report), message, _b.MESSAGE_SIZE)
        check(status, "rollout", message, report)
        return Rollout(out_qpos, out_qvel, out_sites, out_ctrl)

    def step(self, qpos, qvel, ctrl=None, nstep: int = 1, *, threads: int = 0, out=None):
        """Advances B states qpos [B, nq], qvel [B, nv] by `nstep` steps under constant ctrl [B, nu]
        (None = zeros). Returns new (qpos, qvel); with out=(qpos, qvel), C-contiguous float64 arrays
        [B, nq] and [B, nv], it writes there, and out may be the inputs themselves (in place, no copy)."""
        qpos_in = self._positions(qpos)
        B = qpos_in.shape[0]
        qvel_in = self._rows(qvel, B, self.nv, "qvel")
        if out is None:
            q, v = qpos_in.copy(), qvel_in.copy()
        else:
            q, v = out
            for array, width, what in ((q, self.nq, "out[0] (qpos)"), (v, self.nv, "out[1] (qvel)")):
                if not (isinstance(array, np.ndarray) and array.dtype == np.float64 and array.flags.c_contiguous
                        and array.shape == (B, width)):
                    raise _b.ArgumentError(f"{what} must be a C-contiguous float64 NumPy array [{B}, {width}]")
            if q is not qpos:
                q[...] = qpos_in
            if v is not qvel:
                v[...] = qvel_in
        u = None if ctrl is None else self._rows(ctrl, B, self.nu, "ctrl")
        report, message = _b.simBatchReport(), message_buffer()
        status = lib.sim_stepBatch(self._handle, B, int(nstep), pointer(q), pointer(v), pointer(u), int(threads),
                                   ctypes.byref(report), message, _b.MESSAGE_SIZE)
        check(status, "step", message, report)
        return q, v

    def forward(self, qpos, qvel=None, qfrc=None, *, threads: int = 0) -> np.ndarray:
        """Forward dynamics (ABA) at B states: qacc [B, nv] under applied generalised forces qfrc [B, nv]."""
        qpos = self._positions(qpos)
        B = qpos.shape[0]
        qvel = None if qvel is None else self._rows(qvel, B, self.nv, "qvel")
        qfrc = None if qfrc is None else self._rows(qfrc, B, self.nv, "qfrc")
        qacc, message = np.empty((B, self.nv)), message_buffer()
        check(lib.sim_forwardBatch(self._handle, B, pointer(qpos), pointer(qvel), pointer(qfrc), pointer(qacc),
                                   int(threads), message, _b.MESSAGE_SIZE), "forward", message)
        return qacc

    def inverse(self, qpos, qvel, qacc, *, threads: int = 0) -> np.ndarray:
        """Inverse dynamics (RNEA) at B states: qfrc [B, nv] = (M + diag(armature)) qacc + c − qfrc_passive."""
        qpos = self._positions(qpos)
        B = qpos.shape[0]
        qvel = None if qvel is None else self._rows(qvel, B, self.nv, "qvel")
        qacc = self._rows(qacc, B, self.nv, "qacc")
        qfrc, message = np.empty((B, self.nv)), message_buffer()
        check(lib.sim_inverseBatch(self._handle, B, pointer(qpos), pointer(qvel), pointer(qacc), pointer(qfrc),
                                   int(threads), message, _b.MESSAGE_SIZE), "inverse", message)
        return qfrc

    def kinematics(self, qpos, jacobian_site: int | str | None = None, *, threads: int = 0):
        """Forward kinematics at B configurations qpos [B, nq]: site positions [B, nsite, 3], and with
        `jacobian_site` (index or name) also that site's translational Jacobian [B, 3, nv]."""
        qpos = self._positions(qpos)
        B = qpos.shape[0]
        site = -1 if jacobian_site is None else (self.index("site", jacobian_site) if isinstance(jacobian_site, str) else int(jacobian_site))
        sites, message = np.empty((B, self.nsite, 3)), message_buffer()
        jacp = np.empty((B, 3, self.nv)) if site >= 0 else None
        check(lib.sim_kinematicsBatch(self._handle, B, pointer(qpos), pointer(sites) if self.nsite else None, site,
                                      pointer(jacp), int(threads), message, _b.MESSAGE_SIZE), "kinematics", message)
        return sites if jacp is None else (sites, jacp)


class Simulation:
    """The mutable state of one simulation of `model` (MuJoCo's mjData): use from one thread at a time."""

    def __init__(self, model: Model, qpos=None, qvel=None, ctrl=None):
        self.model = model  # keeps the model alive as long as the state
        handle = ctypes.c_void_p()
        check(lib.sim_makeState(model._handle, ctypes.byref(handle)), "Simulation")
        self._handle, self._m = handle, model._handle
        self._qpos, self._qvel, self._qacc = np.zeros(model.nq), np.zeros(model.nv), np.zeros(model.nv)
        self._ctrl, self._time = np.zeros(model.nu), ctypes.c_double()
        if qpos is not None or qvel is not None or ctrl is not None:
            self.set_state(model.qpos0 if qpos is None else qpos, np.zeros(model.nv) if qvel is None else qvel, ctrl)

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and lib is not None:
            lib.sim_deleteState(handle)

    def set_state(self, qpos, qvel, ctrl=None) -> None:
        """Sets qpos [nq], qvel [nv] and (when given) ctrl [nu]; the time is kept."""
        m = self.model
        q, v = as_doubles(qpos, (m.nq,), "qpos"), as_doubles(qvel, (m.nv,), "qvel")
        u = None if ctrl is None else as_doubles(ctrl, (m.nu,), "ctrl")
        check(lib.sim_setState(self._m, self._handle, pointer(q), pointer(v), pointer(u)), "set_state")

    def set_ctrl(self, ctrl) -> None:
        """Sets the controls [nu], keeping the position and velocity."""
        self.set_state(self.qpos, self.qvel, ctrl)

    def _read(self):
        lib.sim_getState(self._m, self._handle, pointer(self._qpos), pointer(self._qvel), pointer(self._qacc),
                         pointer(self._ctrl), ctypes.byref(self._time))

    @property
    def qpos(self) -> np.ndarray:
        self._read()
        return self._qpos.copy()

    @property
    def qvel(self) -> np.ndarray:
        self._read()
        return self._qvel.copy()

    @property
    def qacc(self) -> np.ndarray:
        self._read()
        return self._qacc.copy()

    @property
    def ctrl(self) -> np.ndarray:
        self._read()
        return self._ctrl.copy()

    @property
    def time(self) -> float:
        self._read()
        return self._time.value

    @time.setter
    def time(self, value: float) -> None:
        lib.sim_setTime(self._handle, float(value))

    def step(self, nstep: int = 1) -> None:
        """Advances `nstep` timesteps (controls clamped to their ranges); on NonFiniteError the state is
        the one before the failing step."""
        for _ in range(nstep):
            status = lib.sim_step(self._m, self._handle)
            if status:
                check(status, "step")

    def forward(self) -> np.ndarray:
        """Kinematics and forward dynamics at the current state; returns qacc [nv]."""
        check(lib.sim_forward(self._m, self._handle), "forward")
        return self.qacc

    def inverse(self, qacc) -> np.ndarray:
        """The generalised force qfrc [nv] giving acceleration qacc [nv] at the current state (RNEA)."""
        qacc, qfrc = as_doubles(qacc, (self.model.nv,), "qacc"), np.empty(self.model.nv)
        check(lib.sim_inverse(self._m, self._handle, pointer(qacc), pointer(qfrc)), "inverse")
        return qfrc

    def mass_matrix(self) -> np.ndarray:
        """M(q) [nv, nv] (CRBA, armature included)."""
        out = np.empty((self.model.nv, self.model.nv))
        check(lib.sim_massMatrix(self._m, self._handle, pointer(out)), "mass_matrix")
        return out

    def energy(self) -> tuple[float, float]:
        """(potential, kinetic) mechanical energy in joules."""
        potential, kinetic = ctypes.c_double(), ctypes.c_double()
        check(lib.sim_energy(self._m, self._handle, ctypes.byref(potential), ctypes.byref(kinetic)), "energy")
        return potential.value, kinetic.value

    def site_positions(self) -> np.ndarray:
        """World positions of the sites [nsite, 3]."""
        out = np.empty((self.model.nsite, 3))
        check(lib.sim_sitePositions(self._m, self._handle, pointer(out)), "site_positions")
        return out

    def body_poses(self) -> tuple[np.ndarray, np.ndarray]:
        """World positions [nbody, 3] and rotation matrices [nbody, 3, 3] of the bodies."""
        position, rotation = np.empty((self.model.nbody, 3)), np.empty((self.model.nbody, 3, 3))
        check(lib.sim_bodyPoses(self._m, self._handle, pointer(position), pointer(rotation)), "body_poses")
        return position, rotation

    def site_jacobian(self, site: int | str) -> tuple[np.ndarray, np.ndarray]:
        """Translational and rotational Jacobians [3, nv] of a site (index or name), world frame."""
        index = self.model.index("site", site) if isinstance(site, str) else int(site)
        jacp, jacr = np.empty((3, self.model.nv)), np.empty((3, self.model.nv))
        check(lib.sim_siteJacobian(self._m, self._handle, index, pointer(jacp), pointer(jacr)), f"site_jacobian {site}")
        return jacp, jacr


def builtin_names() -> list[str]:
    """The fixed built-in robots ("chainN" is made on request)."""
    return lib.sim_builtinModelNames().decode().split(",")


def builtin_xml(name: str) -> str:
    """The MJCF text of a built-in robot."""
    length = ctypes.c_size_t()
    check(lib.sim_builtinModelXML(name.encode(), None, 0, ctypes.byref(length)), f"built-in robot {name!r}")
    buffer = ctypes.create_string_buffer(length.value + 1)
    check(lib.sim_builtinModelXML(name.encode(), buffer, len(buffer), ctypes.byref(length)), f"built-in robot {name!r}")
    return buffer.value.decode()


def hardware_threads() -> int:
    """The worker threads that threads=0 means."""
    return lib.sim_hardwareThreads()
