"""The set-up files agree with each other and with what is installed, and the environment
markers pick the right TensorFlow wheel on Linux x86_64 and on macOS arm64 (issue 9 §5)."""

import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PINNED = {
    "torch": "2.14.1",
    "torchvision": "0.29.1",
    "tensorflow-cpu": "2.21.0",
    "tensorflow": "2.21.0",
}
TF_VERSION = PINNED["tensorflow"]

# The two platforms the README promises, as environment markers see them.
PLATFORMS = {
    "linux-x86_64": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
    },
    "macos-arm64": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "arm64",
        "os_name": "posix",
    },
}
# Which TensorFlow each platform must get: tensorflow-cpu has no macOS wheels, and on a Mac the
# plain tensorflow wheel is the CPU build.
TF_FOR = {"linux-x86_64": "tensorflow-cpu", "macos-arm64": "tensorflow"}
# What pip's resolver is told about each platform: wheel tags a glibc-2.28 Linux and a macOS 14
# Mac on Apple silicon accept (pip widens a macOS tag to older macOS versions by itself, but not
# a manylinux tag to older glibc versions).
PIP_PLATFORMS = {
    "linux-x86_64": [f"manylinux_2_{minor}_x86_64" for minor in range(28, 16, -1)]
    + ["manylinux2014_x86_64"],
    "macos-arm64": ["macosx_14_0_arm64"],
}
WHEEL_TAG = {
    "linux-x86_64": r"manylinux\w*_x86_64\.whl$",
    "macos-arm64": r"macosx_\d+_\d+_(arm64|universal2)\.whl$",
}
NETWORK_TROUBLE = re.compile(
    r"NewConnectionError|Max retries exceeded|Failed to establish a new connection|"
    r"Temporary failure in name resolution|Network is unreachable|ConnectTimeout|"
    r"ReadTimeoutError|ProxyError|Could not fetch URL|connection broken",
    re.I,
)


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
    everything = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    found = pins(everything)
    for name, ver in PINNED.items():
        assert found.get(name) == ver, f"pyproject.toml must pin {name}=={ver}"
    assert set(project["optional-dependencies"]) >= {"tf", "dev"}
    assert pyproject()["tool"]["setuptools"]["packages"] == [
        "cs231n_tools",
        "autograder",
        "autograder.preprocessors",
    ]


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    env_pins = pins(pip_section)
    project = pyproject()["project"]
    all_pins = pins(
        project["dependencies"]
        + [r for extra in project["optional-dependencies"].values() for r in extra]
    )
    for name, ver in env_pins.items():
        assert all_pins.get(name) == ver, (
            f"environment.yml pins {name}=={ver}, pyproject.toml {all_pins.get(name)}"
        )
    for name in PINNED:
        assert name in env_pins, f"environment.yml does not pin {name}"
    assert any(re.search(r"-e \.\[.*tf.*dev|-e \.\[.*dev.*tf", d) for d in pip_section), (
        "environment.yml must install the course with [tf,dev]"
    )


def test_installed_versions_are_the_pinned_ones():
    assert version("torch").split("+")[0] == PINNED["torch"]
    assert version("torchvision").split("+")[0] == PINNED["torchvision"]
    (tf,) = tf_requirements(env=None)  # this machine's TensorFlow distribution
    try:
        installed = version(tf.name)
    except PackageNotFoundError:
        pytest.fail(f"{tf.name} is not installed; `make install` installs it (the [tf] extra)")
    assert installed == TF_VERSION, f"{tf.name} {installed} installed, {TF_VERSION} pinned"


# -- environment markers: Linux x86_64 and macOS arm64 -------------------------------------------
def marker_env(platform: str) -> dict[str, str]:
    env = default_environment()
    env.update(
        PLATFORMS[platform],
        python_version="3.11",
        python_full_version="3.11.9",
        implementation_name="cpython",
        platform_python_implementation="CPython",
    )
    return env


def tf_requirements(env: dict | None, requirements=None) -> list[Requirement]:
    """The TensorFlow requirements among ``requirements`` (default: pyproject's [tf] extra) whose
    markers hold in ``env`` (None: this machine)."""
    if requirements is None:
        requirements = pyproject()["project"]["optional-dependencies"]["tf"]
    out = []
    for text in requirements:
        if not isinstance(text, str) or text.lstrip().startswith("-"):
            continue
        req = Requirement(text)
        if req.name.startswith("tensorflow") and (req.marker is None or req.marker.evaluate(env)):
            out.append(req)
    return out


