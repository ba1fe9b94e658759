"""Formgrader in a real browser: a ``jupyter server`` in a course folder, and Debian's chromium.

Used by ``tests/test_formgrader.py`` (what a grader sees and saves) and
``tests/test_formgrader_escapes.py`` (what a submission's text must not do in the
grader's page). No wall-clock limits: waiting for the server ends when it
answers or exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from grading.tools.scratch_course import nbgrader_env

CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(course: Path, token: str, config_dir: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a jupyter server (formgrader included) in ``course``; stopped afterwards.

    ``config_dir`` is the server's own empty ``JUPYTER_CONFIG_DIR`` (none of the
    user's configuration); the course's ``nbgrader_config.py`` is read from ``course``.
    The server's log is ``server.log`` beside the course folder.
    """
    port = free_port()
    env = nbgrader_env()
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    log = (course.parent / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={course}", "--allow-root"],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert process.poll() is None, f"jupyter server exited:\n{Path(log.name).read_text()}"
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}") as answer:
                    json.load(answer)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait()
        log.close()


@contextlib.contextmanager
def chromium():
    """Debian's chromium, launched headless by Playwright (which downloads no browser of its own)."""
    assert CHROMIUM.is_file(), "Debian's chromium is needed: apt-get install chromium (./run test does)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium's own sandbox refuses to start as root
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield launched
        finally:
            launched.close()
