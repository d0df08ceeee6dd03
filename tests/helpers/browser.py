"""A real, headless Chromium for the tests (Debian's chromium + chromium-driver through Selenium), with the
network off: the page gets no connection, every URL but file: is blocked, and what it logs is kept.

`chromium_installed` is a session fixture: it installs the two Debian packages with apt-get when they are
missing (this machine and CI run as root with the Debian registry reachable) and fails with a clear
message if it cannot."""

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.apt import one_install_at_a_time

PACKAGES = ("chromium", "chromium-driver")


def _missing() -> list[str]:
    return [name for name, binary in (("chromium", "chromium"), ("chromium-driver", "chromedriver"))
            if shutil.which(binary) is None]


@pytest.fixture(scope="session")
def chromium_installed() -> tuple[str, str]:
    """(chromium, chromedriver) paths; installs Debian's packages first if either is missing."""
    with one_install_at_a_time():
        _install_if_missing()
    return shutil.which("chromium"), shutil.which("chromedriver")


def _install_if_missing() -> None:
    if _missing():
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.fail(f"headless Chromium is needed and {' and '.join(_missing())} are missing; apt-get is not "
                        "available to install them (install Debian's chromium and chromium-driver)", pytrace=False)
        for command in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends", *PACKAGES]):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                  env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
            if done.returncode != 0:
                pytest.fail(f"could not install {' '.join(PACKAGES)} for the browser test: `{' '.join(command)}` "
                            f"exited {done.returncode} (it needs root and the Debian registry):\n"
                            f"{done.stderr[-2000:]}", pytrace=False)
        if _missing():
            pytest.fail(f"apt-get installed {' '.join(PACKAGES)} but {' and '.join(_missing())} is still not on PATH",
                        pytrace=False)


@dataclass
class OfflinePage:
    """A page loaded with the network off, and what the browser said about it."""

    driver: object
    console: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def collect(self) -> None:
        """Reads the browser's console and the DevTools network events seen since the last call."""
        self.console += self.driver.get_log("browser")
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif message["method"] == "Network.loadingFailed":
                self.failed.append(params)

    def errors(self) -> list[dict]:
        return [e for e in self.console if e.get("level") in ("SEVERE", "ERROR")]

    def script(self, js: str, *args):
        return self.driver.execute_script(js, *args)


@contextmanager
def offline_page(path: Path, chromium: str, chromedriver: str, width: int = 1280,
                 height: int = 2000, phone: bool = False) -> Iterator[OfflinePage]:
    """Opens `path` in headless Chromium with the network emulated offline and every http(s)/ws URL
    blocked (through the DevTools protocol, before the page loads). `phone`: a phone's screen of
    width × height CSS pixels (mobile emulation: touch, device pixel ratio 2.625, the viewport meta obeyed)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.625, "touch": True}})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*",
                                                                     "ftp://*"]})
        page = OfflinePage(driver)
        driver.get(path.resolve().as_uri())
        yield page
    finally:
        driver.quit()


def wait_for(page: OfflinePage, js: str, timeout: float = 60.0):
    """Polls a JavaScript expression until it is truthy; returns its value (fails the test on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.script(f"return ({js});")
        if value:
            return value
        if time.monotonic() > deadline:
            page.collect()
            pytest.fail(f"the page never satisfied `{js}` within {timeout:.0f} s; console: {page.console}")
        time.sleep(0.2)
