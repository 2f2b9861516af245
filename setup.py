"""Packaging for vmtkscripts_numpy."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

# Commands: `vmtknumpy` runs every script and pipe (`vmtknumpy vmtksurfacetonumpy ...`). A script is
# installed as a command of its own only if vmtk has no command of that name: conda and CMake builds of
# vmtk install launchers such as `vmtksurfacereader` into the same bin/, and pip would silently replace
# them (and delete them on uninstall). tests/test_packaging.py keeps this list honest.
OWN_COMMANDS = ["vmtknumpysampledata", "vmtknumpybatch"]

DICOM_REQUIRES = ["pydicom>=2.3"]
# vmtk 1.5.2 is on PyPI for Python >= 3.12 only; it pins VTK 9.6.2, inside the range declared below.
VMTK_REQUIRES = ["vmtk==1.5.2; python_version >= '3.12'"]
# vmtknumpybatch runs cohorts on Dask's distributed scheduler (Dask 2024.8 is the newest for Python 3.9).
COHORT_REQUIRES = ["dask[distributed]"]
# The cohort tests run on a real local Dask cluster and read the index table with pandas, as users do.
# CI runs mypy on the package after the tests (.ci/run, mypy.ini), and its extra jobs run the tests on two
# processes (pytest-xdist) to stay within its time.
TEST_REQUIRES = ["pytest>=7", "pytest-xdist", "hypothesis", "pandas", "mypy"] + DICOM_REQUIRES + COHORT_REQUIRES
# The tutorial notebooks need these; tests/test_tutorials.py runs them, so the tests need them too.
TUTORIAL_REQUIRES = [
    "nbclient>=0.6", "nbformat>=5.1", "ipykernel>=6", "jupyter_client>=7", "matplotlib>=3.5", "scipy>=1.7"
] + COHORT_REQUIRES  # tutorial 05 runs a cohort on a local Dask cluster
# The documentation site (docs/conf.py): Sphinx with MyST Markdown (>= 3 tells Sphinx what it includes: the
# README's links are made the site's), the notebooks executed by myst-nb, numpydoc docstrings. The tutorials run
# during the build, so it needs what they need (and DICOM, for tutorial 03's slice).
DOCS_REQUIRES = ["sphinx>=7.2", "myst-parser>=3", "myst-nb>=1.0", "numpydoc>=1.6"] + TUTORIAL_REQUIRES + DICOM_REQUIRES
# python -m benchmarks.run compares with PyVista when it is installed.
BENCH_REQUIRES = ["pyvista"]
# vmtkscripts_numpy.bridges converts to and from these; each is imported only when its bridge is used.
# All four install from wheels on Python 3.9 to 3.13, so the tests install them and do not skip.
BRIDGES_REQUIRES = ["pyvista", "meshio", "SimpleITK", "nibabel"]
# The ArrayDict files PyVista opens through the package (entry points below).
PYVISTA_EXTENSIONS = [".hdf5", ".npz"]

setup(
    name="vmtkscripts_numpy",
    version="0.1.0",
    description="vmtk-compatible scripts and functions that turn VTK surfaces, centerlines, "
    "meshes and images into nested dicts of numpy arrays and back, losslessly.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    license_files=["LICENSE"],
    author="the vmtkscripts_numpy developers",
    url="https://github.com/vmtkscripts-numpy/vmtkscripts_numpy",
    project_urls={
        "Source": "https://github.com/vmtkscripts-numpy/vmtkscripts_numpy",
        "Issues": "https://github.com/vmtkscripts-numpy/vmtkscripts_numpy/issues",
        "Documentation": "https://github.com/vmtkscripts-numpy/vmtkscripts_numpy/tree/main/docs",
    },
    python_requires=">=3.9",
    packages=find_packages(include=["vmtkscripts_numpy", "vmtkscripts_numpy.*"]),
    # The type hints are part of the package (PEP 561).
    package_data={"vmtkscripts_numpy": ["py.typed"]},
    # VTK 9.1 is the oldest VTK CI tests (on Python 3.9); 9.6 is vmtk 1.5.2's, 9.7 the newest.
    install_requires=["numpy", "vtk>=9.1", "h5py"],
    extras_require={
        "test": TEST_REQUIRES + TUTORIAL_REQUIRES + BRIDGES_REQUIRES,
        "tutorials": TUTORIAL_REQUIRES,
        "docs": DOCS_REQUIRES,
        "bench": BENCH_REQUIRES,
        "bridges": BRIDGES_REQUIRES,
        "dicom": DICOM_REQUIRES,
        "cohort": COHORT_REQUIRES,
        "vmtk": VMTK_REQUIRES,
    },
    entry_points={
        "console_scripts": ["vmtknumpy = vmtkscripts_numpy.pypes.cli:main"]
        + [f"{name} = vmtkscripts_numpy.pypes.cli:main" for name in OWN_COMMANDS],
        # pyvista.read("case.hdf5") and mesh.save("case.npz") with PyVista >= 0.48; PyVista reads .h5 and .hdf
        # itself (Fluent, VTKHDF), and refuses pickles, so only these two are claimed.
        "pyvista.readers": [f"{ext} = vmtkscripts_numpy.bridges.pyvista:read_array_dict_file"
                            for ext in PYVISTA_EXTENSIONS],
        "pyvista.writers": [f"{ext} = vmtkscripts_numpy.bridges.pyvista:write_array_dict_file"
                            for ext in PYVISTA_EXTENSIONS],
    },
    # Python 3.9 to 3.13; CI runs 3.9 (with VTK 9.1), 3.12 (vmtk's VTK 9.6.2) and its default Python (the newest VTK).
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
        "Typing :: Typed",
    ],
)
