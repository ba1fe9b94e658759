"""The OS sandbox around every piece of student code that grading runs.

Built on bubblewrap (``bwrap``, Debian's ``bubblewrap``, the sandbox under
Flatpak): Linux namespaces and bind mounts, no Python-level filtering. Both the
grading kernel (``grading.sandbox.kernel``) and the isolated re-grade's
child (``grading.sandbox.regrade``) run through :meth:`Sandbox.command`.

What a sandboxed process sees:

- its own user, PID, IPC, UTS, cgroup and network namespaces: no network at
  all (a loopback of its own, not the machine's), no other process, and
  every process it starts ends when the sandbox ends; it cannot make
  user namespaces of its own (so no mounts of its own either);
- read-only: ``/usr`` (and the merged ``/bin``, ``/lib``, ...), a few files of
  ``/etc``, the Python installation and virtual environment that grade (with
  the ``grading`` package masked by an empty folder wherever it lies inside
  them, and so is ipykernel's debugger, ``debugpy``, which grading never uses);
- writable but private and size-capped (tmpfs): ``/tmp`` and the working
  folder ``/home/student/<assignment>``, which starts as a copy of the
  submission's regular files (symbolic links are not followed);
- for the kernel only: a private copy of its connection file; its Unix
  sockets live in its private ``/tmp``, where the grader reaches them through
  ``/proc/<pid>/root`` (nothing of the host is writable from inside);
- a ``/proc`` of its own in which nothing of the host is writable, even
  when the grader is root (whose uid the sandbox's uid 0 is):
  ``/proc/sys`` (the machine's sysctls), ``/proc/sysrq-trigger``,
  ``/proc/bus``, ``/proc/fs`` and ``/proc/irq`` are read-only, and
  ``/proc/keys``, ``/proc/kcore``, ``/proc/timer_list``, ``/proc/acpi`` and
  the like are masked, as container runtimes do (:func:`proc_options`);
- a seccomp filter (``grading.sandbox.seccomp``): no keyrings, no file
  leases, no ``ptrace``, ``userfaultfd`` or io_uring, no ``prlimit`` on
  another process;
- nothing else: no course folder (``source/``, ``release/``, gradebook,
  ``nbgrader_config.py``, ``backups/``, anyone's ``submitted/`` or
  ``autograded/``), no home folder, no ``/run``, no ``/sys``.

Limits (``setrlimit`` inside the sandbox, via ``prlimit``, before Python
starts): address space per process, number of processes, size of any file
written, no core dumps. Root is exempt from the process limit, so when the
grader is root each sandbox also gets a pids cgroup of its own.

Configured like the rest of nbgrader, in ``nbgrader_config.py``::

    c.Sandbox.memory_bytes = 2 * 1024**3

``c.Sandbox.enabled = False`` grades without the sandbox (not recommended:
student code then runs with the grader's rights); every ``integrity.json``
then says so. Otherwise, if the sandbox cannot start, autograde stops before
grading anyone (:func:`require_sandbox`).
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import logging
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from traitlets import Bool, Integer, List, Unicode
from traitlets.config import Config, LoggingConfigurable

from grading.sandbox import seccomp

#: Where the copy of the submission lives inside the sandbox.
HOME = "/home/student"

#: Environment of every sandboxed process (nothing of the grader's leaks in).
BASE_ENV = {
    "HOME": HOME,
    "USER": "student",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TMPDIR": "/tmp",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "IPYTHONDIR": "/tmp/ipython",
    "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
    "JUPYTER_CONFIG_DIR": "/tmp/jupyter-config",
    "JUPYTER_DATA_DIR": "/tmp/jupyter-data",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

#: Files of /etc a Python process needs (dynamic linker cache, time zone, ...).
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
             "nsswitch.conf", "passwd", "group", "hosts")

FIX = ("Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) and make sure "
       "unprivileged user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1, "
       "and on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0). To grade without "
       "the sandbox anyway (student code then runs with your rights), set "
       "c.Sandbox.enabled = False in nbgrader_config.py.")


#: Open submission files to copy into a sandbox: ``(file descriptor, path relative to the working folder)``.
FileList = "list[tuple[int, str]] | tuple"
#: ``(host path, path inside the sandbox)`` pairs.
PathPairs = "list[tuple[str, str]] | tuple"


_warned_no_filter: list = []


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start on this machine; the message says why and how to fix it."""


