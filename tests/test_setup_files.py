"""The set-up files agree with each other and with what is installed."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PINNED = {"torch": "2.14.1", "torchvision": "0.29.1", "tensorflow-cpu": "2.21.0"}


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(requirements):
    out = {}
    for req in requirements:
        m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;]+)", req)
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_pyproject_pins_the_frameworks_exactly():
    project = pyproject()["project"]
    everything = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    found = pins(everything)
    for name, ver in PINNED.items():
        assert found.get(name) == ver, f"pyproject.toml must pin {name}=={ver}"
    assert set(project["optional-dependencies"]) >= {"tf", "dev"}
    assert pyproject()["tool"]["setuptools"]["packages"] == ["cs231n_tools", "autograder", "autograder.preprocessors"]


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    env_pins = pins(pip_section)
    project = pyproject()["project"]
    all_pins = pins(project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra])
    for name, ver in env_pins.items():
        assert all_pins.get(name) == ver, f"environment.yml pins {name}=={ver}, pyproject.toml {all_pins.get(name)}"
    for name in PINNED:
        assert name in env_pins, f"environment.yml does not pin {name}"
    assert any(re.search(r"-e \.\[.*tf.*dev|-e \.\[.*dev.*tf", d) for d in pip_section), "environment.yml must install the course with [tf,dev]"


def test_installed_versions_are_the_pinned_ones():
    assert version("torch").split("+")[0] == PINNED["torch"]
    assert version("torchvision").split("+")[0] == PINNED["torchvision"]
    assert version("tensorflow-cpu") == PINNED["tensorflow-cpu"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "`make test`" in readme and "`make lab`" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\b", ci, re.M)


def test_make_targets_install_before_they_run():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: install", makefile, re.M)
    assert re.search(r"^test: install", makefile, re.M)
    assert "-m venv" in makefile and "pip install" in makefile
