"""`pip install` of the built wheel into a fresh venv gives a working `chatops` outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(wheel_dir), str(REPO)], check=True, cwd=tmp_path)
    wheel = next(wheel_dir.glob("chatops-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Borrow the (large) dependencies from the test run's site-packages through a .pth line, appended
    # after the fresh venv's own site-packages: chatops itself comes from the wheel, not the checkout.
    fresh_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    (fresh_site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run([str(python), "-c", "import chatops; print(chatops.__file__)"], cwd=outside, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(env_dir) in where, where
    listed = subprocess.run([str(env_dir / "bin" / "chatops"), "profiles", "list", "--json"], cwd=outside, env=env,
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert [p["name"] for p in json.loads(listed.stdout)["profiles"]][-1] == "100k-dau"
    module = subprocess.run([str(python), "-m", "chatops", "--version"], cwd=outside, env=env,
                            capture_output=True, text=True)
    assert module.returncode == 0 and "chatops" in module.stdout
    # The installed wheel carries the validated snapshot of the built-in tiers, and it is current: plan's
    # fast path (no pydantic) works outside the checkout too.
    fresh = subprocess.run([str(python), "-c", "from chatops.model.builtin_snapshot import load_snapshot\n"
                            "from chatops.model.loading import BUILTIN_TIERS, builtin_profiles_dir\n"
                            "print(load_snapshot(builtin_profiles_dir(), BUILTIN_TIERS) is not None)"],
                           cwd=outside, env=env, capture_output=True, text=True)
    assert fresh.stdout.strip() == "True", fresh.stderr