class Sandbox(LoggingConfigurable):
    """Settings and command lines of the bubblewrap sandbox (``c.Sandbox.*``)."""

    enabled = Bool(True, help=(
        "Run student code (the grading kernel and the isolated re-grade) in the bubblewrap "
        "sandbox. False grades unsandboxed, with the grader's rights; every integrity.json "
        "then says so.")).tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    memory_bytes = Integer(2 * 1024**3, help=(
        "Address-space limit of each sandboxed process (RLIMIT_AS), in bytes.")).tag(config=True)
    max_processes = Integer(64, help=(
        "Processes and threads a sandbox may have at once (RLIMIT_NPROC in its own user "
        "namespace); the kernel itself uses about 10.")).tag(config=True)
    max_file_bytes = Integer(64 * 1024**2, help=(
        "Largest file a sandboxed process may write (RLIMIT_FSIZE), in bytes.")).tag(config=True)
    tmp_bytes = Integer(64 * 1024**2, help="Size of the private /tmp (tmpfs), in bytes.").tag(config=True)
    home_bytes = Integer(64 * 1024**2, help=(
        "Size of the private working folder (tmpfs) that holds the copy of the submission, "
        "in bytes.")).tag(config=True)
    max_copy_bytes = Integer(32 * 1024**2, help=(
        "Submission files larger than this, in all, are not copied into the sandbox.")).tag(config=True)
    max_copy_files = Integer(100, help=(
        "At most this many files of a submission are copied into the sandbox.")).tag(config=True)
    kernel_preload = List(Unicode(), ["numpy"], help=(
        "Modules every sandboxed kernel imports as it starts, before it runs any student code "
        "(nothing is added to the notebook's namespace). A kernel started ahead has them "
        "loaded by the time it is needed.")).tag(config=True)
    warm_parent = Bool(True, help=(
        "Fork every grading kernel from a warm parent that has imported ipykernel, IPython and "
        "NumPy once, inside a sandbox like the kernels' (grading.sandbox.warm). Each kernel "
        "still gets new namespaces, a new /tmp and working folder and no capabilities before "
        "any of ipykernel runs, and never serves two submissions. False starts a new Python "
        "for every kernel (see start_ahead).")).tag(config=True)
    start_ahead = Bool(True, help=(
        "Start the next sandbox (a kernel, a re-grade child) while the current submission is "
        "graded, so that its start-up overlaps grading. Each one is still new, started for one "
        "submission and never used by another; it gets the submission's files when it is "
        "claimed, before any student code runs. False starts each one when it is needed "
        "(the plain path; the same results).")).tag(config=True)

    # ------------------------------------------------------------------ command lines

    def command(self, argv: list[str], *, workdir_name: str = "work", files: FileList = (),
                ro_files: PathPairs = (), private_files: PathPairs = (), info_fd: int | None = None,
                extra_options: tuple[str, ...] = ()) -> list[str]:
        """The bwrap command line that runs ``argv`` in the sandbox.

        ``files``: ``(fd, relative_path)`` pairs copied into the private working
        folder ``/home/student/<workdir_name>``. ``private_files``: ``(fd,
        absolute_path)`` pairs copied to a path under ``/tmp`` (the kernel's
        connection file). ``ro_files``: ``(host, inside)`` files bound
        read-only. ``info_fd``: bwrap writes ``{"child-pid": ...}`` there
        once the sandbox stands. ``extra_options``: further bwrap options (the
        warm parent's, ``grading.sandbox.warm``). All fds must be passed to the
        process. The working directory is the private folder.
        """
        workdir = f"{HOME}/{workdir_name}"
        # A user namespace of its own in which no further user namespace can be
        # made (so no mounts of its own: an uncapped tmpfs, a remount).
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
                "--die-with-parent", "--new-session", "--hostname", "sandbox", *extra_options]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for name in ETC_FILES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        # The private tmpfs first: binds below may lie inside /tmp or /home.
        # The sandbox's own /proc, with the host's state in it read-only or masked (proc_options).
        args += ["--proc", "/proc", *proc_options(), "--dev", "/dev"]
        args += ["--perms", "1777", "--size", str(self.tmp_bytes), "--tmpfs", "/tmp"]
        args += ["--perms", "1777", "--size", str(self.home_bytes), "--tmpfs", HOME,
                 "--perms", "0777", "--dir", workdir]
        python_roots = python_installation()
        bound = [r for r in python_roots if not _under(r, "/usr")] + [inside for _, inside in ro_files]
        for folder in _parents(bound + [path for _, path in private_files]):
            args += ["--perms", "0755", "--dir", folder]  # bwrap would make them 0700
        for root in python_roots:
            if not _under(root, "/usr"):
                args += ["--ro-bind", root, root]
        masked = masked_folders(python_roots)
        masked += [folder for folder in unused_packages()
                   if any(_under(folder, root) for root in python_roots)
                   and not any(_under(folder, m) for m in masked)]
        for folder in masked:
            args += ["--tmpfs", folder, "--remount-ro", folder]
        for relative in sorted({str(Path(rel).parent) for _, rel in files} - {"."}):
            args += ["--perms", "0777", "--dir", f"{workdir}/{relative}"]
        for fd, relative in files:
            args += ["--perms", "0666", "--file", str(fd), f"{workdir}/{relative}"]
        for fd, path in private_files:
            args += ["--perms", "0600", "--file", str(fd), path]
        for host, inside in ro_files:
            args += ["--ro-bind", host, inside]
        # bwrap's own root and /dev are tmpfs without a size cap: make them read-only.
        args += ["--remount-ro", "/dev", "--remount-ro", "/"]
        if info_fd is not None:
            args += ["--info-fd", str(info_fd)]
        args += ["--chdir", workdir, "--clearenv"]
        for key, value in BASE_ENV.items():
            args += ["--setenv", key, value]
        args += ["--", *self.limits_prefix(), *argv]
        return args

    def settings(self) -> tuple:
        """The configured values, as a hashable key (sandboxes started ahead must match them)."""
        values = ((name, getattr(self, name)) for name in sorted(self.traits(config=True)))
        return tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in values)

    def limits_prefix(self) -> list[str]:
        """``prlimit`` applying the resource limits, run inside the sandbox before ``argv``."""
        return ["/usr/bin/prlimit", f"--as={self.memory_bytes}", f"--nproc={self.max_processes}",
                f"--fsize={self.max_file_bytes}", "--core=0", "--"]

    def launch(self, argv: list[str], *, workdir_name: str = "work", files: FileList = (),
               ro_files: PathPairs = (), private_files: PathPairs = (), want_pid: bool = False,
               extra_options: tuple[str, ...] = ()) -> Launch:
        """Everything to start ``argv`` in the sandbox: a :class:`Launch`.

        When the grader is root (exempt from RLIMIT_NPROC), the process cap is
        a pids cgroup instead, which the command enters before bwrap starts.
        """
        info_read = info_write = None
        if want_pid:
            info_read, info_write = os.pipe()
        filter_fd = seccomp.program_fd()
        if filter_fd is not None:
            extra_options = (*extra_options, "--seccomp", str(filter_fd))
        elif not _warned_no_filter:
            _warned_no_filter.append(True)
            self.log.warning("No seccomp filter for this machine's architecture (%s): sandboxed code "
                             "can use the kernel's keyrings", os.uname().machine)
        command = self.command(argv, workdir_name=workdir_name, files=files, ro_files=ro_files,
                               private_files=private_files, info_fd=info_write, extra_options=extra_options)
        cgroup = None
        if os.geteuid() == 0:
            cgroup = PidsCgroup.create(self.max_processes)
            command = cgroup.prefix() + command
        fds = tuple(fd for fd, _ in files) + tuple(fd for fd, _ in private_files)
        if info_write is not None:
            fds += (info_write,)
        if filter_fd is not None:
            fds += (filter_fd,)
        return Launch(command, fds, cgroup, info_read, info_write, own_fds=[filter_fd] if filter_fd is not None else [])

    # ------------------------------------------------------------------ availability

    def check(self) -> None:
        """Raise :class:`SandboxUnavailable` unless a sandboxed Python starts here.

        Runs ``python -c`` in the sandbox and checks what it sees: no network
        interface but loopback, no course folder, a read-only venv.
        """
        executable = shutil.which(self.bwrap)
        if executable is None:
            raise SandboxUnavailable(f"The grading sandbox needs bubblewrap, but '{self.bwrap}' "
                                     f"is not on PATH. {FIX}")
        probe = ("import os,sys; print(os.getcwd()); print(sorted(os.listdir('/sys/class/net')) "
                 "if os.path.isdir('/sys/class/net') else []); "
                 "print(os.access(sys.prefix, os.W_OK))")
        try:
            launch = self.launch([sys.executable, "-I", "-c", probe], workdir_name="probe")
        except OSError as error:
            raise SandboxUnavailable(f"The grading sandbox could not set up its process cap: {error}. "
                                     f"{FIX}") from error
        try:
            result = subprocess.run(launch.command, pass_fds=launch.pass_fds, capture_output=True, text=True,
                                    timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SandboxUnavailable(f"The grading sandbox could not start: {error}. {FIX}") from error
        finally:
            launch.close()
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()[-800:]
            raise SandboxUnavailable(f"The grading sandbox could not start ({executable} exited "
                                     f"with code {result.returncode}: {detail}). {FIX}")
        lines = result.stdout.splitlines()
        if lines[:1] != [f"{HOME}/probe"] or lines[-1:] != ["False"]:
            raise SandboxUnavailable(f"The grading sandbox started but did not isolate as expected "
                                     f"(saw {lines!r}). {FIX}")



class Launch:
    """A sandboxed command ready to start, and what to clean up after it.

    ``command`` and ``pass_fds`` go to ``subprocess.Popen`` (or jupyter_client's
    launcher); call :meth:`started` right after the process started and
    :meth:`close` once it has ended.
    """

    def __init__(self, command, pass_fds, cgroup, info_read, info_write, own_fds=()):
        self.command = command
        self.pass_fds = pass_fds
        self.cgroup = cgroup
        self._info_read = info_read
        self._info_write = info_write
        self._own_fds = list(own_fds)  # made for this launch (the seccomp filter): closed once started

    def started(self) -> None:
        """Close the parent's copies of what only the sandbox needs (the info pipe's write end, the filter)."""
        if self._info_write is not None:
            os.close(self._info_write)
            self._info_write = None
        while self._own_fds:
            os.close(self._own_fds.pop())

    def child_pid(self, timeout: float = 60) -> int:
        """The host PID of the sandbox's first process (its root is ``/proc/<pid>/root``).

        Read once from bwrap's info pipe, then remembered.
        """
        import json
        import select

        if getattr(self, "_child_pid", None) is not None:
            return self._child_pid
        data = b""
        deadline = time.monotonic() + timeout
        while b"}" not in data:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._info_read], [], [], max(left, 0))
            if not ready:
                raise SandboxUnavailable("the sandbox did not report its process in time")
            chunk = os.read(self._info_read, 4096)
            if not chunk:
                raise SandboxUnavailable("the sandbox ended before it started its command")
            data += chunk
        self._child_pid = int(json.loads(data[:data.index(b"}") + 1])["child-pid"])
        return self._child_pid

    def close(self) -> None:
        """Release the pipe and the cgroup (ending anything left in it)."""
        self.started()
        if self._info_read is not None:
            os.close(self._info_read)
            self._info_read = None
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None


