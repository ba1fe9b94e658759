"""The grading kernel, started inside the bubblewrap sandbox (``grading.sandbox.bubblewrap``).

nbgrader's ``Execute`` (and so ``ResilientExecute``) starts kernels through
nbclient's ``kernel_manager_class``; ``ResilientExecute`` uses
:class:`SandboxedKernelManager`. Each kernel it starts, including every restart
after a kernel death and every kernel of the parallel runner's workers:

- runs in a new sandbox whose working folder is a private copy of the
  submission folder nbclient runs the notebook in (the kernel can write
  there, nothing reaches the course folder);
- talks over Unix sockets (``transport = "ipc"``) that it creates in its own
  private ``/tmp``; the grader connects to them through
  ``/proc/<sandbox pid>/root/...`` once, before any student code runs, never
  reconnects and opens no further connection (no heartbeat channel; the
  kernel is shut down by killing its sandbox, not by a message). Nothing of
  the host is writable from the sandbox, and the
  sandbox has no network, so TCP is out of the question;
- gets a private copy of its connection file, a clean environment (no
  ``JPY_PARENT_PID``: the grader's PID means nothing in the sandbox's PID
  namespace), and no file descriptor of the grader's but the copies it needs
  (jupyter_client would pass all of them); its stdout and stderr go to a pipe
  the grader drains (the last 4 KiB are kept for error messages).

By default (``c.Sandbox.warm_parent``) a kernel is not started at all but
forked by this process's warm parent, inside its sandbox
(``grading.sandbox.warm``): it has ipykernel and NumPy imported already, and
it gets the same empty working folder, the same channels and the same
copy of the submission's files as described here. The rest of this text is
about kernels started as a new Python.

Start-up overlaps grading (``c.Sandbox.start_ahead``, on by default): as soon
as a kernel is up, the next one is started in a new sandbox of its own,
with an empty working folder, and waits. The next kernel this process needs
takes it over (once: it is then no longer a spare) and, before anything
else is sent to it, the grader copies that submission's files into its
working folder (:func:`grading.sandbox.bubblewrap.supply_files`). No student code
has run in it before; it never served another submission. Spares are
ended when the process exits (:func:`release_spares`).

With ``c.Sandbox.enabled = False`` it is an ordinary kernel manager.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

from grading.sandbox.bubblewrap import Sandbox, close_files, open_submission_files, require_sandbox, supply_files
from grading.sandbox.warm import usable_warm_parent, warm_parent

#: The grader's sockets wait this long (about 24 days) before reconnecting to a
#: kernel: never, within grading. (-1, "no reconnection", makes closing them wait.)
NEVER_MS = 2**31 - 1

#: Where the kernel's connection file and sockets are, inside its sandbox.
INSIDE = "/tmp/.kernel"


_ACCEPTING = 0x10000  # __SO_ACCEPTCON in /proc/net/unix: a listening socket


def _listening(table):
    """Paths of the listening Unix sockets in a ``/proc/<pid>/net/unix`` table."""
    with open(table, encoding="utf-8", errors="replace") as handle:
        next(handle, None)
        return {fields[7] for fields in (line.split() for line in handle)
                if len(fields) >= 8 and int(fields[3], 16) & _ACCEPTING}


class _Drain:
    """A pipe for a kernel's stdout and stderr, read to the end by a thread that keeps the last 4 KiB.

    No file of the host is handed to the sandbox, and nothing the kernel
    prints there can fill the grader's disk or memory.
    """

    def __init__(self, keep=4096):
        self._read, self.write_fd = os.pipe()
        self._keep = keep
        self._tail = b""
        self.received = 0  # bytes read so far (a mark for tail(since=...))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            try:
                chunk = os.read(self._read, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._tail = (self._tail + chunk)[-self._keep:]
            self.received += len(chunk)

    def started(self):
        """Close the grader's copy of the write end (the kernel holds its own)."""
        if self.write_fd is not None:
            os.close(self.write_fd)
            self.write_fd = None

    def tail(self, since=0):
        """The end of what was read, only what came after ``since`` (a value of ``received``)."""
        tail, received = self._tail, self.received
        if received - since < len(tail):
            tail = tail[len(tail) - (received - since):] if received > since else b""
        return tail.decode("utf-8", "replace")

    def close(self):
        self.started()
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            os.close(self._read)


