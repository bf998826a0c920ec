"""cs231n_tools.devices: which device the notebooks use, with CUDA and Apple's GPU (mps)
monkeypatched in and out, so every case runs on any machine (fast, no GPU needed)."""

import pytest
import torch

from cs231n_tools import devices


@pytest.fixture
def machine(monkeypatch):
    """``machine(cuda=N, mps=bool)``: pretend the machine has N CUDA GPUs and/or Apple's GPU."""

    def make(cuda: int = 0, mps: bool = False):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    monkeypatch.delenv(devices.ENV_VAR, raising=False)
    return make


def test_auto_is_cpu_without_any_gpu(machine):
    machine(cuda=0, mps=False)
    assert devices.get_device() == torch.device("cpu")
    assert devices.try_gpu() == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("cpu")]
    assert devices.num_gpus() == 0


def test_auto_picks_gpu_when_present(machine, monkeypatch):
    machine(cuda=2)
    monkeypatch.setenv(devices.ENV_VAR, "auto")
    assert devices.get_device() == torch.device("cuda:0")
    assert devices.try_gpu(1) == torch.device("cuda:1")
    assert devices.try_gpu(2) == torch.device("cpu")
    assert devices.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]
    assert devices.get_device("cuda:1") == torch.device("cuda:1")


def test_auto_picks_apples_gpu_on_a_mac(machine):
    machine(cuda=0, mps=True)
    assert devices.get_device() == torch.device("mps")
    assert devices.get_device("auto") == torch.device("mps")
    assert devices.try_gpu() == torch.device("mps")
    assert devices.try_gpu(1) == torch.device("cpu"), "a Mac has one GPU"
    assert devices.try_all_gpus() == [torch.device("mps")]
    assert devices.num_gpus() == 0, "num_gpus counts CUDA GPUs"


def test_auto_prefers_cuda_over_mps(machine):
    machine(cuda=1, mps=True)
    assert devices.get_device() == torch.device("cuda:0")
    assert devices.try_all_gpus() == [torch.device("cuda:0")]


@pytest.mark.parametrize("value", ["mps", "MPS", " mps ", "mps:0"])
def test_env_forces_mps(machine, monkeypatch, value):
    machine(cuda=1, mps=True)
    monkeypatch.setenv(devices.ENV_VAR, value)
    assert devices.get_device() == torch.device("mps")


@pytest.mark.parametrize("cuda", [0, 1])
def test_forced_mps_without_it_is_a_clear_error(machine, monkeypatch, cuda):
    machine(cuda=cuda, mps=False)
    monkeypatch.setenv(devices.ENV_VAR, "mps")
    with pytest.raises(devices.DeviceUnavailableError) as info:
        devices.get_device()
    assert str(info.value) == devices.MPS_MISSING.format(var=devices.ENV_VAR, value="mps")
    assert "torch.backends.mps.is_available() is False" in str(info.value)


def test_env_forces_cpu_even_with_gpu(machine, monkeypatch):
    machine(cuda=1, mps=True)
    monkeypatch.setenv(devices.ENV_VAR, "CPU")
    assert devices.get_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["cuda", "cuda:0", "cuda:3"])
@pytest.mark.parametrize("mps", [False, True])
def test_forced_cuda_without_gpu_is_a_clear_error(machine, monkeypatch, value, mps):
    machine(cuda=0, mps=mps)
    monkeypatch.setenv(devices.ENV_VAR, value)
    with pytest.raises(devices.DeviceUnavailableError) as info:
        devices.get_device()
    assert str(info.value) == devices.CUDA_MISSING.format(var=devices.ENV_VAR, value=value)


@pytest.mark.parametrize("value", ["tpu", "mps:1", "metal"])
def test_unknown_value_is_rejected(monkeypatch, value):
    monkeypatch.setenv(devices.ENV_VAR, value)
    with pytest.raises(ValueError, match="'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'"):
        devices.get_device()


def test_preference_beats_environment(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cuda")
    assert devices.get_device("cpu") == torch.device("cpu")


def test_describe_cpu_and_mps():
    assert devices.describe(torch.device("cpu")).startswith("cpu (")
    assert devices.describe(torch.device("mps")).startswith("mps (Apple GPU")


def test_mps_available_follows_torch(machine):
    machine(mps=True)
    assert devices.mps_available() is True
    machine(mps=False)
    assert devices.mps_available() is False


@pytest.mark.gpu
def test_real_gpu_is_used(monkeypatch):
    monkeypatch.setenv(devices.ENV_VAR, "cuda")
    device = devices.get_device()
    assert device.type == "cuda"
    assert torch.ones(2, device=device).sum().item() == 2
    assert "SMs" in devices.describe(device)
