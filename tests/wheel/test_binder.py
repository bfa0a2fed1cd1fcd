"""Binder's install steps (binder/postBuild) in a clean copy of the checkout and a clean
venv, with Node only for the build, as repo2docker gives it (binder/environment.yml)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_binder_postbuild_installs_the_package(tmp_path):
    # The files a clone has (tracked, plus new ones not ignored), nothing built.
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    src = tmp_path / "src"
    for rel in filter(None, listed):
        if not (ROOT / rel).is_file():
            continue  # deleted in the work tree
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)

    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    # repo2docker's conda Node for the build: here the repo's (node, npm, npx only).
    nodebin = tmp_path / "nodebin"
    nodebin.mkdir()
    for tool in ("node", "npm", "npx"):
        os.symlink(ROOT / ".venv" / "bin" / tool, nodebin / tool)
    # The machine's settings for reaching the registries (proxy, certificates) stay.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{venv / 'bin'}:{nodebin}:/usr/local/bin:/usr/bin:/bin"
    r = subprocess.run(
        ["bash", str(src / "binder" / "postBuild")],
        cwd=src, env=env, capture_output=True, text=True, timeout=900,
    )
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])

    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "jupyterlab_bulkrun" / "server" / "bulkrun.cjs").is_file()
    listing = subprocess.run(
        [str(venv / "bin" / "jupyter"), "labextension", "list"],
        env=env, capture_output=True, text=True, check=True,
    )
    assert "jupyterlab-bulkrun" in listing.stdout + listing.stderr
    assert "enabled" in listing.stdout + listing.stderr
    help_ = subprocess.run(
        [str(venv / "bin" / "bulkrun"), "--help"], env=env, capture_output=True, text=True
    )
    assert help_.returncode == 0 and "serve" in help_.stdout