class SandboxedKernelClient(AsyncKernelClient):
    """A kernel client that connects its channels once and never makes another connection.

    No heartbeat channel: jupyter_client's heartbeat makes a new socket (a new
    connection through the sandbox's path) each time the kernel does not
    answer, and liveness comes from the kernel manager anyway (the sandbox's
    process). After its channels are connected, its address is cleared, so
    nothing can connect through the sandbox's path again.
    """

    def start_channels(self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = True,
                       control: bool = True) -> None:
        super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=False, control=control)
        self.ip = "/nonexistent/channels-of-a-sandboxed-kernel-connect-once"

    @property
    def hb_channel(self) -> _NoHeartbeat:
        return _NoHeartbeat()

    async def _async_wait_for_ready(self, timeout=None):
        """Wait for a kernel_info reply and the kernel's IOPub messages for it.

        jupyter_client's wait does the same and then drains IOPub until nothing
        has come for 0.2 s, which every kernel start pays in full. Here it ends
        as soon as the kernel has published "idle" for the request that got
        the reply: the last message it sends for it. (An IOPub subscription
        can miss the first messages; the request is then sent again.)
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            reply, idle = None, False
            patience = time.monotonic() + 1
            while not (reply and idle) and time.monotonic() < patience:
                if reply is None:
                    try:
                        msg = await self.shell_channel.get_msg(timeout=0.005)
                    except Empty:
                        pass
                    else:
                        if msg["parent_header"].get("msg_id") == request and msg["msg_type"] == "kernel_info_reply":
                            reply = msg
                            patience = min(patience, time.monotonic() + 0.05)
                try:
                    msg = await self.iopub_channel.get_msg(timeout=0.005)
                except Empty:
                    continue
                idle = idle or (msg["parent_header"].get("msg_id") == request and msg["msg_type"] == "status"
                                and msg["content"].get("execution_state") == "idle")
            if reply and idle:
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} s")

    wait_for_ready = _async_wait_for_ready


class _NoHeartbeat:
    """Stands in for jupyter_client's heartbeat channel (which would make a socket when asked for)."""

    def is_alive(self):
        return False

    def is_beating(self):
        return True

    def start(self):
        pass

    stop = pause = unpause = close = start


class _ForkedLaunch:
    """What :class:`SandboxedKernelManager` keeps of a forked kernel: its host PID (nothing to close)."""

    def __init__(self, pid):
        self._pid = pid

    def child_pid(self, timeout=None):
        return self._pid

    def started(self):
        pass

    close = started


