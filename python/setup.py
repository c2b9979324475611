"""Builds energydynamics/_energysim*.so from the repository's sim/src/*.cpp (the same sources
SwiftPM compiles as its CSim target, with the same defines), flags from pkg-config.

The library has no Python module init: `energydynamics/_bridge.py` opens it with ctypes. It is
built as a setuptools Extension only so that `pip install` (and `pip install -e`) compile it with
the project's C++ compiler and place it inside the package.
"""

import glob
import os
import shlex
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(os.path.dirname(HERE), "sim")


def pkg_config(*arguments):
    try:
        return shlex.split(subprocess.check_output(["pkg-config", *arguments, "eigen3", "pugixml", "urdfdom"], text=True))
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit(f"energydynamics: pkg-config eigen3 pugixml urdfdom failed ({error}); "
                         "run scripts/install-deps.sh (libeigen3-dev, libpugixml-dev, liburdfdom-dev, pkg-config)")


class BuildSharedLibrary(build_ext):
    """A plain shared library: no PyInit symbol is needed or exported, compiled on every core.

    Compiler: $CXX when set, else clang++ when on PATH (the Swift toolchain's, which SwiftPM uses
    for the same sources), else Python's default. Measured on reacher2 RK4 rollouts: clang++ -O2
    runs as fast as the Swift-built simulator, g++ 12 -O2 (with Python's -fwrapv) 1.6x slower; the
    numbers are bit-identical either way (SSE2, no FMA contraction, no fast-math).
    """

    def build_extensions(self):
        compiler = os.environ.get("CXX") or shutil.which("clang++")
        if compiler and self.compiler.compiler_type == "unix":
            self.compiler.set_executables(compiler_so=[compiler, "-fPIC"], compiler_cxx=[compiler],
                                          linker_so=[compiler, "-shared"])
            # setuptools >= 72 compiles C++ sources with compiler_so_cxx and links with linker_so_cxx
            for name, value in (("compiler_so_cxx", [compiler, "-fPIC"]), ("linker_so_cxx", [compiler, "-shared"])):
                if hasattr(self.compiler, name):
                    setattr(self.compiler, name, value)
        super().build_extensions()

    def initialize_options(self):
        super().initialize_options()
        self.parallel = os.cpu_count() or 1

    def get_export_symbols(self, ext):
        return []

    def build_extension(self, ext):
        # absolute paths at build time only (setup() takes relative ones): object files then land
        # under build_temp instead of next to the sources
        relative = ext.sources
        ext.sources = [os.path.normpath(os.path.join(HERE, s)) for s in relative]
        try:
            super().build_extension(ext)
        finally:
            ext.sources = relative


sources = sorted(glob.glob(os.path.join(SIM, "src", "*.cpp")))
if not sources:
    raise SystemExit(f"energydynamics: no simulator sources in {SIM}/src (install from the repository's python/ folder)")

setup(
    ext_modules=[Extension(
        "energydynamics._energysim",
        sources=[os.path.relpath(s, HERE) for s in sources],
        include_dirs=[os.path.join(SIM, "include")],
        define_macros=[("NDEBUG", None), ("EIGEN_NO_DEBUG", None), ("EIGEN_DONT_PARALLELIZE", None)],
        extra_compile_args=["-std=c++17", "-O2", "-g0"] + pkg_config("--cflags"),
        extra_link_args=pkg_config("--libs") + ["-lpthread"],
        language="c++",
    )],
    cmdclass={"build_ext": BuildSharedLibrary},
)
