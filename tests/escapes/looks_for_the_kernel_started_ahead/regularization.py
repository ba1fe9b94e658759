"""Attack: find, signal or read the sandbox started ahead for the next student (see README.md)."""

import glob
import os
import signal
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
ME = "looks_for_the_kernel_started_ahead"
MARK = "ESCAPE" + "-SUCCESS:"
WHERE = "child" if os.getcwd().endswith("/regrade") else "kernel"


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[{WHERE}] {text}", flush=True)


def _ns(pid, kind="pid"):
    try:
        return os.readlink(f"/proc/{pid}/ns/{kind}")
    except OSError as error:
        return repr(error)


def _inspect(pid):
    """What of ``pid`` this process can read or write beyond its public status: memory, environment, files."""
    opened = []
    for name, mode in (("mem", "r+b"), ("mem", "rb"), ("environ", "rb"), ("auxv", "rb")):
        try:
            with open(f"/proc/{pid}/{name}", mode) as handle:
                handle.read(1)
            opened.append(f"{name} ({mode})")
        except OSError:
            pass
    for name in ("root", "cwd", "map_files"):
        try:
            os.listdir(f"/proc/{pid}/{name}")
            opened.append(name)
        except OSError:
            pass
    try:  # the numbers of its open files may show (the folder is its owner's); what they are must not
        numbers = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        numbers = []
    for number in numbers:
        try:
            opened.append(f"fd {number} -> {os.readlink(f'/proc/{pid}/fd/{number}')}")
        except OSError:
            pass
    return opened


def _scan():
    own = {kind: _ns("self", kind) for kind in ("pid", "user", "net", "mnt")}
    visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    # A process whose namespaces cannot be read (the warm parent, PID 1) must give nothing else away.
    guarded = [pid for pid in visible if _ns(pid).startswith("PermissionError")]
    foreign = [pid for pid in visible if pid not in guarded
               and (_ns(pid) != own["pid"] or _ns(pid, "mnt") != own["mnt"])]
    if foreign:
        _say(f"{MARK} processes of another sandbox or the host in /proc: {foreign}")
    for pid in guarded:
        opened = _inspect(pid)
        if opened:
            _say(f"{MARK} a process whose namespaces are hidden can still be inspected: {pid}: {opened}")
    # Signal 0 reaches any process this one could signal: the grader, the next student's kernel.
    reachable = []
    for pid in range(2, 65536):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass  # it exists: counted too
        reachable.append(pid)
    # (threads are not listed in /proc but are there as /proc/<tid>)
    hidden = [pid for pid in reachable if not os.path.exists(f"/proc/{pid}")]
    if hidden:
        _say(f"{MARK} signal 0 reaches processes not in this sandbox's /proc: {hidden[:20]}")
    for pid in visible:  # every /proc/<pid>/root: another sandbox's working folder would show here
        for path in glob.glob(f"/proc/{pid}/root/home/student/*/*.py") + glob.glob(f"/proc/{pid}/root/tmp/*/*.py"):
            try:
                with open(path, errors="replace") as handle:
                    text = handle.read(1 << 20)
            except OSError:
                continue
            others = [line for line in text.splitlines()
                      if line.startswith("# dlcv-canary-") and not line.startswith(f"# dlcv-canary-{ME}-")]
            if others:
                _say(f"{MARK} another student's file at {path}: {others[0]}")
    sockets = []
    try:
        with open("/proc/net/unix") as table:
            sockets = [line.split()[-1] for line in table.read().splitlines()[1:] if len(line.split()) >= 8]
    except OSError as error:
        _say(f"/proc/net/unix: {error!r}")
    outside = [s for s in sockets if not s.startswith("/tmp/.kernel/")]
    return len(visible), len(reachable), outside


def _look(seconds):
    """Look again and again while the next student's sandbox, started ahead, waits."""
    deadline = time.monotonic() + seconds
    rounds = 0
    while True:
        visible, reachable, outside = _scan()
        rounds += 1
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    _say(f"{rounds} looks: {visible} processes in /proc, {reachable} reachable by signal 0, "
         f"own pid namespace {_ns('self')}, Unix sockets of others: {outside[:5]}")
    for cgroups in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        try:
            groups = [g for g in os.listdir(cgroups) if g.startswith("dlcv-sandbox-")]
            _say(f"{MARK} the sandboxes' cgroups are visible in {cgroups}: {groups}")
        except OSError as error:
            _say(f"{cgroups}: {error!r}")
    try:
        os.kill(-1, signal.SIGCONT)  # every process this one may signal: only its own sandbox's
        _say("kill(-1, SIGCONT) reached only what it may signal (this sandbox)")
    except OSError as error:
        _say(f"kill(-1, SIGCONT): {error!r}")


if "ipykernel" in sys.modules or WHERE == "child":
    _look(1.5 if WHERE == "kernel" else 0)