class _Spares:
    """Kernels started ahead, at most one, each waiting for the submission that takes it."""

    def __init__(self):
        self._waiting = {}

    def take(self, key):
        """The spare for ``key`` (removed: no one else gets it), or None."""
        return self._waiting.pop(key, None)

    def put(self, key, manager):
        self.release()  # one spare at most: one made for other settings would only wait
        self._waiting[key] = manager

    def release(self):
        while self._waiting:
            self.discard(self._waiting.popitem()[1])

    @staticmethod
    def discard(manager):
        if manager is None:
            return
        process = getattr(manager.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        manager._release()


_SPARES = _Spares()
atexit.register(_SPARES.release)


def release_spares() -> None:
    """End the kernels started ahead in this process (at exit at the latest)."""
    _SPARES.release()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the course's bubblewrap sandbox."""

    _sandbox_folder = None
    _launch = None
    _files = ()
    _output = None
    _spare_workdir = None  # set on a kernel started ahead: the working folder's name
    _took_over = False  # this manager's kernel was started ahead (a spare it took over)
    _supply_from = None  # the submission folder still to copy in, once the kernel has started
    _workdir_name = "work"  # the kernel's working folder is /home/student/<this>
    _fork_request = None  # (workdir name, connection info, ipykernel argv) for the warm parent
    _parent = None  # the warm parent that forked this manager's kernel
    _output_mark = 0  # how much its warm parent's output had been read when it forked this kernel

    @property
    def sandbox(self) -> Sandbox:
        return Sandbox(config=self.config)

    def _spare_key(self, sandbox, workdir_name, extra_arguments):
        # The process too: a spare must never be shared with a forked child.
        return (os.getpid(), self.kernel_name, tuple(extra_arguments or ()), workdir_name, sandbox.settings())

    def _take_over(self, spare, kw):
        """Become the manager of ``spare``'s kernel, which no one has used."""
        self.shutting_down = False
        self._launch_args = kw.copy()
        self.kernel_id = spare.kernel_id
        self.provisioner, spare.provisioner = spare.provisioner, None
        self.provisioner.parent = self
        self.load_connection_info(spare.get_connection_info())
        self.connection_file = spare.connection_file
        self._connection_file_written = True
        self._launch, self._output, self._sandbox_folder = spare._launch, spare._output, spare._sandbox_folder
        spare._launch = spare._output = spare._sandbox_folder = None

    async def _async_pre_start_kernel(self, **kw):
        sandbox = self.sandbox
        if not sandbox.enabled:
            return await super()._async_pre_start_kernel(**kw)
        require_sandbox(self.config, self.log)
        self._release()
        if self._spare_workdir is None:
            self.context.setsockopt(zmq.RECONNECT_IVL, NEVER_MS)
            cwd = kw.get("cwd") or os.getcwd()
            workdir_name = self._workdir_name = os.path.basename(os.path.abspath(cwd)) or "work"
            self._parent = usable_warm_parent(sandbox, self.log) if sandbox.warm_parent else None
            spare = None if self._parent else _SPARES.take(self._spare_key(sandbox, workdir_name,
                                                                            kw.get("extra_arguments")))
            # Every kernel, started ahead or not, starts with an empty working
            # folder; the submission comes in once its start-up is over
            # (supply_submission_files), so no submitted file (a numpy.py, say)
            # takes part in the start-up and both ways grade alike.
            self._supply_from = cwd
            if spare is not None and spare.provisioner.process.poll() is None:
                self._take_over(spare, kw)
                self._took_over = True
                return None, kw
            self._took_over = False
            _SPARES.discard(spare)
            files = []
        else:
            workdir_name = self._workdir_name = self._spare_workdir
            files = []
        self._sandbox_folder = tempfile.mkdtemp(prefix="dlcv-kernel-")
        self.transport = "ipc"
        self.ip = f"{INSIDE}/channel"
        self.connection_file = os.path.join(self._sandbox_folder, "kernel.json")
        if self._spare_workdir is not None:
            kw["cwd"] = self._sandbox_folder
        try:
            kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        except BaseException:
            close_files(files)
            raise
        kernel_cmd = [f"{INSIDE}/kernel.json" if arg == os.path.realpath(self.connection_file) else arg
                      for arg in kernel_cmd]
        kernel_cmd += [f"--IPKernelApp.exec_lines=import {name} as _dlcv_preloaded; del _dlcv_preloaded"
                       for name in sandbox.kernel_preload]
        if self._spare_workdir is None and self._parent and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]:
            # Forked from the warm parent (_async_launch_kernel): no process is started here.
            with open(self.connection_file, encoding="utf-8") as handle:
                self._fork_request = (workdir_name, json.load(handle), kernel_cmd[3:])
            close_files(files)
            return kernel_cmd, kw
        self._fork_request = None
        try:
            connection = os.open(self.connection_file, os.O_RDONLY)
            self._files = files + [(connection, "")]
            self._launch = sandbox.launch(kernel_cmd, workdir_name=workdir_name,
                                          files=files, private_files=[(connection, f"{INSIDE}/kernel.json")],
                                          want_pid=True)
            # The kernel's stdout and stderr: a pipe the grader drains, keeping the end.
            self._output = _Drain()
        except BaseException:
            close_files(self._files or files)
            self._files = ()
            self._release()
            raise
        kw.update(env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, pass_fds=self._launch.pass_fds,
                  stdout=self._output.write_fd, stderr=self._output.write_fd, stdin=None)
        return self._launch.command, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self._fork_request is not None:
            return await self._launch_forked()
        if self._launch is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        if not self._took_over:
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                self._launch.started()
                self._output.started()
                close_files(self._files)
                self._files = ()
            if self._spare_workdir is not None:
                return  # a spare: it waits for the submission that takes it over
        try:
            pid = self._launch.child_pid()
            self.ip = f"/proc/{pid}/root{INSIDE}/channel"
            await self._wait_for_sockets()
        except Exception as error:
            raise RuntimeError(f"The grading sandbox did not start: {error}\n{self.startup_log()}") from error
        if self.sandbox.start_ahead:
            await self._start_spare(self._launch_args.get("extra_arguments"), self._workdir_name)

    async def _launch_forked(self):
        """Have the warm parent fork this kernel (``grading.sandbox.warm``); wait for its sockets."""
        workdir_name, connection, argv = self._fork_request
        self._fork_request = None
        self._output_mark = self._parent.output.received
        try:
            kernel = self._parent.fork(workdir_name, connection, argv)
        except RuntimeError:
            if self._parent.alive():
                raise
            # The parent ended (it never runs student code; the machine may have killed it): a new one.
            self.log.warning("The warm parent of the grading kernels ended; starting a new one")
            self._parent = warm_parent(self.sandbox)
            self._output_mark = self._parent.output.received
            kernel = self._parent.fork(workdir_name, connection, argv)
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = kernel, kernel.pid, None
        self._reconcile_connection_info(self.provisioner.connection_info)
        self._launch = _ForkedLaunch(kernel.pid)
        try:
            self.ip = f"/proc/{kernel.pid}/root{INSIDE}/channel"
            await self._wait_for_sockets()
        except Exception as error:
            raise RuntimeError(f"The grading sandbox did not start: {error}\n{self.startup_log()}") from error

    def supply_submission_files(self) -> None:
        """Copy the submission's files into the kernel's working folder, once its start-up is over.

        Call it after the kernel answered a ``kernel_info`` request: ipykernel
        answers only once its start-up (the preload included) has finished,
        so no submitted file took part in it, and no student code has run in
        the sandbox yet: its working folder is still the empty one bwrap made.
        ``ResilientExecute`` calls it for every kernel it starts. Does nothing
        when the files are in already or the sandbox is off.
        """
        folder, self._supply_from = self._supply_from, None
        if folder is None or self._launch is None:
            return
        sandbox = self.sandbox
        files, skipped = open_submission_files(folder, sandbox.max_copy_bytes, sandbox.max_copy_files)
        for item in skipped[:20]:
            self.log.warning("Not copied into the grading sandbox: %s", item)
        try:
            supply_files(self._launch.child_pid(), self._workdir_name, files)
        finally:
            close_files(files)

    async def _start_spare(self, extra_arguments, workdir_name):
        """Start the kernel the next submission will take over, in a new sandbox of its own."""
        spare = SandboxedKernelManager(config=self.config, kernel_name=self.kernel_name, log=self.log)
        spare._spare_workdir = workdir_name
        try:
            kernel_cmd, kw = await spare._async_pre_start_kernel(extra_arguments=list(extra_arguments or ()))
            await spare._async_launch_kernel(kernel_cmd, **kw)
        except Exception:  # noqa: BLE001 (the next kernel then starts when it is needed)
            self.log.warning("Could not start the next grading kernel ahead", exc_info=True)
            _SPARES.discard(spare)
            return
        _SPARES.put(spare._spare_key(self.sandbox, workdir_name, extra_arguments), spare)

    async def _async_wait(self, pollinterval=0.1):
        # A killed sandbox ends within milliseconds; jupyter_client would look every 0.1 s.
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    async def _wait_for_sockets(self, timeout=60):
        """Wait until the kernel has made its five sockets, before any student code runs.

        The grader's side of the channels is the kernel's sockets seen through
        its sandbox's root (``/proc/<pid>/root``). The path is followed once,
        now, while only ipykernel's start-up has run in the sandbox; the
        grader's sockets never reconnect (``RECONNECT_IVL`` of about 24 days), so student
        code cannot later swap the path for a link to a socket of the host.
        """
        ports = (self.shell_port, self.iopub_port, self.stdin_port, self.hb_port, self.control_port)
        paths = [f"{self.ip}-{port}" for port in ports]
        inside = {f"{INSIDE}/channel-{port}" for port in ports}
        table = self.ip.split(INSIDE)[0].replace("/root", "/net/unix")  # /proc/<pid>/net/unix
        deadline = time.monotonic() + timeout
        while True:
            try:
                # Bound (a socket file), and listening in the sandbox's network namespace:
                # the grader's one connection attempt must not come too early.
                if all(stat.S_ISSOCK(os.lstat(path).st_mode) for path in paths) \
                        and inside <= _listening(table):
                    return
            except FileNotFoundError:
                pass
            if self.provisioner is None or await self.provisioner.poll() is not None:
                raise RuntimeError("the sandboxed kernel ended during its start-up")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandboxed kernel made no sockets within {timeout} s")
            await asyncio.sleep(0.01)

    def client(self, **kwargs: object) -> AsyncKernelClient:
        if self._launch is None or "context" in kwargs:
            return super().client(**kwargs)
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, NEVER_MS)  # never reconnects, see _wait_for_sockets
        self.client_factory = SandboxedKernelClient
        client = super().client(context=context, **kwargs)
        client._created_context = True  # the client ends its context when it is done
        return client

    def startup_log(self) -> str:
        """The end of what the sandboxed kernel wrote to stdout and stderr (for error messages)."""
        if self._output is None and self._parent is not None:
            # A forked kernel writes where its warm parent (and every kernel before it) does:
            # only what came after its fork.
            return self._parent.output.tail(since=self._output_mark)
        return self._output.tail() if self._output is not None else ""

    async def _async_is_alive(self):
        alive = await super()._async_is_alive()
        if not alive:
            self._release()  # the sandbox is gone: its cgroup and pipe go too
        return alive

    is_alive = _async_is_alive

    def cleanup_ipc_files(self) -> None:
        if self._launch is None:
            super().cleanup_ipc_files()
        # else: the sockets lived in the sandbox's private /tmp, gone with it

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        self._release()

    def _release(self):
        if self._output is not None:
            self._output.close()
            self._output = None
        if self._launch is not None:
            self._launch.close()
            self._launch = None
        if self._sandbox_folder:
            shutil.rmtree(self._sandbox_folder, ignore_errors=True)
            self._sandbox_folder = None
