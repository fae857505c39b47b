"""cxlib installs as a researcher installs it: `python -m build`, then the wheel into a new
virtual environment, used from a directory outside the repository, data sets included."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

import cxlib
from conftest import ROOT


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"cxlib"} | {f"cxlib.{p.parent.name}" for p in (ROOT / "cxlib").glob("*/__init__.py")}
    assert on_disk | {"cxlib.datasets"} == listed, "pyproject.toml [tool.setuptools] packages is out of date"


def _source_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


PROBE = r"""
import json, sys
import cxlib
from cxlib import data
for name in cxlib.MODULES:
    getattr(cxlib, name)
shapes = {name: list(data.load(name).shape) for name in data.list_datasets()["name"]}
print(json.dumps({"file": cxlib.__file__, "datasets_dir": str(data.datasets_dir()),
                  "verify": data.verify(), "shapes": shapes}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from the sources, installed into a new environment (no editable link)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know the source files")
    work = tmp_path_factory.mktemp("packaging")
    src = work / "src"
    for name in _source_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    # the wheel is built from the sdist (python -m build's default), so both must carry the data
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(work / "dist"), str(src)],
                   check=True, capture_output=True, text=True)
    env_dir = work / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = next((work / "dist").glob("*.whl"))
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    # cxlib's dependencies come from the test environment (appended after the new site-packages,
    # so the wheel's cxlib wins; no network needed)
    target = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(target, "dependencies.pth").write_text(deps + "\n")
    return {"work": work, "python": python, "dist": work / "dist", "env": env_dir}


def test_sdist_and_wheel_carry_every_dataset(installed):
    import tarfile
    import zipfile

    manifest = json.loads((ROOT / "datasets" / "manifest.json").read_text())
    files = {entry["file"] for entry in manifest.values()} | {"manifest.json"}
    wheel = next(installed["dist"].glob("*.whl"))
    in_wheel = {n.split("/", 2)[-1] for n in zipfile.ZipFile(wheel).namelist() if n.startswith("cxlib/datasets/")}
    assert files <= in_wheel, f"missing from the wheel: {files - in_wheel}"
    sdist = next(installed["dist"].glob("*.tar.gz"))
    in_sdist = {n.split("/datasets/", 1)[-1] for n in tarfile.open(sdist).getnames() if "/datasets/" in n}
    assert files <= in_sdist, f"missing from the sdist: {files - in_sdist}"


def test_the_installed_wheel_loads_every_dataset_from_anywhere(installed, tmp_path):
    proc = subprocess.run([installed["python"], "-c", PROBE], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["file"].startswith(str(installed["env"])), "imported the checkout, not the installed wheel"
    assert report["datasets_dir"].startswith(str(installed["env"]))
    assert all(report["verify"].values()) and set(report["verify"]) == set(report["shapes"])
    assert report["shapes"]["cdnow_master"] == [69659, 4]


def test_cxcourse_datasets_still_overrides(installed, tmp_path):
    shutil.copytree(ROOT / "datasets", tmp_path / "elsewhere")
    proc = subprocess.run([installed["python"], "-c", "from cxlib import data; print(data.datasets_dir())"],
                          cwd=tmp_path, capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "CXCOURSE_DATASETS": str(tmp_path / "elsewhere")})
    assert proc.stdout.strip() == str(tmp_path / "elsewhere")


def test_the_version_is_cxlibs(installed):
    wheel = next(installed["dist"].glob("*.whl"))
    assert f"-{cxlib.__version__}-" in wheel.name
