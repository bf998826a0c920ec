"""Browser tests: Debian's Chromium driven by Selenium, headless.

Marked ``browser`` (registered here) and ``slow``. Skipped with the reason where no browser is
installed (``sudo sh scripts/system-deps.sh`` installs ``chromium`` and ``chromium-driver`` on
Debian) or Selenium is missing. Each test saves screenshots in a folder named after it, under
pytest's temporary folder (the path is printed; ``--basetemp=DIR`` puts them in ``DIR``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
NO_BROWSER = (
    "no Chromium + chromedriver here (install Debian's 'chromium' and 'chromium-driver': "
    "sudo sh scripts/system-deps.sh)"
)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in a real (headless) browser")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _first(paths, name):
    for p in paths:
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


@pytest.fixture(scope="session")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[dev]')")
    binary, driver = _first(CHROMIUM, "chromium"), _first(DRIVER, "chromedriver")
    if not binary or not driver:
        pytest.skip(NO_BROWSER)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    try:
        drv = webdriver.Chrome(service=Service(driver), options=options)
    except Exception as exc:  # noqa: BLE001 - a browser that cannot start is a reason to skip
        pytest.skip(f"Chromium did not start: {exc}".splitlines()[0])
    drv.set_page_load_timeout(120)
    yield drv
    drv.quit()


@pytest.fixture
def shots(request, tmp_path_factory):
    """``shots("name")`` saves a screenshot as ``<basetemp>/screenshots/<test>/NN_name.png``."""
    folder = tmp_path_factory.getbasetemp() / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots of {request.node.name}: {folder}")
    count = [0]

    def take(name: str) -> Path:
        count[0] += 1
        path = folder / f"{count[0]:02d}_{name}.png"
        request.getfixturevalue("browser").save_screenshot(str(path))
        return path

    take.folder = folder
    return take
