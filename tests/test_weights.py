"""cs231n_tools.weights: the course's pretrained digits model, its checks, and the ImageNet cache path."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys

import pytest
import torch
import torchvision
from PIL import Image

from cs231n_tools import weights as W

REPO_ROOT = W.REPO_ROOT


def load_script(name: str):
    path = REPO_ROOT / "data" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_course_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def planted_weights(tmp_path, monkeypatch):
    """A copy of the shipped weights in tmp_path, which WEIGHTS_DIR then points to."""
    shutil.copy2(W.WEIGHTS_DIR / W.DIGITS04_FILENAME, tmp_path / W.DIGITS04_FILENAME)
    monkeypatch.setattr(W, "WEIGHTS_DIR", tmp_path)
    return tmp_path / W.DIGITS04_FILENAME


# -- the shipped file ----------------------------------------------------------------------------
def test_shipped_file_matches_recorded_sha256():
    path = W.WEIGHTS_DIR / W.DIGITS04_FILENAME
    assert path.stat().st_size < 300 * 1024
    assert hashlib.sha256(path.read_bytes()).hexdigest() == W.DIGITS04_SHA256
    sidecar = path.with_name(path.name + ".sha256").read_text().split()
    assert sidecar == [W.DIGITS04_SHA256, W.DIGITS04_FILENAME]
    assert W.DigitsCNN_Weights.DEFAULT.meta["sha256"] == W.DIGITS04_SHA256


def test_tampered_file_raises_with_rebuild_command(planted_weights):
    data = bytearray(planted_weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    planted_weights.write_bytes(bytes(data))
    with pytest.raises(W.WeightsIntegrityError) as info:
        W.digits_cnn(weights=W.DigitsCNN_Weights.DEFAULT)
    message = str(info.value)
    assert W.DIGITS04_SHA256 in message and "do not match their SHA-256" in message
    assert "python data/make_pretrained_digits.py" in message
    assert message == W.WEIGHTS_CORRUPT.format(
        path=planted_weights,
        expected=W.DIGITS04_SHA256,
        found=hashlib.sha256(bytes(data)).hexdigest(),
        command=W.REBUILD_COMMAND,
    )


def test_missing_file_raises_with_rebuild_command(planted_weights):
    planted_weights.unlink()
    with pytest.raises(W.WeightsIntegrityError, match="make_pretrained_digits.py") as info:
        W.DigitsCNN_Weights.DEFAULT.get_state_dict()
    assert str(info.value) == W.WEIGHTS_MISSING.format(
        path=planted_weights, command=W.REBUILD_COMMAND
    )


def test_get_state_dict_never_downloads(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to download")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_network)
    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    state = W.DigitsCNN_Weights.DEFAULT.get_state_dict(progress=True, check_hash=True)
    assert set(state) == set(W.DigitsCNN().state_dict())


# -- reproducible build --------------------------------------------------------------------------
@pytest.mark.slow  # trains the digits model three times
def test_build_is_deterministic_and_reproduces_the_shipped_accuracy(tmp_path):
    script = load_script("make_pretrained_digits")
    threads = torch.get_num_threads()
    short_a = script.build(tmp_path / "a", epochs=1)
    short_b = script.build(tmp_path / "b", epochs=1)
    assert short_a.path.read_bytes() == short_b.path.read_bytes(), "two builds gave different bytes"
    assert torch.get_num_threads() == threads and not torch.are_deterministic_algorithms_enabled()

    full = script.build(tmp_path / "full")
    # The same bytes on this kind of CPU; other vector units may round differently, but the
    # accuracy recorded in the weights' meta must come out again.
    assert full.sha256 == W.sha256_of(full.path)
    assert (
        full.path.with_name(full.path.name + ".sha256").read_text()
        == f"{full.sha256}  {W.DIGITS04_FILENAME}\n"
    )
    assert abs(full.accuracy - W.DIGITS04_ACCURACY) <= 0.012, (full.accuracy, W.DIGITS04_ACCURACY)
    if full.sha256 == W.DIGITS04_SHA256:
        assert full.accuracy == W.DIGITS04_ACCURACY


# -- the torchvision-shaped API ------------------------------------------------------------------
def test_weights_enum_and_meta():
    weights = W.DigitsCNN_Weights.DEFAULT
    assert isinstance(weights, torchvision.models.WeightsEnum)
    assert weights is W.DigitsCNN_Weights.DIGITS04_V1
    assert W.DigitsCNN_Weights.verify("DEFAULT") is weights
    assert W.DigitsCNN_Weights.verify("DigitsCNN_Weights.DIGITS04_V1") is weights
    meta = weights.meta
    assert meta["categories"] == ["0", "1", "2", "3", "4"]
    assert meta["num_params"] == sum(p.numel() for p in W.DigitsCNN(num_classes=5).parameters())
    assert meta["_metrics"]["digits04-heldout"]["acc@1"] == W.DIGITS04_ACCURACY > 0.95
    assert meta["recipe"] == "python data/make_pretrained_digits.py"
    assert meta["sha256"] == W.DIGITS04_SHA256
    assert weights.url.startswith("file://") and weights.url.endswith(W.DIGITS04_FILENAME)


def test_pretrained_model_classifies_digits_0_to_4():
    from cs231n_tools.data import load_digits_tensors

    model = W.digits_cnn(weights=W.DigitsCNN_Weights.DEFAULT).eval()
    assert isinstance(model.fc, torch.nn.Linear) and model.fc.out_features == 5
    x, y = load_digits_tensors(labels=range(5))
    with torch.no_grad():
        accuracy = (
            (model(W.DigitsCNN_Weights.DEFAULT.transforms()(x)).argmax(1) == y).double().mean()
        )
    assert accuracy > 0.97


def test_builder_arguments():
    assert W.digits_cnn().fc.out_features == 5
    assert W.digits_cnn(num_classes=3).fc.out_features == 3
    assert W.digits_cnn(weights="DEFAULT").fc.out_features == 5
    with pytest.raises(ValueError, match="replace model.fc"):
        W.digits_cnn(weights=W.DigitsCNN_Weights.DEFAULT, num_classes=10)
    with pytest.raises(TypeError):
        W.digits_cnn(weights=torchvision.models.ResNet18_Weights.DEFAULT)


def test_registered_with_torchvision_get_model():
    assert "digits_cnn" in torchvision.models.list_models()
    assert torchvision.models.get_model_weights("digits_cnn") is W.DigitsCNN_Weights
    model = torchvision.models.get_model("digits_cnn", weights="DEFAULT")
    expected = W.DigitsCNN_Weights.DEFAULT.get_state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in model.state_dict().items())


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.float64])
def test_transforms_tensor_inputs(dtype):
    preprocess = W.DigitsCNN_Weights.DEFAULT.transforms()
    lo, hi = -W.DIGITS_MEAN / W.DIGITS_STD, (1 - W.DIGITS_MEAN) / W.DIGITS_STD
    if dtype == torch.uint8:
        single = torch.tensor([0, 255], dtype=dtype).repeat(32).reshape(1, 8, 8)
    else:
        single = torch.tensor([0.0, 1.0], dtype=dtype).repeat(32).reshape(1, 8, 8)
    out = preprocess(single)
    assert out.shape == (1, 8, 8) and out.dtype == torch.float32
    assert torch.allclose(out.min(), torch.tensor(lo)) and torch.allclose(
        out.max(), torch.tensor(hi)
    )
    batch = preprocess(torch.stack([single] * 3))
    assert batch.shape == (3, 1, 8, 8) and batch.dtype == torch.float32
    big = preprocess(
        torch.rand(1, 32, 32).to(dtype)
        if dtype != torch.uint8
        else torch.randint(0, 256, (1, 32, 32), dtype=dtype)
    )
    assert big.shape == (1, 8, 8)
    assert lo - 1e-6 <= float(big.min()) and float(big.max()) <= hi + 1e-6


def test_transforms_pil_input_matches_tensor_input():
    from cs231n_tools.data import load_digits_tensors

    preprocess = W.DigitsCNN_Weights.DEFAULT.transforms()
    x, _ = load_digits_tensors(labels=[3])
    image = Image.fromarray((x[0, 0] * 255).round().to(torch.uint8).numpy())
    out = preprocess(image)
    assert out.shape == (1, 8, 8) and out.dtype == torch.float32
    torch.testing.assert_close(out, preprocess(x[0]))
    rgb = preprocess(Image.new("RGB", (28, 28), (255, 255, 255)))
    assert rgb.shape == (1, 8, 8)
    torch.testing.assert_close(rgb, torch.full((1, 8, 8), (1 - W.DIGITS_MEAN) / W.DIGITS_STD))
    assert "mean" in repr(preprocess) and "normalized" in preprocess.describe()


# -- ImageNet weights from the local cache, tested offline ---------------------------------------
@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert torch.hub.get_dir() == str(tmp_path / "torch" / "hub")
    return tmp_path / "torch" / "hub"


def test_imagenet_not_cached_falls_back_with_one_message(hub_dir, capsys):
    weights = torchvision.models.ResNet18_Weights.DEFAULT
    assert W.imagenet_weights_path(weights) == hub_dir / "checkpoints" / "resnet18-f37072fd.pth"
    assert not W.cached_imagenet_weights(weights)
    loaded = W.load_pretrained(prefer="imagenet")
    out, err = capsys.readouterr()
    assert err == ""
    assert out.count("\n") == 2 and "not in the torch hub cache" in out
    assert "python data/get_imagenet_weights.py --arch resnet18" in out
    assert loaded.source == "digits" and loaded.weights is W.DigitsCNN_Weights.DEFAULT
    assert isinstance(loaded.model, W.DigitsCNN) and not loaded.model.training


def test_imagenet_cached_is_used_without_network(hub_dir, monkeypatch, capsys):
    weights = torchvision.models.ResNet18_Weights.DEFAULT
    path = W.imagenet_weights_path(weights)
    path.parent.mkdir(parents=True)
    torch.manual_seed(0)
    planted = torchvision.models.resnet18(weights=None).state_dict()
    torch.save(planted, path)
    assert W.cached_imagenet_weights(weights)

    def no_network(*args, **kwargs):
        raise AssertionError("tried to download")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    loaded = W.load_pretrained(prefer="imagenet", arch="resnet18")
    assert capsys.readouterr().out == ""
    assert loaded.source == "imagenet" and loaded.weights is weights
    assert not loaded.model.training
    assert all(torch.equal(v, planted[k]) for k, v in loaded.model.state_dict().items())


def test_load_pretrained_digits_and_bad_preference(capsys):
    loaded = W.load_pretrained(prefer="digits")
    assert loaded.source == "digits" and capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="prefer"):
        W.load_pretrained(prefer="cifar")


def test_get_imagenet_weights_script_offline_message(hub_dir, monkeypatch, capsys):
    script = load_script("get_imagenet_weights")

    def offline(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(SystemExit, match="needs the network"):
        script.main(["--arch", "resnet18", "--quiet"])
    # already cached: nothing to download
    path = W.imagenet_weights_path(torchvision.models.ResNet18_Weights.DEFAULT)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"placeholder")
    assert script.main(["--quiet"]) == 0
    assert "already cached" in capsys.readouterr().out


def test_counting_parameters_draws_no_random_numbers():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    assert W._num_params(num_classes=5) == W.DigitsCNN_Weights.DEFAULT.meta["num_params"]
    assert torch.equal(torch.rand(3), expected), (
        "computing meta['num_params'] changed the global RNG"
    )