class PidsCgroup:
    """A pids cgroup capping the processes of one sandbox (used when the grader is root).

    cgroup v1 (``/sys/fs/cgroup/pids``) or v2 (``/sys/fs/cgroup`` with the
    ``pids`` controller). Raises OSError where neither can be made.
    """

    _live = set()  # this process's cgroups not yet removed (removed at exit at the latest)

    def __init__(self, path):
        self.path = Path(path)

    @classmethod
    def create(cls, max_pids: int) -> PidsCgroup | None:
        if not cls._live:
            atexit.register(cls._remove_all)
        name = f"dlcv-sandbox-{secrets.token_hex(8)}"
        v1 = Path("/sys/fs/cgroup/pids")
        if (v1 / "cgroup.procs").is_file():
            path = v1 / name
        else:
            root = Path("/sys/fs/cgroup")
            if "pids" not in (root / "cgroup.subtree_control").read_text().split():
                (root / "cgroup.subtree_control").write_text("+pids")
            path = root / name
        path.mkdir()
        (path / "pids.max").write_text(str(max_pids))
        cgroup = cls(path)
        cls._live.add(cgroup.path)
        return cgroup

    @classmethod
    def _remove_all(cls):
        for path in list(cls._live):
            cls(path).remove(tries=50)

    def prefix(self) -> list[str]:
        """A command prefix that moves the process into this cgroup, then runs the rest."""
        return ["/bin/sh", "-c", 'echo $$ > "$1" && shift && exec "$@"', "sh", str(self.path / "cgroup.procs")]

    def remove(self, tries: int = 500) -> None:
        for _ in range(tries):
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                self._live.discard(self.path)
                return
            for pid in pids:  # what is left of this sandbox (normally nothing)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.path.rmdir()
                self._live.discard(self.path)
                return
            except OSError:
                time.sleep(0.005)  # the last processes are ending (within milliseconds)


