"""Packaging for vmtkscripts_numpy."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

# Every script module (vmtk*.py) is also installed as its own command; they all
# enter through one function that runs the script named by the command.
SCRIPT_COMMANDS = sorted(
    path.stem for path in (HERE / "vmtkscripts_numpy").glob("vmtk*.py") if path.stem != "vmtkscripts"
)

TEST_REQUIRES = ["pytest>=7"]
# The tutorial notebooks need these; tests/test_tutorials.py runs them, so the tests need them too.
TUTORIAL_REQUIRES = [
    "nbclient>=0.6", "nbformat>=5.1", "ipykernel>=6", "jupyter_client>=7", "matplotlib>=3.5", "scipy>=1.7"
]
# python -m benchmarks.run compares with PyVista when it is installed and draws its plot with matplotlib.
BENCH_REQUIRES = ["pyvista", "matplotlib"]

setup(
    name="vmtkscripts_numpy",
    version="0.1.0",
    description="vmtk-compatible scripts and functions that turn VTK surfaces, centerlines, "
    "meshes and images into nested dicts of numpy arrays and back, losslessly.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    python_requires=">=3.9",
    packages=find_packages(include=["vmtkscripts_numpy", "vmtkscripts_numpy.*"]),
    install_requires=["numpy", "vtk>=9.1", "h5py"],
    extras_require={"test": TEST_REQUIRES + TUTORIAL_REQUIRES, "tutorials": TUTORIAL_REQUIRES, "bench": BENCH_REQUIRES},
    entry_points={
        "console_scripts": ["vmtknumpy = vmtkscripts_numpy.pypes.cli:main"]
        + [f"{name} = vmtkscripts_numpy.pypes.cli:main" for name in SCRIPT_COMMANDS],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
    ],
)
