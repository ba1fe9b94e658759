"""The bubblewrap sandbox: what student code sees in it, and that autograde never runs without it silently."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from grading.sandbox.bubblewrap import HOME, Sandbox, SandboxUnavailable, masked_folders
from grading.sandbox.seccomp import ARCHITECTURES
from grading.tools.scratch_course import REPO, NbgraderFailed, ScratchCourse
from support.helpers import reference_module_source, student_module_source, tmp_entries_of_a_fresh_kernel
from support.integrity import exercise_points, project_sandbox, report

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes


def run_in_sandbox(code, sandbox=None, **kwargs):
    sandbox = sandbox or project_sandbox()
    launch = sandbox.launch([sys.executable, "-c", textwrap.dedent(code)], **kwargs)
    try:
        done = subprocess.run(launch.command, pass_fds=launch.pass_fds, capture_output=True, text=True,
                              timeout=120)
    finally:
        launch.close()
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sandboxed_python_sees_no_course_folder_and_cannot_import_the_grading_code():
    seen = run_in_sandbox(f"""
        import importlib.util, json, os
        print(json.dumps({{
            "repo": os.path.exists({str(REPO)!r}),
            "config": os.path.exists({str(REPO / "nbgrader_config.py")!r}),
            "checks": os.path.exists({str(REPO / "grading" / "checks.py")!r}),
            "grading": importlib.util.find_spec("grading") is not None,
            "cwd": os.getcwd(),
        }}))
    """)
    assert seen == {"repo": os.path.realpath(sys.prefix).startswith(str(REPO)) and seen["repo"],
                    "config": False, "checks": False, "grading": False, "cwd": f"{HOME}/work"}


def test_sandboxed_python_has_no_network_but_a_loopback_of_its_own():
    seen = run_in_sandbox("""
        import json, os, socket
        result = {"interfaces": sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else []}
        for name, family, kind, address in [("tcp", socket.AF_INET, socket.SOCK_STREAM, ("1.1.1.1", 80)),
                                            ("udp", socket.AF_INET, socket.SOCK_DGRAM, ("1.1.1.1", 53))]:
            with socket.socket(family, kind) as s:
                s.settimeout(2)
                try:
                    s.connect(address); s.send(b"x"); result[name] = "sent"
                except OSError as error:
                    result[name] = error.errno
        print(json.dumps(result))
    """)
    assert seen["tcp"] != "sent" and seen["udp"] != "sent"


def test_sandboxed_python_cannot_write_the_python_environment_and_writes_privately():
    seen = run_in_sandbox(f"""
        import json, os, sys
        result = {{}}
        for name, path in [("venv", os.path.join(sys.prefix, "escape.pth")), ("home", "{HOME}/x"),
                           ("tmp", "/tmp/x"), ("cwd", "x")]:
            try:
                with open(path, "w") as handle:
                    handle.write("x")
                result[name] = "written"
            except OSError as error:
                result[name] = error.strerror
        print(json.dumps(result))
    """)
    assert seen == {"venv": "Read-only file system", "home": "written", "tmp": "written", "cwd": "written"}
    assert not os.path.exists(os.path.join(sys.prefix, "escape.pth"))


def test_private_tmp_is_capped_at_its_configured_size():
    sandbox = project_sandbox()
    sandbox.tmp_bytes = 4 * 1024**2
    seen = run_in_sandbox("""
        import json
        written = 0
        try:
            with open("/tmp/fill", "wb") as handle:
                for _ in range(64):
                    handle.write(b"x" * 1024**2); handle.flush(); written += 1
        except OSError as error:
            print(json.dumps({"written_mib": written, "error": error.strerror}))
    """, sandbox)
    assert seen == {"written_mib": 4, "error": "No space left on device"} or seen["written_mib"] < 4


def test_process_cap_stops_a_fork_loop_inside_the_sandbox():
    sandbox = project_sandbox()
    sandbox.max_processes = 16
    seen = run_in_sandbox("""
        import json, subprocess
        started, error = [], None
        for _ in range(40):
            try:
                started.append(subprocess.Popen(["/usr/bin/sleep", "5"]))
            except OSError as e:
                error = e.strerror
                break
        for p in started:
            p.kill(); p.wait()
        print(json.dumps({"started": len(started), "error": error}))
    """, sandbox)
    assert seen["started"] < 16 and seen["error"] == "Resource temporarily unavailable"


def test_the_grading_code_is_masked_when_it_lies_inside_a_bound_python_environment():
    # A venv bound at the course folder itself (or above it) must not expose the checks.
    package = str(REPO / "grading")
    assert masked_folders([str(REPO)]) == [package]
    assert masked_folders([str(REPO.parent)]) == [str(REPO)]
    assert masked_folders(["/nonexistent-prefix"]) == []
    seen = run_in_sandbox(f"""
        import json, os
        print(json.dumps(os.listdir({package!r}) if os.path.isdir({package!r}) else None))
    """)
    assert seen in (None, [])


def test_missing_bubblewrap_is_reported_with_how_to_fix_it():
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        Sandbox(bwrap="/nonexistent/bwrap").check()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = ScratchCourse.create(tmp_path_factory.mktemp("sandbox-switch"))
    course.submit("ada", student_module_source())
    return course


def test_autograde_stops_before_grading_anyone_when_the_sandbox_cannot_start(course):
    with pytest.raises(NbgraderFailed) as failure:
        course.autograde("--Sandbox.bwrap=/nonexistent/bwrap")
    assert "Not autograding" in str(failure.value) and "apt-get install bubblewrap" in str(failure.value)
    assert "c.Sandbox.enabled = False" in str(failure.value)
    assert not (course.root / "autograded" / "ada").exists()
    assert course.scores().get("ada", {}).get("l1_loss") in (None, 0)


def test_grading_without_the_sandbox_is_a_switch_and_every_report_says_so(course):
    course.autograde("--Sandbox.enabled=False")
    scores = course.scores()["ada"]
    assert exercise_points(scores, "l1") + exercise_points(scores, "l2") == 6
    assert report(course, "ada")["sandbox"] == "off (c.Sandbox.enabled = False)"
    course.autograde()
    assert report(course, "ada")["sandbox"] == "bubblewrap"
    scores = course.scores()["ada"]
    assert exercise_points(scores, "l1") + exercise_points(scores, "l2") == 6


def test_sandboxed_code_cannot_make_a_user_namespace_and_so_no_mounts_of_its_own():
    # A nested user namespace would let it mount a tmpfs without a size cap or
    # remount what is read-only in a mount namespace of its own.
    seen = run_in_sandbox("""
        import json, subprocess
        done = subprocess.run(["/usr/bin/unshare", "--user", "--map-root-user", "--mount", "true"],
                              capture_output=True, text=True)
        print(json.dumps({"code": done.returncode}))
    """)
    assert seen["code"] != 0


def test_nothing_of_the_host_is_writable_from_the_sandbox():
    # Writable mounts: the two size-capped private tmpfs, /proc, and device nodes.
    seen = run_in_sandbox("""
        import json
        print(json.dumps([line.split()[:4] for line in open("/proc/self/mounts")
                          if "rw" in line.split()[3].split(",")]))
    """)
    writable = {point: (kind, options) for _, point, kind, options in seen}
    assert set(writable) - {"/proc", "/tmp", "/home/student", "/dev/pts"} == \
        {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}
    assert all(kind == "devtmpfs" for point, (kind, _) in writable.items()
               if point.startswith("/dev/") and point != "/dev/pts")
    assert "size=65536k" in writable["/tmp"][1] and "size=65536k" in writable["/home/student"][1]


def test_a_submitted_symbolic_link_is_not_collected_nor_handed_back(tmp_path):
    # nbgrader's copy follows links: a link to the master would be graded as
    # the student's module and returned in feedback.
    course = ScratchCourse.create(tmp_path / "links")
    folder = course.submit("linker", reference_module_source())
    (folder / "regularization.py").unlink()
    (folder / "regularization.py").symlink_to(REPO / "regularization.py")
    (folder / "notes.txt").symlink_to(REPO / "grading" / "checks.py")
    course.submit("honest", (REPO / "tests" / "catalogue" / "correct" / "masks.py").read_text())
    log = course.autograde()
    assert "regularization.py is a symbolic link: not collected" in log
    assert (folder / "regularization.py.link-not-collected").is_symlink()
    scores = course.scores()
    assert exercise_points(scores["linker"], "l1") + exercise_points(scores["linker"], "l2") == 0
    assert exercise_points(scores["honest"], "l1") + exercise_points(scores["honest"], "l2") == 6
    course.nbgrader("generate_feedback", "assignment2")
    returned = course.root / "feedback" / "linker" / "assignment2"
    assert not (returned / "regularization.py").exists() and not (returned / "notes.txt").exists()
    for path in (course.root / "feedback").rglob("*"):
        if path.is_file():
            assert "BEGIN SOLUTION" not in path.read_text(errors="replace")
            assert "def run_check" not in path.read_text(errors="replace")


def test_only_regular_files_of_a_submission_are_copied_and_at_most_the_cap(tmp_path):
    from grading.sandbox.bubblewrap import close_files, open_submission_files

    for index in range(150):
        (tmp_path / f"z{index:03d}.txt").write_text("x")
    (tmp_path / "link.py").symlink_to("/etc/passwd")
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / "pipe")
    (tmp_path / "graded.ipynb").write_text("{}")
    files, skipped = open_submission_files(tmp_path, 10**6, limit_files=100)
    try:
        assert len(files) == 100 and all(name.endswith(".txt") for _, name in files)
        assert "link.py (a symbolic link)" in skipped
        assert any(item.startswith("fifo/pipe") for item in skipped)
        assert sum("more than 100 files" in item for item in skipped) == 50
    finally:
        close_files(files)


def test_files_supplied_to_a_running_sandbox_are_created_new_and_never_through_a_link(tmp_path):
    # A sandbox started ahead gets its submission's files through /proc/<pid>/root before any
    # student code runs there; even so, the copy never writes through a link or over a file.
    from grading.sandbox.bubblewrap import close_files, supply_files

    (tmp_path / "regularization.py").write_text("x = 1\n")
    launch = project_sandbox().launch(
        [sys.executable, "-c", "import os, sys; os.symlink('/tmp/elsewhere', 'planted.py'); "
                               "print('ready', flush=True); sys.stdin.read(); print(sorted(os.listdir('.')), "
                               "open('regularization.py').read().strip(), os.path.lexists('/tmp/elsewhere'), "
                               "flush=True)"],
        workdir_name="assignment2", want_pid=True)
    process = subprocess.Popen(launch.command, pass_fds=launch.pass_fds, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    launch.started()
    try:
        assert process.stdout.readline() == "ready\n"
        pid = launch.child_pid()
        module = os.open(tmp_path / "regularization.py", os.O_RDONLY)
        try:
            supply_files(pid, "assignment2", [(module, "regularization.py"), (module, "sub/copy.py")])
            with pytest.raises(FileExistsError):
                supply_files(pid, "assignment2", [(module, "planted.py")])
        finally:
            close_files([(module, "")])
        seen, _ = process.communicate("go", timeout=60)
    finally:
        process.kill()
        process.wait()
        launch.close()
    assert seen.strip() == "['planted.py', 'regularization.py', 'sub'] x = 1 False"


def test_kernels_are_forked_by_the_warm_parent_and_keep_no_capability(tmp_path):
    # Runs as root and, through test_unprivileged, as an ordinary user: the
    # warm parent must work for both (its failure would only be a warning).
    from nbformat.v4 import new_code_cell, new_notebook

    from grading.preprocessors.resilient_execute import ResilientExecute
    from grading.sandbox import warm

    look = ("import json, os\nstatus = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
            "print(json.dumps({'parent': open('/proc/1/cmdline').read().split(chr(0))[:2], "
            "'caps': [status[k].strip() for k in ('CapEff', 'CapPrm', 'CapInh', 'CapBnd', 'CapAmb')], "
            "'no_new_privs': status['NoNewPrivs'].strip(), 'pid': os.getpid()}))")
    nb = new_notebook(cells=[new_code_cell(look)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = ResilientExecute().preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    seen = json.loads(nb.cells[0].outputs[0]["text"])
    assert [key for key, parent in warm._PARENTS.items() if key[0] == os.getpid() and parent.alive()]
    assert seen["parent"] == [sys.executable, warm.INSIDE_ZYGOTE] and seen["pid"] != 1
    assert seen["caps"] == ["0000000000000000"] * 5 and seen["no_new_privs"] == "1"


def test_seccomp_refuses_keyrings_ptrace_leases_and_other_processes_limits_but_not_own_limits():
    numbers = ARCHITECTURES[os.uname().machine][1]
    seen = run_in_sandbox(f"""
        import ctypes, json, os, resource
        numbers = {numbers!r}
        libc = ctypes.CDLL(None, use_errno=True)
        def errno_of(result):
            return ctypes.get_errno() if result == -1 else 0
        def listed(path):
            try:
                with open(path) as handle:
                    return bool(handle.read())
            except OSError:
                return False
        seen = {{"add_key": errno_of(libc.syscall(numbers["add_key"], b"user", b"note", b"x", 1, -4)),
                "keyctl": errno_of(libc.syscall(numbers["keyctl"], 0, -4, 0, 0, 0)),
                "ptrace": errno_of(libc.ptrace(16, 1, 0, 0)),
                "keys_listed": listed("/proc/keys")}}
        try:
            resource.prlimit(1, resource.RLIMIT_NOFILE, (12, 12))
            seen["prlimit_other"] = 0
        except OSError as error:
            seen["prlimit_other"] = error.errno
        import fcntl
        with open("/tmp/own-file", "w") as handle:  # its own file: a lease would be granted without the filter
            try:
                fcntl.fcntl(handle, 1024, fcntl.F_RDLCK)  # F_SETLEASE
                seen["lease"] = 0
            except OSError as error:
                seen["lease"] = error.errno
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))  # its own limits: allowed
        seen["own_limit"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        print(json.dumps(seen))
    """)
    assert seen == {"add_key": 1, "keyctl": 1, "ptrace": 1, "keys_listed": False, "prlimit_other": 1,
                    "lease": 1, "own_limit": 100}, seen


def test_what_the_sandbox_binds_inside_tmp_is_still_there_in_every_forked_kernel(tmp_path, monkeypatch):
    # A Python environment may lie under /tmp (a CI clone there, say); the warm parent mounts a new
    # /tmp for every kernel and must bind such paths again. Here: its own script, bound under /tmp.
    from nbformat.v4 import new_code_cell, new_notebook

    from grading.preprocessors.resilient_execute import ResilientExecute
    from grading.sandbox import warm

    warm.release_warm_parents()
    monkeypatch.setattr(warm, "INSIDE_ZYGOTE", "/tmp/dlcv-grader/zygote.py")
    look = ("import json, numpy.random, os\nprint(json.dumps([open('/tmp/dlcv-grader/zygote.py').read(3), "
            "os.access('/tmp/dlcv-grader/zygote.py', os.W_OK), sorted(os.listdir('/tmp'))]))")
    nb = new_notebook(cells=[new_code_cell(look), new_code_cell(look)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    try:
        for _ in range(2):  # two kernels: the second one's /tmp is a new tmpfs too
            nb, _ = ResilientExecute().preprocess(nb, {"metadata": {"path": str(tmp_path)}})
            expected_tmp = sorted([*tmp_entries_of_a_fresh_kernel(), "dlcv-grader"])
            assert json.loads(nb.cells[1].outputs[0]["text"]) == ['"""', False, expected_tmp]
    finally:
        warm.release_warm_parents()


# ---------------------------------------------------------------------- nothing of the host is writable

#: What a container runtime makes read-only or masks in /proc and /sys (runc's and Docker's lists),
#: and /sys as a whole if a sandbox ever shows it: every place there a process could write the host's
#: state on its uid alone (a sandbox of a root grader runs as the host's root).
HOST_PATHS = ("/proc/sys", "/proc/sysrq-trigger", "/proc/bus", "/proc/fs", "/proc/irq",
              "/proc/acpi", "/proc/asound", "/proc/scsi", "/proc/kcore", "/proc/keys", "/proc/key-users",
              "/proc/latency_stats", "/proc/sched_debug", "/proc/timer_list", "/proc/timer_stats", "/sys")

#: Student code, run where student code runs: opens every regular file under HOST_PATHS for
#: writing (an open writes nothing) and tries to create a file in every folder there.
WALK = f"""
import json, os, stat

def walk_for_writable_host_paths():
    checked, writable = [], []
    def try_file(path):
        checked.append(path)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY))
            writable.append(path)
        except OSError:
            pass
    def try_folder(folder):
        probe = os.path.join(folder, ".dlcv-writable-probe")
        checked.append(folder)
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except OSError:
            return
        writable.append(folder)
        os.unlink(probe)
    for top in {HOST_PATHS!r}:
        if os.path.isfile(top):
            try_file(top)
        for folder, dirnames, filenames in os.walk(top):
            try_folder(folder)
            for name in filenames:
                path = os.path.join(folder, name)
                try:
                    if stat.S_ISREG(os.lstat(path).st_mode):
                        try_file(path)
                except OSError:
                    pass
    return {{"checked": len(checked), "writable": len(writable), "first": writable[:4],
            "sentinels": [p for p in ("/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_memory")
                          if p in checked],
            "parent": open("/proc/1/cmdline").read().split(chr(0))[:2]}}
"""


def walk_in_a_kernel(tmp_path, warm_parent):
    from nbformat.v4 import new_code_cell, new_notebook
    from traitlets.config import Config

    from grading.preprocessors.resilient_execute import ResilientExecute

    nb = new_notebook(cells=[new_code_cell(WALK + "\nprint(json.dumps(walk_for_writable_host_paths()))")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = ResilientExecute(config=Config({"Sandbox": {"warm_parent": warm_parent}}))
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert text.strip(), nb.cells[0].outputs
    return json.loads(text.strip().splitlines()[-1])


def walk_in_a_regrade_child():
    import numpy as np

    from grading.sandbox.regrade import run_isolated

    # The child sends back only plain numbers and an error message: the walk travels as the message.
    module = WALK + "\ndef L1_reg(W, reg):\n    raise RuntimeError(json.dumps(walk_for_writable_host_paths()))\n"
    run = run_isolated(module.encode(), [("L1_reg", np.ones((2, 2)), 0.5)], sandbox=project_sandbox())
    [outcome] = run.outcomes
    assert outcome.status == "raised", (outcome, run.faults)
    return json.loads(outcome.message)


@pytest.mark.parametrize("where", ["forked kernel", "plain kernel", "re-grade child"])
def test_no_sysctl_or_other_host_state_in_proc_is_writable_from_student_code(where, tmp_path):
    # As root (the sandbox's uid 0 is the host's root) and, through test_unprivileged, as an
    # ordinary user: no file under /proc/sys and the other host paths opens for writing, no
    # folder there takes a new file. kernel.core_pattern would run a command as root on a crash.
    from grading.sandbox import warm

    if where == "re-grade child":
        seen = walk_in_a_regrade_child()
    else:
        seen = walk_in_a_kernel(tmp_path, warm_parent=where == "forked kernel")
        assert (seen["parent"] == [sys.executable, warm.INSIDE_ZYGOTE]) == (where == "forked kernel"), seen
    assert seen["sentinels"] == ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_memory"], seen
    assert seen["writable"] == 0, seen