# ---------------------------------------------------------------------- /proc


#: Places in /proc where a process writes the host's state, not its sandbox's: a sysctl that is not
#: namespaced (``kernel.core_pattern``, ``vm.overcommit_memory``, ...) checks only that the writer's
#: uid is the host's root, which is what a sandbox of a root grader runs as. Bound read-only, as
#: container runtimes do (runc's and Docker's read-only paths).
PROC_READ_ONLY = ("sys", "sysrq-trigger", "bus", "fs", "irq")
#: Files of /proc covered by a read-only ``/dev/null`` (on a ``nodev`` mount: it opens for nobody): the
#: kernel's keyrings (not namespaced) and what Docker masks (the machine's memory, timers, scheduler
#: and latency statistics).
PROC_MASKED_FILES = ("keys", "key-users", "kcore", "latency_stats", "sched_debug", "timer_list", "timer_stats")
#: Folders of /proc covered by an empty read-only tmpfs (hardware: ACPI, sound cards, SCSI devices).
PROC_MASKED_FOLDERS = ("acpi", "asound", "scsi")


def proc_options() -> list[str]:
    """bwrap options, after ``--proc /proc``, that leave nothing of the host writable there.

    ``/proc/sys`` and the other :data:`PROC_READ_ONLY` paths are bound
    read-only (bubblewrap itself covers ``/proc/sys`` only where ``access``
    says it is writable, which it never says of that folder). bwrap binds
    them from the host's ``/proc``, which shows the same: a sysctl is looked
    up in the reader's namespaces (its hostname, network, IPC, PID and user
    namespace), not the mount's. The :data:`PROC_MASKED_FILES` and
    :data:`PROC_MASKED_FOLDERS` are covered. Paths this kernel does not have
    are left out (the sandbox's ``/proc`` is the same kernel's); ``/proc/sys``
    must be there. ``/sys`` is not in the sandbox at all.
    """
    options = []
    for name in PROC_READ_ONLY:
        if name == "sys" or os.path.lexists(f"/proc/{name}"):
            options += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
    for name in PROC_MASKED_FILES:
        if os.path.lexists(f"/proc/{name}"):
            options += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    for name in PROC_MASKED_FOLDERS:
        if os.path.isdir(f"/proc/{name}"):
            options += ["--perms", "0555", "--size", "4096", "--tmpfs", f"/proc/{name}",
                        "--remount-ro", f"/proc/{name}"]
    return options


