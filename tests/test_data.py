"""cs231n_tools.data and data/get_datasets.sh, offline: digits, a planted fake CIFAR-10."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cs231n_tools import data, paths

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "data" / "get_datasets.sh"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("CS231N_DATA_DIR", str(folder))
    return folder


def pngs(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.png"))


def sklearn_digits():
    from sklearn.datasets import load_digits

    return load_digits()


# -- digits -----------------------------------------------------------------------------------
def test_digits_folder_layout_and_pixels(data_dir):
    root = data.digits_image_folder()
    assert root == data_dir / "digits"
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [str(d) for d in range(10)]
    files = pngs(root)
    digits = sklearn_digits()
    assert len(files) == len(digits.target) == 1797
    for path in files[::97]:
        index, label = int(path.stem), int(path.parent.name)
        assert digits.target[index] == label
        with Image.open(path) as im:
            assert im.mode == "L" and im.size == (8, 8)
            pixels = np.asarray(im)
        np.testing.assert_array_equal(pixels, np.rint(digits.images[index] * 255 / 16))
    # zero-padded names: sorting the files gives scikit-learn's order within a class
    for folder in ("0", "7"):
        by_name = [int(p.stem) for p in sorted((root / folder).glob("*.png"))]
        assert by_name == sorted(by_name)
        assert by_name == list(np.flatnonzero(digits.target == int(folder)))
    marker = json.loads((root / data.MARKER).read_text())
    assert marker["dataset"] == "digits" and marker["count"] == 1797


def test_digits_folder_is_reused(data_dir, monkeypatch):
    root = data.digits_image_folder()

    def must_not_write(*args, **kwargs):
        raise AssertionError("a finished folder was written again")

    monkeypatch.setattr(data, "_write_digits", must_not_write)
    assert data.digits_image_folder() == root
    assert data.digits_image_folder(root) == root


def test_digits_subset_gets_its_own_folder(data_dir):
    full = data.digits_image_folder()
    part = data.digits_image_folder(labels=range(5))
    assert part != full and part.parent == full.parent
    assert sorted(p.name for p in part.iterdir() if p.is_dir()) == ["0", "1", "2", "3", "4"]
    assert len(pngs(part)) == int(np.isin(sklearn_digits().target, range(5)).sum())
    odd = data.digits_image_folder(labels=[9, 7])
    assert sorted(p.name for p in odd.iterdir() if p.is_dir()) == ["7", "9"]
    assert len({full, part, odd}) == 3


def test_digits_explicit_root(tmp_path, data_dir):
    root = data.digits_image_folder(tmp_path / "mine", labels=[3])
    assert root == tmp_path / "mine"
    assert {p.parent.name for p in pngs(root)} == {"3"}
    assert not (data_dir / "digits").exists()
    # the same root asked for with other labels is not silently overwritten
    with pytest.raises(FileExistsError, match="not a finished digits folder"):
        data.digits_image_folder(root, labels=[4])


def test_digits_empty_existing_folder_is_filled(tmp_path):
    (tmp_path / "empty").mkdir()
    root = data.digits_image_folder(tmp_path / "empty", labels=[1])
    assert len(pngs(root)) == int((sklearn_digits().target == 1).sum())


def test_foreign_folder_is_left_alone(tmp_path):
    root = tmp_path / "digits"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError) as info:
        data.digits_image_folder(root)
    assert str(root) in str(info.value) and "Delete it" in str(info.value)
    assert [p.name for p in root.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("labels", [[], [10], [1, 1], ["x"], [-1]])
def test_bad_labels(labels, tmp_path):
    with pytest.raises(ValueError, match="labels must be digits"):
        data.digits_image_folder(tmp_path / "d", labels=labels)
    with pytest.raises(ValueError, match="labels must be digits"):
        data.load_digits_tensors(labels)


def test_concurrent_calls_build_one_folder(data_dir):
    with ThreadPoolExecutor(4) as pool:
        roots = list(pool.map(lambda _: data.digits_image_folder(labels=[0, 1]), range(4)))
    assert len(set(roots)) == 1
    root = roots[0]
    assert len(pngs(root)) == int(np.isin(sklearn_digits().target, [0, 1]).sum())
    assert [p.name for p in data_dir.iterdir()] == [root.name], "temporary folders were left behind"


def test_losing_the_race_uses_the_winners_folder(tmp_path, monkeypatch):
    """Another process finishes the folder while this one is still writing its copy."""
    root = tmp_path / "digits"
    real_write = data._write_digits
    calls = []

    def slow_write(folder, labels):
        calls.append(folder)
        if len(calls) == 1:  # the "other process" finishes first
            data.digits_image_folder(root, labels=labels)
        return real_write(folder, labels)

    monkeypatch.setattr(data, "_write_digits", slow_write)
    assert data.digits_image_folder(root, labels=[2]) == root
    assert len(calls) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["digits"], (
        "the loser's temporary folder was left behind"
    )
    assert data._is_complete(
        root, {"dataset": "digits", "labels": [2], "version": data.LAYOUT_VERSION}
    )


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def broken(folder, labels):
        (folder / "half.png").write_bytes(b"")
        raise RuntimeError("disk full")

    monkeypatch.setattr(data, "_write_digits", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        data.digits_image_folder(tmp_path / "digits")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_data_dir_falls_back_to_cache(tmp_path, monkeypatch, capsys):
    readonly = tmp_path / "readonly"
    monkeypatch.setenv("CS231N_DATA_DIR", str(readonly))
    monkeypatch.setattr(paths, "CACHE_ROOT", tmp_path / "cache")
    real_mkdtemp = data.tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if str(dir).startswith(str(readonly)):
            raise PermissionError(13, "Permission denied", str(dir))
        return real_mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(data.tempfile, "mkdtemp", mkdtemp)
    root = data.digits_image_folder(labels=[5])
    assert root == tmp_path / "cache" / "data" / "digits-5"
    assert len(pngs(root)) == int((sklearn_digits().target == 5).sum())
    out = capsys.readouterr()
    assert "Cannot write to" in out.out and str(root) in out.out and out.err == ""


def test_load_digits_tensors_matches_the_pngs(data_dir):
    x, y = data.load_digits_tensors()
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert x.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    digits = sklearn_digits()
    np.testing.assert_array_equal(y.numpy(), digits.target)
    np.testing.assert_allclose(x[:, 0].double().numpy(), digits.images / 16, atol=1 / 510 + 1e-7)
    root = data.digits_image_folder()
    for index in (0, 5, 1796):
        path = root / str(int(y[index])) / f"{index:04d}.png"
        with Image.open(path) as im:
            decoded = torch.from_numpy(np.asarray(im).astype(np.float32) / 255)
        assert torch.equal(decoded, x[index, 0])


def test_load_digits_tensors_subset_keeps_the_digits():
    x, y = data.load_digits_tensors(labels=range(5, 10))
    target = sklearn_digits().target
    assert set(y.tolist()) == {5, 6, 7, 8, 9}
    assert len(y) == len(x) == int((target >= 5).sum())
    full_x, full_y = data.load_digits_tensors()
    assert torch.equal(x, full_x[full_y >= 5]) and torch.equal(y, full_y[full_y >= 5])


# -- CIFAR-10 -----------------------------------------------------------------------------------
def plant_fake_cifar(
    folder: Path, per_batch: int = 3, seed: int = 0
) -> dict[str, tuple[np.ndarray, list[int]]]:
    """Pickled batches in the real format (bytes keys, (N, 3072) uint8 rows, channel-major)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    batches = {}
    for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]:
        rows = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=per_batch)]
        content = {
            b"batch_label": name.encode(),
            b"labels": labels,
            b"data": rows,
            b"filenames": [f"img_{i}.png".encode() for i in range(per_batch)],
        }
        with open(folder / name, "wb") as f:
            pickle.dump(content, f, protocol=2)
        batches[name] = (rows, labels)
    return batches


