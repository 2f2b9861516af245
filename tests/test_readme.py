"""The README cannot rot: every command and Python block in it runs here, in order, on a fresh folder.

The two contract commands (install and test) are not run here — that would
install and test recursively — but they must be exactly what ``.ci/run`` runs.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTALL, TEST = 'pip install -e ".[test]"', "pytest"
DOCS_INSTALL, DOCS_BUILD = 'pip install -e ".[docs]"', "sphinx-build -W --keep-going -b html docs docs/_build/html"


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def shell_commands():
    return [line.strip() for block in blocks("bash") for line in block.splitlines() if line.strip()]


#: Commands the README shows that are exercised elsewhere, with where.
EXERCISED_ELSEWHERE = {
    INSTALL: ".ci/run",
    TEST: ".ci/run",
    DOCS_INSTALL: ".ci/run",
    DOCS_BUILD: ".ci/run",
}


def test_the_install_and_test_commands_are_the_ones_ci_runs():
    assert shell_commands()[:2] == [INSTALL, TEST]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci_lines.index(INSTALL) < ci_lines.index(TEST)


def test_the_documentation_is_built_in_ci_as_the_readme_says():
    commands = shell_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert commands.index(DOCS_INSTALL) + 1 == commands.index(DOCS_BUILD)
    # CI runs the tutorials afresh: an earlier build's notebook cache is removed first.
    assert ci_lines.index(DOCS_INSTALL) < ci_lines.index("rm -rf docs/_build") < ci_lines.index(DOCS_BUILD)


def test_every_command_and_python_block_runs_as_written(tmp_path):
    # The console scripts live beside the interpreter that runs the tests.
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    sections = re.split(r"```(bash|python)\n(.*?)```", README, flags=re.DOTALL)
    ran = 0
    for language, body in zip(sections[1::3], sections[2::3]):
        if language == "python":
            runs = [[sys.executable, "-c", body]]
        else:
            lines = [line.strip() for line in body.splitlines() if line.strip()]
            runs = [["bash", "-c", line] for line in lines if line not in EXERCISED_ELSEWHERE]
        for command in runs:
            result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True)
            assert result.returncode == 0, f"README {language} failed:\n{command[-1]}\n{result.stderr[-2000:]}"
            ran += 1
    assert ran >= 10


@pytest.mark.parametrize("link", re.findall(r"\]\(((?:docs|tutorials|benchmarks)/[^)]+)\)", README))
def test_links_to_files_of_the_repository_exist(link):
    assert (ROOT / link).exists(), link
