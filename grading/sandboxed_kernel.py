"""The grading kernel, started inside the bubblewrap sandbox (``grading.bubblewrap``).

nbgrader's ``Execute`` (and so ``ResilientExecute``) starts kernels through
nbclient's ``kernel_manager_class``; ``ResilientExecute`` uses
:class:`SandboxedKernelManager`. Each kernel it starts, including every restart
after a kernel death and every kernel of the parallel runner's workers:

- runs in a new sandbox whose working folder is a private copy of the
  submission folder nbclient runs the notebook in (the kernel can write
  there, nothing reaches the course folder);
- talks over Unix sockets (``transport = "ipc"``) that it creates in its own
  private ``/tmp``; the grader connects to them through
  ``/proc/<sandbox pid>/root/...`` once, before any student code runs, and
  never reconnects. Nothing of the host is writable from the sandbox, and the
  sandbox has no network, so TCP is out of the question;
- gets a private copy of its connection file, a clean environment (no
  ``JPY_PARENT_PID``: the grader's PID means nothing in the sandbox's PID
  namespace), and no file descriptor of the grader's but the copies it needs
  (jupyter_client would pass all of them); its stdout and stderr go to a log
  file of the grader's, read back only when the kernel fails to start.

With ``c.Sandbox.enabled = False`` it is an ordinary kernel manager.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
import time

import zmq
from jupyter_client.manager import AsyncKernelManager

from grading.bubblewrap import Sandbox, close_files, open_submission_files, require_sandbox

#: Where the kernel's connection file and sockets are, inside its sandbox.
INSIDE = "/tmp/.kernel"


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the course's bubblewrap sandbox."""

    _sandbox_folder = None
    _launch = None
    _files = ()

    @property
    def sandbox(self):
        return Sandbox(config=self.config)

    async def _async_pre_start_kernel(self, **kw):
        sandbox = self.sandbox
        if not sandbox.enabled:
            return await super()._async_pre_start_kernel(**kw)
        require_sandbox(self.config, self.log)
        self._release()
        self.context.setsockopt(zmq.RECONNECT_IVL, -1)
        self._sandbox_folder = tempfile.mkdtemp(prefix="dlcv-kernel-")
        self.transport = "ipc"
        self.ip = f"{INSIDE}/channel"
        self.connection_file = os.path.join(self._sandbox_folder, "kernel.json")
        cwd = kw.get("cwd") or os.getcwd()
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        kernel_cmd = [f"{INSIDE}/kernel.json" if arg == os.path.realpath(self.connection_file) else arg
                      for arg in kernel_cmd]
        files, skipped = open_submission_files(cwd, sandbox.max_copy_bytes)
        for item in skipped:
            self.log.warning("Not copied into the grading sandbox: %s", item)
        connection = os.open(self.connection_file, os.O_RDONLY)
        self._files = files + [(connection, "")]
        self._launch = sandbox.launch(kernel_cmd, workdir_name=os.path.basename(os.path.abspath(cwd)) or "work",
                                      files=files, private_files=[(connection, f"{INSIDE}/kernel.json")],
                                      want_pid=True)
        log = open(os.path.join(self._sandbox_folder, "kernel.log"), "wb")
        kw.update(env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, pass_fds=self._launch.pass_fds,
                  stdout=log, stderr=log, stdin=None)
        return self._launch.command, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self._launch is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            self._launch.started()
            close_files(self._files)
            self._files = ()
            for stream in {kw.get("stdout"), kw.get("stderr")} - {None}:
                stream.close()
        try:
            pid = self._launch.child_pid()
            self.ip = f"/proc/{pid}/root{INSIDE}/channel"
            await self._wait_for_sockets()
        except Exception as error:
            raise RuntimeError(f"The grading sandbox did not start: {error}\n{self.startup_log()}") from error

    async def _wait_for_sockets(self, timeout=60):
        """Wait until the kernel has made its five sockets, before any student code runs.

        The grader's side of the channels is the kernel's sockets seen through
        its sandbox's root (``/proc/<pid>/root``). The path is followed once,
        now, while only ipykernel's start-up has run in the sandbox; the
        grader's sockets never reconnect (``RECONNECT_IVL = -1``), so student
        code cannot later swap the path for a link to a socket of the host.
        """
        paths = [f"{self.ip}-{port}" for port in
                 (self.shell_port, self.iopub_port, self.stdin_port, self.hb_port, self.control_port)]
        deadline = time.monotonic() + timeout
        while True:
            try:
                if all(stat.S_ISSOCK(os.lstat(path).st_mode) for path in paths):
                    return
            except FileNotFoundError:
                pass
            if self.provisioner is None or await self.provisioner.poll() is not None:
                raise RuntimeError("the sandboxed kernel ended during its start-up")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandboxed kernel made no sockets within {timeout} s")
            await asyncio.sleep(0.01)

    def client(self, **kwargs):
        if self._launch is not None:
            kwargs.setdefault("context", self.context)  # never reconnects, see _wait_for_sockets
        return super().client(**kwargs)

    def startup_log(self, limit=2000):
        """The end of what the sandboxed kernel wrote to stdout and stderr (for error messages)."""
        try:
            with open(os.path.join(self._sandbox_folder, "kernel.log"), "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - limit))
                return log.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def cleanup_ipc_files(self):
        if self._launch is None:
            super().cleanup_ipc_files()
        # else: the sockets lived in the sandbox's private /tmp, gone with it

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        self._release()

    def _release(self):
        if self._launch is not None:
            self._launch.close()
            self._launch = None
        if self._sandbox_folder:
            shutil.rmtree(self._sandbox_folder, ignore_errors=True)
            self._sandbox_folder = None
