import pytest
import torch

from cs231n_tools import devices


def test_auto_is_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv(devices.ENV_VAR, raising=False)
    assert devices.get_device() == torch.device("cpu")
    assert devices.try_gpu() == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("cpu")]
    assert devices.num_gpus() == 0


def test_auto_picks_gpu_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv(devices.ENV_VAR, "auto")
    assert devices.get_device() == torch.device("cuda:0")
    assert devices.try_gpu(1) == torch.device("cuda:1")
    assert devices.try_gpu(2) == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]
    assert devices.get_device("cuda:1") == torch.device("cuda:1")


def test_env_forces_cpu_even_with_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv(devices.ENV_VAR, "CPU")
    assert devices.get_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["cuda", "cuda:0", "cuda:3"])
def test_forced_cuda_without_gpu_is_a_clear_error(monkeypatch, value):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(devices.ENV_VAR, value)
    with pytest.raises(devices.DeviceUnavailableError) as info:
        devices.get_device()
    assert str(info.value) == devices.CUDA_MISSING.format(var=devices.ENV_VAR, value=value)


def test_unknown_value_is_rejected(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "tpu")
    with pytest.raises(ValueError, match="cpu', 'cuda'"):
        devices.get_device()


def test_preference_beats_environment(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cuda")
    assert devices.get_device("cpu") == torch.device("cpu")


def test_describe_cpu():
    assert devices.describe(torch.device("cpu")).startswith("cpu (")


@pytest.mark.gpu
def test_real_gpu_is_used(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cuda")
    device = devices.get_device()
    assert device.type == "cuda"
    assert torch.ones(2, device=device).sum().item() == 2
    assert "SMs" in devices.describe(device)
