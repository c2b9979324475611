"""ctypes declarations of sim/include/energysim.h and the one status-to-exception policy.

Why ctypes (and not cffi, nanobind or pybind11): the bridge is a flat C API of doubles, fixed-width
integers, opaque handles and two plain structs, so the standard library's ctypes describes it in a
page, with no compiler or binding generator needed at install or import time. Arrays cross as raw
pointers into NumPy buffers (zero copy), and ctypes releases the GIL for the length of every call,
so batched calls run on all cores while Python threads go on. The one cost, ~1 µs of call
overhead, matters only for one-step calls; batched calls (rollout, step batches) amortise it.
"""

from __future__ import annotations

import ctypes
import glob
import os
from ctypes import POINTER, c_char, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t, c_void_p

import numpy as np

SIM_VERSION = 2  # the header's; checked against sim_version() of the loaded library

SIM_OK = 0
SIM_ERR_PARSE = 1
SIM_ERR_MODEL = 2
SIM_ERR_ARGUMENT = 3
SIM_ERR_NONFINITE = 4
SIM_ERR_IO = 5
SIM_ERR_NOT_FOUND = 6
SIM_ERR_INTERNAL = 7
SIM_ERR_UNSUPPORTED = 8

SIM_JOINT_HINGE = 0
SIM_JOINT_SLIDE = 1

SIM_INTEGRATOR_EULER = 0
SIM_INTEGRATOR_RK4 = 1
INTEGRATORS = {"euler": SIM_INTEGRATOR_EULER, "rk4": SIM_INTEGRATOR_RK4}

# kinds of sim_name / sim_nameToIndex
NAME_KINDS = {"body": 0, "joint": 1, "site": 2, "actuator": 3, "geom": 4, "keyframe": 5}

MESSAGE_SIZE = 4096


# MARK: - Errors: one exception class per status code


