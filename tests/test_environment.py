"""The pinned environment: constraints.txt and environment.yml agree; Makefile uses them."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt line {line!r} is not an exact pin (name==version)"
            pins[_norm(name)] = version
    return pins


#: conda-forge names that differ from the PyPI names.
CONDA_NAMES = {"python-build": "build"}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["name"] == "cxcourse" and env["channels"] == ["conda-forge"]
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and dep not in ("pip",):
            name, _, version = dep.partition("=")
            pins[CONDA_NAMES.get(_norm(name), _norm(name))] = version.lstrip("=")
        elif isinstance(dep, dict):  # the pip section: packages conda-forge does not have
            for line in dep.get("pip", []):
                name, sep, version = line.partition("==")
                assert sep, f"environment.yml pip entry {line!r} is not an exact pin"
                pins[_norm(name)] = version
    return pins


def _direct_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        names += extra
    return {_norm(re.split(r"[<>=!~\[; ]", n)[0]) for n in names}


def test_conda_pins_equal_the_constraints():
    pins, conda = _constraints(), _conda()
    drift = {n: (v, pins.get(n)) for n, v in conda.items() if n != "python" and pins.get(n) != v}
    assert not drift, f"environment.yml vs constraints.txt differ (conda, pip): {drift}"


def test_every_direct_dependency_is_pinned_in_both():
    pins, conda = _constraints(), _conda()
    direct = _direct_dependencies()
    assert direct - set(pins) == set(), "direct dependencies missing from constraints.txt"
    assert direct - set(conda) == set(), "direct dependencies missing from environment.yml"
    required = {"jupyterlab", "nbformat", "nbclient", "papermill", "seaborn", "statsmodels",
                "ipywidgets", "pytest-xdist", "ipykernel", "tqdm"}
    assert required <= direct


def test_python_versions_agree():
    conda_python = _conda()["python"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11" and conda_python.startswith("3.1")


def test_makefile_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    assert "-c constraints.txt" in makefile
    assert "JUPYTER_PREFER_ENV_PATH" in makefile


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    pins = _constraints()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {_norm(re.split(r"[<>=!~\[; ]", n)[0])
              for n in project["dependencies"] + project["optional-dependencies"]["dev"]}
    wrong = {}
    for name in _direct_dependencies():
        try:
            got = version(name)
        except PackageNotFoundError:
            got = None  # an optional extra (e.g. bench) need not be installed
        if (name in needed or got is not None) and got != pins[name]:
            wrong[name] = (got, pins[name])
    assert not wrong, f"installed vs pinned: {wrong}; run `make setup` again"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert [ln.split("#")[0].strip() for ln in first_block.splitlines()[1:] if ln.strip()] == [
        "make course", "make test"]
    for heading in ("## Students", "## Instructors", "## Researchers", "conda env create -f environment.yml",
                    "pip install -e . --no-deps", "## Course map"):
        assert heading in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "make test"


def test_skipped_grading_tests_say_why_and_how_to_install(tmp_path):
    """Without bubblewrap the grading tests are skipped, and the run's summary says so with
    the install command (not only a count of skips)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on PATH
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider",
                           "tests/test_grading.py", "-k", "every_submission"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "skipped" in proc.stdout
    assert "bubblewrap (the cx grade sandbox) is not installed" in proc.stdout
    assert "apt-get install bubblewrap" in proc.stdout


def test_pytest_xdist_keeps_a_group_on_one_worker(tmp_path):
    """make test relies on --dist loadgroup to run each lesson once: pytest 9.2 broke it
    silently (pytest-xdist issue 1386), so check that it works with the pinned versions."""
    import subprocess
    import sys

    (tmp_path / "test_group.py").write_text(
        "import os, pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('k', range(6))\n"
        "def test_k(k):\n"
        "    out = os.path.join(os.environ['CX_GROUP_OUT'], f'w{k}')\n"
        "    open(out, 'w').write(os.environ['PYTEST_XDIST_WORKER'])\n")
    import os

    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                           "--dist", "loadgroup", "--rootdir", str(tmp_path), str(tmp_path / "test_group.py")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "CX_GROUP_OUT": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout[-2000:]
    workers = {(tmp_path / f"w{k}").read_text() for k in range(6)}
    assert len(workers) == 1, f"the grouped tests ran on {sorted(workers)}: --dist loadgroup is broken"


def test_nbformat_imports_without_the_slow_iri_checker():
    """jsonschema 4.25 added rfc3987-syntax to its format-nongpl extra (which jupyter-events asks
    for); importing it compiles 38 lark grammars, about 3 s of CPU in every process that imports
    nbformat: each cx command, Jupyter server and Sphinx build (python-jsonschema/jsonschema#1392).
    constraints.txt keeps jsonschema at 4.24."""
    from importlib.util import find_spec

    assert _constraints()["jsonschema"].startswith("4.24.")
    assert find_spec("rfc3987_syntax") is None, (
        "rfc3987-syntax is installed (from jsonschema 4.25 or later): "
        "run `.venv/bin/pip uninstall -y rfc3987-syntax lark` and `make setup`")
