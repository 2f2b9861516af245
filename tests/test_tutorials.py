"""The tutorial notebooks run from top to bottom, as a reader runs them in Jupyter.

Each notebook runs in a fresh kernel of the Python running the tests (so in the
same virtualenv), with the tutorials folder as working directory, as Jupyter
starts it. It runs on generated sample data, and also on vmtk's test data when
``../shared/vmtk-test-data`` is there. A cell that raises fails the test. The
notebooks write only into the folder the test gives them: the repository stays
as it was. They are stored without outputs, so that a diff shows only what
changed in the tutorial itself.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VMTK_TEST_DATA = PROJECT_ROOT.parent / "shared" / "vmtk-test-data"
TUTORIALS = PROJECT_ROOT / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
#: Seconds one cell may take before the run counts as hung.
CELL_TIMEOUT = 120


def test_there_are_the_five_tutorials():
    assert [path.name for path in NOTEBOOKS] == [
        "01-working-with-numpy-arrays.ipynb",
        "02-surface-scalars-to-a-flat-map.ipynb",
        "03-numpy-volume-to-image-file.ipynb",
        "04-time-series-on-one-geometry.ipynb",
        "05-a-cohort-on-dask.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebooks_are_stored_without_outputs_for_the_python3_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} of {path.name} has outputs"


def _kernel_manager() -> AsyncKernelManager:
    """A kernel manager that starts ipykernel with the running interpreter, whatever kernels are registered.

    No kernel folders are searched, so only ipykernel's own ``python3`` spec is known, and that
    one runs ``sys.executable`` (a ``python3`` kernel registered by the user could run another Python).
    """
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))


def _files_under(folder: Path) -> set:
    return {path.relative_to(folder) for path in folder.rglob("*") if ".ipynb_checkpoints" not in path.parts}


@pytest.mark.parametrize("data", ["generated", "vmtk-test-data"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_error(path, data, tmp_path):
    environment = dict(os.environ)
    # The kernel imports the package being tested (an installed copy would come after it).
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), environment.get("PYTHONPATH")]))
    environment["VMTKNUMPY_TUTORIAL_OUTPUT"] = str(tmp_path / "output")
    if data == "generated":
        environment["VMTKNUMPY_TUTORIAL_DATA"] = str(tmp_path / "no-vmtk-data-here")
    elif not VMTK_TEST_DATA.is_dir():
        pytest.skip("vmtk's test data is not beside the project (../shared/vmtk-test-data)")
    else:
        # The notebook finds the data by itself, beside the project, as it does for a reader.
        environment.pop("VMTKNUMPY_TUTORIAL_DATA", None)
    notebook = nbformat.read(path, as_version=4)
    before = _files_under(TUTORIALS)

    client = NotebookClient(
        notebook,
        km=_kernel_manager(),
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(TUTORIALS)}},
    )
    started = time.perf_counter()
    client.execute(env=environment)
    print(f"{path.name} on {data}: {time.perf_counter() - started:.1f} s")

    assert _files_under(TUTORIALS) == before, "the notebook wrote into the repository"
    outputs = tmp_path / "output"
    assert outputs.is_dir() and any(outputs.iterdir()), "the notebook wrote nothing where it was told to"
    # The data it ran on: the sample data is written next to the outputs only when vmtk's is absent.
    assert (outputs / "sample").is_dir() == (data == "generated")


def test_the_kernel_runs_the_interpreter_of_the_tests(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    NotebookClient(notebook, km=_kernel_manager(), timeout=CELL_TIMEOUT).execute(cwd=str(tmp_path))
    assert notebook.cells[0].outputs[0].text.strip() == sys.executable
