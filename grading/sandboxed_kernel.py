"""The grading kernel, started inside the bubblewrap sandbox (``grading.bubblewrap``).

nbgrader's ``Execute`` (and so ``ResilientExecute``) starts kernels through
nbclient's ``kernel_manager_class``; ``nbgrader_config.py`` sets it to
:class:`SandboxedKernelManager`. Each kernel it starts, including every restart
after a kernel death and every kernel of the parallel runner's workers:

- gets a new folder of its own (mode 700; when the grader is root, owned by
  the unprivileged uid the kernel runs as) for its connection file and its
  channels, which are Unix sockets (``transport = "ipc"``): the sandbox has
  no network, so TCP on the grader's loopback is out of its reach;
- runs in a new sandbox whose working folder is a private copy of the
  submission folder nbclient runs the notebook in (the kernel can write
  there, nothing reaches the course folder);
- starts with a clean environment (no ``JPY_PARENT_PID``: the grader's PID
  means nothing in the sandbox's PID namespace) and with no file descriptor of
  the grader's but the copies it needs; its stdout and stderr go to a log file
  of the grader's, read back only when the kernel fails to start.

With ``c.Sandbox.enabled = False`` it is an ordinary kernel manager.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager

from grading.bubblewrap import Sandbox, close_files, open_submission_files, require_sandbox


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the course's bubblewrap sandbox."""

    _sandbox_folder = None
    _sandbox_files = ()

    @property
    def sandbox(self):
        return Sandbox(config=self.config)

    async def _async_pre_start_kernel(self, **kw):
        sandbox = self.sandbox
        if not sandbox.enabled:
            return await super()._async_pre_start_kernel(**kw)
        require_sandbox(self.config, self.log)
        self._remove_folder()
        self._sandbox_folder = tempfile.mkdtemp(prefix="dlcv-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self._sandbox_folder, "channel")
        self.connection_file = os.path.join(self._sandbox_folder, "kernel.json")
        cwd = kw.get("cwd") or os.getcwd()
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        files, skipped = open_submission_files(cwd, sandbox.max_copy_bytes)
        for item in skipped:
            self.log.warning("Not copied into the grading sandbox: %s", item)
        self._sandbox_files = files
        uid = sandbox.sandbox_uid()
        if uid is not None:  # the grader is root; the kernel runs as an unprivileged uid
            for path in (self._sandbox_folder, self.connection_file):
                os.chown(path, uid, uid)
        command = sandbox.command(kernel_cmd, workdir_name=os.path.basename(os.path.abspath(cwd)) or "work",
                                  files=files, shared=[self._sandbox_folder], uid=uid)
        log = open(self._sandbox_folder + ".log", "wb")
        self._sandbox_log = log.name
        kw.update(env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, pass_fds=sandbox.pass_fds(files),
                  stdout=log, stderr=log, stdin=None)
        return command, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            close_files(self._sandbox_files)
            self._sandbox_files = ()
            for stream in {kw.get("stdout"), kw.get("stderr")} - {None}:
                stream.close()

    def startup_log(self, limit=2000):
        """The end of what the sandboxed kernel wrote to stdout and stderr (for error messages)."""
        try:
            with open(self._sandbox_log, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - limit))
                return log.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._remove_folder()

    def _remove_folder(self):
        if self._sandbox_folder:
            shutil.rmtree(self._sandbox_folder, ignore_errors=True)
            try:
                os.unlink(self._sandbox_log)
            except (OSError, AttributeError):
                pass
            self._sandbox_folder = None