# ---------------------------------------------------------------------- helpers


def _parents(paths):
    """Every proper ancestor folder of ``paths`` (but ``/``), parents before children."""
    folders = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) != "/":
                folders.add(str(parent))
    return sorted(folders, key=lambda f: (f.count("/"), f))


def _under(path, folder):
    path, folder = Path(path), Path(folder)
    return path == folder or folder in path.parents


def python_installation() -> list[str]:
    """The folders of the Python that grades: the venv and its base installation."""
    roots = []
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        real = os.path.realpath(prefix)
        for root in (prefix, real):
            if root not in roots and not any(_under(root, r) for r in roots):
                roots.append(root)
    executable = os.path.realpath(sys.executable)
    if not any(_under(executable, r) for r in roots):
        roots.append(os.path.dirname(executable))
    return roots


def masked_folders(bound: list[str]) -> list[str]:
    """Folders of the grading code that lie inside ``bound``: covered by an empty tmpfs.

    The ``grading`` package holds the checks and their reference answers;
    however the course installs it (editable or into site-packages), student
    code must not import or read it.
    """
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # grading/, not grading/sandbox/
    course = os.path.dirname(package)
    masked = []
    for folder in (package, course):
        if any(_under(folder, root) and folder != root for root in bound):
            masked.append(folder)
    # Masking the course folder masks the package too; keep the outermost only.
    return [m for m in masked if not any(m != o and _under(m, o) for o in masked)]