class SimError(Exception):
    """A failed bridge call: `status` (SIM_ERR_*), `status_name` and the library's message."""

    status = SIM_ERR_INTERNAL

    def __init__(self, message: str, status: int | None = None, report: dict | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.status_name = STATUS_NAMES.get(self.status, f"status {self.status}")
        self.report = report  # batched calls: failed, first_batch, first_step, first_status


class ParseError(SimError, ValueError):
    status = SIM_ERR_PARSE


class ModelError(SimError, ValueError):
    status = SIM_ERR_MODEL


class ArgumentError(SimError, ValueError):
    status = SIM_ERR_ARGUMENT


class NonFiniteError(SimError, FloatingPointError):
    status = SIM_ERR_NONFINITE


class SimIOError(SimError, OSError):
    status = SIM_ERR_IO


class NotFoundError(SimError, LookupError):
    status = SIM_ERR_NOT_FOUND


class InternalError(SimError, RuntimeError):
    status = SIM_ERR_INTERNAL


ERRORS = {c.status: c for c in (ParseError, ModelError, ArgumentError, NonFiniteError, SimIOError, NotFoundError, InternalError)}
STATUS_NAMES = {
    SIM_OK: "SIM_OK", SIM_ERR_PARSE: "SIM_ERR_PARSE", SIM_ERR_MODEL: "SIM_ERR_MODEL",
    SIM_ERR_ARGUMENT: "SIM_ERR_ARGUMENT", SIM_ERR_NONFINITE: "SIM_ERR_NONFINITE", SIM_ERR_IO: "SIM_ERR_IO",
    SIM_ERR_NOT_FOUND: "SIM_ERR_NOT_FOUND", SIM_ERR_INTERNAL: "SIM_ERR_INTERNAL", SIM_ERR_UNSUPPORTED: "SIM_ERR_UNSUPPORTED",
}


def check(status: int, what: str, message=None, report=None) -> None:
    """Raises the exception of `status` (nothing for SIM_OK) with the library's message when given."""
    if status == SIM_OK:
        return
    text = message.value.decode("utf-8", "replace") if message is not None else ""
    details = None
    if report is not None:
        details = {"failed": report.failed, "first_batch": report.firstBatch,
                   "first_step": report.firstStep, "first_status": report.firstStatus}
    name = STATUS_NAMES.get(status, f"status {status}")
    raise ERRORS.get(status, InternalError)(f"{what}: {name}" + (f": {text}" if text else ""), status, details)


def message_buffer():
    return ctypes.create_string_buffer(MESSAGE_SIZE)


# MARK: - Structs of the header


class simSizes(ctypes.Structure):
    _fields_ = [(n, c_int64) for n in ("nq", "nv", "nu", "nbody", "njoint", "nsite", "ngeom", "na", "ntendon")]


class simOptions(ctypes.Structure):
    _fields_ = [("timestep", c_double), ("integrator", c_int32), ("substeps", c_int32), ("gravity", c_double * 3)]


class simGeom(ctypes.Structure):
    _fields_ = [("type", c_int32), ("body", c_int64), ("size", c_double * 3), ("pos", c_double * 3),
                ("quat", c_double * 4), ("rgba", c_float * 4)]


class simBatchReport(ctypes.Structure):
    _fields_ = [("failed", c_int64), ("firstBatch", c_int64), ("firstStep", c_int64), ("firstStatus", c_int32)]


class simFeedback(ctypes.Structure):
    _fields_ = [("kp", c_void_p), ("kd", c_void_p), ("qposTarget", c_void_p), ("qvelTarget", c_void_p),
                ("ctrlOffset", c_void_p), ("targetPerStep", c_int32), ("gravityCompensation", c_int32),
                ("gravityScale", c_void_p)]


# MARK: - Loading the library

_P = c_void_p  # every array and handle crosses as a plain pointer
_D = POINTER(c_double)

_SIGNATURES = {
    "sim_version": (c_int32, []),
    "sim_statusName": (c_char_p, [c_int32]),
    "sim_loadModelFile": (c_int32, [c_char_p, POINTER(c_void_p), _P, c_size_t]),
    "sim_loadModelString": (c_int32, [c_char_p, c_char_p, POINTER(c_void_p), _P, c_size_t]),
    "sim_builtinModelXML": (c_int32, [c_char_p, _P, c_size_t, POINTER(c_size_t)]),
    "sim_builtinModelNames": (c_char_p, []),
    "sim_deleteModel": (None, [_P]),
    "sim_modelWarnings": (c_char_p, [_P]),
    "sim_keyframeCount": (c_int64, [_P]),
    "sim_keyframe": (c_int32, [_P, c_int64, _P, _P, _P, _P]),
    "sim_modelSizes": (None, [_P, POINTER(simSizes)]),
    "sim_modelOptions": (None, [_P, POINTER(simOptions)]),
    "sim_copyModelWithOptions": (c_int32, [_P, POINTER(simOptions), POINTER(c_void_p), _P, c_size_t]),
    "sim_name": (c_char_p, [_P, c_int32, c_int64]),
    "sim_nameToIndex": (c_int64, [_P, c_int32, c_char_p]),
    "sim_jointInfo": (None, [_P, _P, _P, _P, _P, _P]),
    "sim_actuatorInfo": (None, [_P, _P, _P, _P, _P]),
    "sim_bodyInfo": (None, [_P, _P, _P, _P, _P]),
    "sim_geomInfo": (c_int32, [_P, c_int64, POINTER(simGeom)]),
    "sim_makeState": (c_int32, [_P, POINTER(c_void_p)]),
    "sim_deleteState": (None, [_P]),
    "sim_setState": (c_int32, [_P, _P, _P, _P, _P]),
    "sim_getActivation": (c_int32, [_P, _P, _P]),
    "sim_setActivation": (c_int32, [_P, _P, _P]),
    "sim_tendonState": (c_int32, [_P, _P, _P, _P]),
    "sim_setTime": (None, [_P, c_double]),
    "sim_getState": (None, [_P, _P, _P, _P, _P, _P, _P]),
    "sim_forward": (c_int32, [_P, _P]),
    "sim_step": (c_int32, [_P, _P]),
    "sim_inverse": (c_int32, [_P, _P, _P, _P]),
    "sim_massMatrix": (c_int32, [_P, _P, _P]),
    "sim_energy": (c_int32, [_P, _P, _P, _P]),
    "sim_sitePositions": (c_int32, [_P, _P, _P]),
    "sim_bodyPoses": (c_int32, [_P, _P, _P, _P]),
    "sim_siteJacobian": (c_int32, [_P, _P, c_int64, _P, _P]),
    "sim_rollout": (c_int32, [_P, c_int64, c_int64, _P, _P, _P, POINTER(simFeedback), _P, _P, _P, _P, c_int32,
                              POINTER(simBatchReport), _P, c_size_t]),
    "sim_stepBatch": (c_int32, [_P, c_int64, c_int64, _P, _P, _P, c_int32, POINTER(simBatchReport), _P, c_size_t]),
    "sim_forwardBatch": (c_int32, [_P, c_int64, _P, _P, _P, _P, c_int32, _P, c_size_t]),
    "sim_inverseBatch": (c_int32, [_P, c_int64, _P, _P, _P, _P, c_int32, _P, c_size_t]),
    "sim_kinematicsBatch": (c_int32, [_P, c_int64, _P, _P, c_int64, _P, c_int32, _P, c_size_t]),
    "sim_hardwareThreads": (c_int32, []),
}


def library_path() -> str:
    """The shared library to load: $ENERGYSIM_LIBRARY, else the one built next to this file."""
    override = os.environ.get("ENERGYSIM_LIBRARY")
    if override:
        return override
    here = os.path.dirname(os.path.abspath(__file__))
    found = sorted(glob.glob(os.path.join(here, "_energysim*.so")) + glob.glob(os.path.join(here, "_energysim*.dylib")))
    if not found:
        raise ImportError(f"energydynamics: no compiled simulator (_energysim*.so) in {here}; "
                          "install the package with `pip install ./python` (it compiles sim/src/*.cpp)")
    return found[0]


def _load():
    lib = ctypes.CDLL(library_path())  # CDLL releases the GIL during each call
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    if lib.sim_version() != SIM_VERSION:
        raise ImportError(f"energydynamics: library {library_path()} has bridge version {lib.sim_version()}, "
                          f"this package was written for {SIM_VERSION}: reinstall it")
    return lib


lib = _load()


def pointer(array) -> int | None:
    """The data pointer of a C-contiguous float64/int NumPy array (None for None)."""
    return None if array is None else array.ctypes.data


def as_doubles(value, shape: tuple, what: str) -> np.ndarray:
    """`value` as a C-contiguous float64 array of exactly `shape` (no copy when it already is one)."""
    array = np.ascontiguousarray(value, dtype=np.float64)
    if array.shape != tuple(shape):
        raise ArgumentError(f"{what} has shape {array.shape}, expected {tuple(shape)}", SIM_ERR_ARGUMENT)
    return array