def environment_yml_pip_section() -> list:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("source", ["pyproject.toml", "environment.yml"])
def test_markers_pick_one_tensorflow_per_platform(platform, source):
    requirements = None if source == "pyproject.toml" else environment_yml_pip_section()
    picked = tf_requirements(marker_env(platform), requirements)
    assert [str(r.name) for r in picked] == [TF_FOR[platform]], (
        f"{source} on {platform} must install exactly {TF_FOR[platform]}, its markers give "
        f"{[str(r) for r in picked]}"
    )
    assert str(picked[0].specifier) == f"=={TF_VERSION}"


def test_environment_yml_has_the_same_tensorflow_markers_as_pyproject():
    def tensorflow_lines(requirements):
        reqs = [
            Requirement(t)
            for t in requirements
            if isinstance(t, str) and t.startswith("tensorflow")
        ]
        return sorted(str(r) for r in reqs)

    from_pyproject = tensorflow_lines(pyproject()["project"]["optional-dependencies"]["tf"])
    assert tensorflow_lines(environment_yml_pip_section()) == from_pyproject


def pip_resolves(platform: str, requirements: list[str], tmp_path) -> list[str]:
    """The wheel file names pip's resolver picks for ``requirements`` on ``platform`` (nothing is
    installed: --dry-run). Skips the test when the package index cannot be reached."""
    report = tmp_path / f"{platform}.json"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--target",
        str(tmp_path / "target"),
        "--report",
        str(report),
        "--disable-pip-version-check",
        "--timeout",
        "20",
        "--retries",
        "1",
    ]
    for tag in PIP_PLATFORMS[platform]:
        cmd += ["--platform", tag]
    try:
        result = subprocess.run(cmd + requirements, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip("pip did not answer within 10 minutes: package index unreachable or too slow")
    output = result.stdout + result.stderr
    if result.returncode != 0:
        if NETWORK_TROUBLE.search(output):
            pytest.skip(
                f"package index unreachable, cannot ask pip about {platform}: "
                f"{NETWORK_TROUBLE.search(output).group(0)}"
            )
        pytest.fail(f"pip cannot resolve {requirements} for {platform}:\n{output[-3000:]}")
    return [
        item["download_info"]["url"].rsplit("/", 1)[-1]
        for item in json.loads(report.read_text())["install"]
    ]


@pytest.mark.slow  # asks the package index (about 30 s per platform)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_pinned_frameworks_resolve_for_the_platform(platform, tmp_path):
    """pip's resolver, answering for another platform, finds a wheel for every pinned framework,
    TensorFlow chosen by the markers: a Mac user's `make lab` does not fail on tensorflow-cpu."""
    (tf,) = tf_requirements(marker_env(platform))
    wanted = [
        f"torch=={PINNED['torch']}",
        f"torchvision=={PINNED['torchvision']}",
        str(tf.name) + str(tf.specifier),
    ]
    wheels = pip_resolves(platform, wanted, tmp_path)
    assert len(wheels) == len(wanted), wheels
    for wheel in wheels:
        assert re.search(WHEEL_TAG[platform], wheel), f"{wheel} is not a {platform} wheel"
    names = {w.split("-")[0].replace("_", "-").lower() for w in wheels}
    assert names == {"torch", "torchvision", TF_FOR[platform]}, wheels


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


def test_pre_commit_runs_the_pinned_ruff_and_the_notebook_check():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "ruff-format", "nbstripout-check"} <= set(hooks), sorted(hooks)
    dev_ruff = [Requirement(r) for r in pyproject()["project"]["optional-dependencies"]["dev"]]
    (ruff_pin,) = [str(r.specifier) for r in dev_ruff if r.name == "ruff"]
    for hook in ("ruff", "ruff-format"):
        assert hooks[hook]["additional_dependencies"] == [f"ruff{ruff_pin}"], (
            f"pre-commit's {hook} must use the ruff pinned in pyproject's dev extra ({ruff_pin}): "
            "two ruff versions format differently"
        )
    assert version("ruff") == ruff_pin.lstrip("="), (
        "installed ruff differs from the pin: run `make install`"
    )
    assert "--verify" in hooks["nbstripout-check"]["entry"], "the notebook hook must only check"
    assert "--keep-id" in hooks["nbstripout-check"]["entry"], "nbgrader needs stable cell ids"