#: Packages of the grading environment that no sandboxed process needs, masked
#: like the grading code: the debugger ipykernel would import at every start
#: (about 0.1 s of CPU per kernel; without it, ipykernel runs without a debugger).
UNUSED_IN_SANDBOX = ("debugpy",)


@functools.cache
def unused_packages() -> tuple[str, ...]:
    """The folders of :data:`UNUSED_IN_SANDBOX` that are installed."""
    folders = []
    for name in UNUSED_IN_SANDBOX:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.extend(os.path.realpath(f) for f in spec.submodule_search_locations)
    return tuple(folders)


def supply_files(pid: int, workdir_name: str, files: FileList) -> None:
    """Copy ``files`` (``(fd, relative_path)`` pairs) into the working folder of a running sandbox.

    For sandboxes started ahead (``Sandbox.start_ahead``): ``pid`` is the
    sandbox's first process, whose root is ``/proc/<pid>/root``. Call it only
    while no student code has run in that sandbox: the folder is then still
    the empty one bwrap made. Files are created new (``O_EXCL``, never
    following a link), with the modes bwrap gives copied files; the copy
    counts against the folder's size cap like bwrap's own.
    """
    folder = os.open(f"/proc/{pid}/root{HOME}/{workdir_name}", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for fd, relative in files:
            parts = Path(relative).parts
            parent = os.dup(folder)
            try:
                for part in parts[:-1]:
                    try:
                        os.mkdir(part, 0o777, dir_fd=parent)
                        os.chmod(part, 0o777, dir_fd=parent, follow_symlinks=False)
                    except FileExistsError:
                        pass
                    child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
                    os.close(parent)
                    parent = child
                out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666,
                              dir_fd=parent)
                try:
                    os.fchmod(out, 0o666)
                    os.lseek(fd, 0, os.SEEK_SET)
                    while os.sendfile(out, fd, None, 1 << 20):
                        pass
                finally:
                    os.close(out)
            finally:
                os.close(parent)
    finally:
        os.close(folder)


def open_submission_files(folder: str | Path, limit_bytes: int, limit_files: int = 100) -> FileList:
    """Open the regular files of a submission folder for copying into the sandbox.

    Returns ``(files, skipped)``: ``files`` are ``(fd, relative_path)`` pairs,
    ``skipped`` says what was left out (symbolic links, special files, files
    past ``limit_bytes`` in all or past the first ``limit_files``). Notebooks are not copied: the one in the
    folder is the grader's working copy, with the master's locked cells; the
    kernel receives its cells through its channels. Files are opened with
    ``O_NOFOLLOW``: a submitted link to a file of the grader's is never read.
    The caller closes the fds (:func:`close_files`).
    """
    folder = Path(folder)
    files, skipped, total = [], [], 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in ("__pycache__", ".ipynb_checkpoints") for part in relative.parts) \
                or path.suffix == ".ipynb":
            continue
        if path.is_symlink():
            skipped.append(f"{relative} (a symbolic link)")
            continue
        if path.is_dir():
            continue
        if len(files) >= limit_files:
            skipped.append(f"{relative} (more than {limit_files} files)")
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            skipped.append(f"{relative} ({error.strerror})")
            continue
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            skipped.append(f"{relative} (not a regular file)")
            continue
        if total + info.st_size > limit_bytes:
            os.close(fd)
            skipped.append(f"{relative} (the submission is larger than {limit_bytes} bytes)")
            continue
        total += info.st_size
        files.append((fd, str(relative)))
    return files, skipped


def close_files(files: FileList) -> None:
    for fd, _ in files:
        try:
            os.close(fd)
        except OSError:
            pass


_checked = {}


def require_sandbox(config: Config | None = None, log: logging.Logger | None = None) -> Sandbox:
    """Stop with :class:`SandboxUnavailable` unless the sandbox works (or is switched off).

    Checked once per process and configuration. Returns the :class:`Sandbox`.
    """
    sandbox = Sandbox(config=config) if config is not None else Sandbox()
    key = (sandbox.enabled, sandbox.bwrap)
    if not sandbox.enabled:
        if key not in _checked and log is not None:
            log.warning("Grading WITHOUT the sandbox (c.Sandbox.enabled = False): student code "
                        "runs with your rights.")
        _checked[key] = True
        return sandbox
    if key not in _checked:
        sandbox.check()
        _checked[key] = True
    return sandbox
