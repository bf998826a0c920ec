from cs231n_tools import paths


def test_env_overrides_data_and_runs_dirs(monkeypatch, tmp_path):
    monkeypatch.setenv("CS231N_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("CS231N_RUNS_DIR", str(tmp_path / "r"))
    assert paths.data_dir() == tmp_path / "d" and (tmp_path / "d").is_dir()
    assert paths.runs_dir() == tmp_path / "r" and (tmp_path / "r").is_dir()


def test_default_data_dir_is_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv("CS231N_DATA_DIR", raising=False)
    assert paths.data_dir() == paths.REPO_ROOT / "data"
