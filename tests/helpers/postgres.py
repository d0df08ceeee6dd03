"""PostgreSQL for the tests: Debian's `postgresql`, installed with apt-get when missing (this machine and CI
run as root with the Debian registry reachable); the servers themselves are started by scripts/server.sh."""

import glob
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.apt import one_install_at_a_time

PACKAGE = "postgresql"
# Debian starts the package's default cluster once installed; the test starts only its own servers.
POLICY = Path("/usr/sbin/policy-rc.d")


def _installed() -> bool:
    return shutil.which("pg_ctl") is not None or bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


@pytest.fixture(scope="session")
def postgresql_installed() -> None:
    with one_install_at_a_time():
        _install_if_missing()


def _install_if_missing() -> None:
    if _installed():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"PostgreSQL is needed and missing; apt-get is not available to install it (install Debian's "
                    f"{PACKAGE})", pytrace=False)
    policy_added = not POLICY.exists()
    if policy_added:
        POLICY.write_text("#!/bin/sh\nexit 101\n")
        POLICY.chmod(0o755)
    try:
        for command in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends", PACKAGE]):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                  env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
            if done.returncode != 0:
                pytest.fail(f"could not install {PACKAGE} for the scale-out test: `{' '.join(command)}` exited "
                            f"{done.returncode} (it needs root and the Debian registry):\n{done.stderr[-2000:]}",
                            pytrace=False)
    finally:
        if policy_added:
            POLICY.unlink()
    if not _installed():
        pytest.fail(f"apt-get installed {PACKAGE} but pg_ctl is not found", pytrace=False)
