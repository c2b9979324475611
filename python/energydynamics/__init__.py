"""EnergyDynamics from Python: the simulator over its C bridge (NumPy), datasets, trained energy
models in PyTorch, Minari export and TensorBoard logs. See python/README.md."""

from ._bridge import (ArgumentError, InternalError, ModelError, NonFiniteError, NotFoundError, ParseError,
                      SimError, SimIOError)
from .simulator import Model, Options, Rollout, Simulation, builtin_names, builtin_xml, hardware_threads

__version__ = "0.1.0"

__all__ = ["Model", "Simulation", "Rollout", "Options", "builtin_names", "builtin_xml", "hardware_threads",
           "SimError", "ParseError", "ModelError", "ArgumentError", "NonFiniteError", "SimIOError",
           "NotFoundError", "InternalError", "load_dataset", "load_energy_model", "export_minari"]


def __getattr__(name):
    # the parts with optional dependencies load on first use
    if name == "load_dataset":
        from .datasets import load_dataset
        return load_dataset
    if name == "load_energy_model":
        from .torch_models import load_energy_model
        return load_energy_model
    if name == "export_minari":
        from .minari_export import export_minari
        return export_minari
    raise AttributeError(name)