def test_cifar_missing_names_the_download_command(data_dir):
    with pytest.raises(data.DatasetMissingError) as info:
        data.cifar10_image_folder()
    message = str(info.value)
    expected = data.DATASET_MISSING.format(
        name="CIFAR-10",
        path=data_dir / "cifar-10-batches-py",
        size="170 MB",
        command=data.FETCH_COMMAND,
    )
    assert message == expected
    assert (
        data.FETCH_COMMAND == "bash data/get_datasets.sh" and "bash data/get_datasets.sh" in message
    )
    assert isinstance(info.value, FileNotFoundError)
    assert not (data_dir / "cifar10-train").exists()


def test_cifar_partial_download_is_missing(data_dir):
    plant_fake_cifar(data_dir / "cifar-10-batches-py")
    (data_dir / "cifar-10-batches-py" / "data_batch_3").unlink()
    with pytest.raises(data.DatasetMissingError, match="data_batch_3"):
        data.cifar10_image_folder()
    assert data.cifar10_image_folder(split="test").is_dir()  # the test split is complete


def test_cifar_converts_a_planted_fake(data_dir):
    batches = plant_fake_cifar(data_dir / "cifar-10-batches-py")
    train = data.cifar10_image_folder()
    assert train == data_dir / "cifar10-train"
    assert sorted(p.name for p in train.iterdir() if p.is_dir()) == list(data.CIFAR10_CLASSES)
    assert list(data.CIFAR10_CLASSES) == sorted(data.CIFAR10_CLASSES), (
        "class folders must sort into label order"
    )
    files = sorted(pngs(train), key=lambda p: int(p.stem))
    rows = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    labels = sum((batches[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert len(files) == 15
    for index, path in enumerate(files):
        assert int(path.stem) == index
        assert path.parent.name == data.CIFAR10_CLASSES[labels[index]]
        with Image.open(path) as im:
            assert im.mode == "RGB" and im.size == (32, 32)
            pixels = np.asarray(im)
        np.testing.assert_array_equal(pixels, rows[index].reshape(3, 32, 32).transpose(1, 2, 0))
    test = data.cifar10_image_folder(split="test")
    assert test == data_dir / "cifar10-test" and len(pngs(test)) == 3
    assert data.cifar10_image_folder() == train  # reused
    with pytest.raises(ValueError, match="split"):
        data.cifar10_image_folder(split="val")


def test_cifar_explicit_root(data_dir, tmp_path):
    plant_fake_cifar(data_dir / "cifar-10-batches-py", per_batch=1)
    root = data.cifar10_image_folder(tmp_path / "c10", split="test")
    assert root == tmp_path / "c10" and len(pngs(root)) == 1


# -- the download script (no network: only the paths that do not download) -------------------
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def run_script(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CS231N_DATA_DIR": str(data_dir)}
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60
    )


@needs_bash
def test_script_deletes_an_archive_with_a_bad_hash(tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(b"not the real archive")
    result = run_script(tmp_path)
    assert result.returncode != 0
    assert "MD5" in result.stderr and "c58f30108f718f92721af3b95e74349a" in result.stderr
    assert not archive.exists()
    assert not (tmp_path / "cifar-10-batches-py").exists()


@needs_bash
def test_script_does_nothing_when_cifar_is_there(tmp_path):
    plant_fake_cifar(tmp_path / "cifar-10-batches-py", per_batch=1)
    result = run_script(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "already" in result.stdout


@needs_bash
def test_script_rejects_unknown_dataset(tmp_path):
    result = run_script(tmp_path, "imagenet")
    assert result.returncode != 0 and "unknown data set" in result.stderr


def test_script_names_the_official_address_and_hash():
    text = SCRIPT.read_text()
    assert 'CIFAR10_URL="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"' in text
    assert 'CIFAR10_MD5="c58f30108f718f92721af3b95e74349a"' in text
    assert data.FETCH_COMMAND.split()[-1] == SCRIPT.relative_to(REPO_ROOT).as_posix()


def test_digits_read_without_sklearn_equal_load_digits():
    """The fast path (scikit-learn's CSV read directly) gives load_digits' numbers exactly."""
    images, target = data._digits_raw()
    digits = sklearn_digits()
    np.testing.assert_array_equal(images, digits.images)
    np.testing.assert_array_equal(target, digits.target)
    assert target.dtype == np.int64


def test_slow_dataset_sleeps_then_forwards(monkeypatch):
    from cs231n_tools import data

    slept = []
    monkeypatch.setattr(data.time, "sleep", slept.append)
    ds = data.SlowDataset([10, 20, 30], delay=0.005)
    assert len(ds) == 3 and ds[1] == 20 and slept == [0.005]
    # DataLoader workers started with spawn (macOS) pickle the dataset.
    assert pickle.loads(pickle.dumps(ds)).dataset == [10, 20, 30]
    with pytest.raises(ValueError):
        data.SlowDataset([], delay=-1)
