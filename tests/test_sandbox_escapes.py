"""The grading sandbox holds against a catalogue of escape attempts (``tests/escapes/``).

Each folder of ``tests/escapes/`` is one submission written as an attacker who
has read this repository would write it: ``regularization.py`` (its own
``L1_reg``/``L2_reg`` are wrong, so any point beyond ``EXPECTED_POINTS`` can
only come from the attack; the limit attacks have a correct ``L1_reg`` that
must keep its points), optionally ``notebook_cell*.py`` (cells added to the
notebook, in name order), optionally ``files/`` (more files of the submission,
placed beside the module) and a ``README.md`` saying what it tries. The
attacks print what they found or the error they got, and ``ESCAPE-SUCCESS:``
only when something went through.

One scratch course holds every escape and two honest students, and goes
through ``nbgrader autograde`` (with short time limits, so the endless loop is
quick) and ``generate_feedback`` with the project's configuration. The tests
then compare the machine before and after: course folder, the repository's
masters and grading code, site-packages, the home folder, the gradebook, two
listeners on the loopback and one on a host Unix socket, processes left behind, files carrying the run's
token anywhere the sandbox could have reached.

Every attack is bounded (at most 200 processes; at most 1 GiB of disk, or
256/512 MiB per kernel for the attacks on the machine's own disk and memory;
16 MiB of output per path; the 3 s cell limit) so that even a sandbox that
fails cannot hurt the machine much. Files an escape manages to plant carry the
run's token in their name (and harmless content) and are removed, and
processes left behind killed by PID, right after grading, before anything
else runs.
"""

import ast
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import sysconfig
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from grading.sandbox.bubblewrap import python_installation
from grading.tools.scratch_course import REPO, NbgraderFailed, ScratchCourse
from support.helpers import student_module_source
from support.hermetic import real_home
from support.integrity import project_sandbox, report

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

HERE = Path(__file__).resolve().parent
ESCAPES = sorted(p for p in (HERE / "escapes").iterdir() if p.is_dir())
NAMES = [p.name for p in ESCAPES]
HONEST = {"honest-reference": student_module_source(),
          "honest-masks": (HERE / "catalogue" / "correct" / "masks.py").read_text()}

MARK = "ESCAPE" + "-SUCCESS"
MiB = 1024**2

# Escapes whose success is measured by what they print, and what may get through.
FORK_BOMBS = {"starts_200_processes": 200}
DISK_FILLS = {"fills_the_disk", "fills_the_host_disk_through_the_kernel_folder", "mounts_a_tmpfs_without_a_size_cap"}
DISK_ALLOWANCE_MIB = 130  # the sandbox's two private 64 MiB folders, and a little
OUTPUT_FLOODS = {"floods_the_output", "floods_the_output_where_the_cap_does_not_count"}
NOTEBOOK_ALLOWANCE = 4 * MiB
ENDLESS = "ignores_sigint_and_loops"
LEFTOVER = "leaves_a_process_running"
LISTENER = "phones_home_over_tcp_and_udp"
KERNEL_LIAR = "hides_errors_from_the_graded_cells"
TIME_LIMITS = ("--Execute.timeout=3", "--IsolatedRegrade.wall_seconds=3")

# Text that only the grader's secrets hold (split so this file does not hold them either).
SECRETS = [
    "BEGIN" + " SOLUTION",                          # the master module and notebook
    "R = reg * np.sum(np.abs(" + "weights))",     # a line of the master's solution
    "def run" + "_check",                           # grading/checks.py
    "SQLite" + " format 3",                         # the gradebook's header
]

# Grading outputs nbgrader writes into the course folder.
GRADING_OUTPUTS = ("autograded", "feedback", "backups")


def expected_points(folder):
    tree = ast.parse((folder / "regularization.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXPECTED_POINTS":
            return ast.literal_eval(node.value)
    raise ValueError(f"{folder.name}/regularization.py sets no EXPECTED_POINTS")


def canary(student, token):
    return f"dlcv-canary-{student}-{token}"


def points(scores, exercise):
    """Autograded points of ``exercise``; a cell left ungraded (None) fails the test that asks."""
    cells = {g: v for g, v in scores.items() if g.startswith(exercise) and not g.endswith("explanation")}
    ungraded = sorted(g for g, v in cells.items() if v is None)
    assert not ungraded, f"not autograded: {ungraded}"
    return sum(cells.values())


# ---------------------------------------------------------------------- the machine's state


def course_files(root):
    """``{relative path: (size, mtime)}`` of the course folder, without the grading outputs."""
    state = {}
    for folder, dirnames, filenames in os.walk(root):
        relative_folder = Path(folder).relative_to(root)
        if relative_folder == Path("."):
            dirnames[:] = [d for d in dirnames if d not in GRADING_OUTPUTS]
            filenames = [f for f in filenames if not f.startswith("gradebook.db")]
        for name in dirnames + filenames:
            path = Path(folder) / name
            info = path.lstat()
            state[str(relative_folder / name)] = (info.st_size, info.st_mtime_ns) if not path.is_dir() else "dir"
    return state


def repository_secrets():
    """SHA-256 of what an attack on the repository would go for.

    The masters, the release, nbgrader's configuration, the checks with their
    reference answers and the re-grade's child script (which the sandbox binds
    read-only into every child).
    """
    paths = [REPO / "regularization.py", REPO / "assignment2.ipynb", REPO / "nbgrader_config.py",
             REPO / "grading" / "checks.py", REPO / "grading" / "sandbox" / "child.py"]
    for folder in ("source", "release"):
        paths += sorted(p for p in (REPO / folder).rglob("*") if p.is_file())
    return {str(p.relative_to(REPO)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def site_packages():
    """``{path: mtime}`` of every file in this interpreter's site-packages (bytecode caches aside)."""
    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    state = {}
    for top in folders:
        for folder, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                path = os.path.join(folder, name)
                state[path] = os.lstat(path).st_mtime_ns
    return state


def home_listing():
    """The run's own home folder (tests/support/hermetic.py): only student code could write there."""
    return sorted(os.listdir(Path.home()))


def token_files(token, course_root):
    """Every file or folder whose name holds ``token`` wherever the sandbox could have written.

    The course, the repository, the Python installation(s), the home folder's
    top level and the machine's temporary folder's top level.
    """
    found = set()
    deep = [Path(p) for p in python_installation()] + [REPO, course_root]
    for top in deep:
        for folder, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            found.update(os.path.join(folder, n) for n in dirnames + filenames if token in n)
    for top in (Path.home(), real_home(), Path(tempfile.gettempdir())):
        found.update(str(p) for p in top.iterdir() if token in p.name)
    return sorted(found)


def remove(paths):
    """Remove the planted files and folders (each named with the run's token)."""
    for path in paths:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            pass


def processes_with(marker):
    """PIDs of the processes whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


def keys_with(token):
    """Serial numbers of the keys this machine's /proc/keys lists whose description holds ``token``.

    Keys are kernel state outside any sandbox: one a sandboxed process links into
    a keyring of the grader's (its user keyring, say) is a write on the host.
    """
    try:
        with open("/proc/keys") as handle:
            return [int(line.split()[0], 16) for line in handle if token in line]
    except OSError:  # no keys support
        return []


def invalidate_keys(serials):
    import ctypes

    number = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
    if number is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for serial in serials:
        libc.syscall(number, 21, serial)  # KEYCTL_INVALIDATE


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def grade_rows(db_path):
    """``{(student, grade name): (auto, manual, extra credit, needs manual grade)}`` straight from the gradebook."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT submitted_assignment.student_id, base_cell.name, grade.auto_score, grade.manual_score, "
            "grade.extra_credit, grade.needs_manual_grade FROM grade "
            "JOIN base_cell ON grade.cell_id = base_cell.id "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id"
        ).fetchall()
    return {(student, name): tuple(values) for student, name, *values in rows}


# ---------------------------------------------------------------------- listeners


class Listeners:
    """A TCP and a UDP listener on the machine's loopback, same port, and a Unix socket; they record what arrives."""

    def __init__(self):
        self._folder = tempfile.mkdtemp(prefix="escape-listener-")
        os.chmod(self._folder, 0o755)
        self.unix_path = os.path.join(self._folder, "host.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.unix.listen(16)
        self.unix.settimeout(0.2)
        for _ in range(20):
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.bind(("127.0.0.1", 0))
            self.port = self.tcp.getsockname()[1]
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                self.udp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.tcp.close()
                self.udp.close()
        else:
            raise RuntimeError("no free port for both listeners")
        self.tcp.listen(16)
        for sock in (self.tcp, self.udp):
            sock.settimeout(0.2)
        self.received = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True),
                         threading.Thread(target=self._accept, args=(self.unix, "unix"), daemon=True),
                         threading.Thread(target=self._datagrams, daemon=True)]

    def _accept(self, listener=None, kind="tcp"):
        listener = listener or self.tcp
        while not self._stop.is_set():
            try:
                connection, address = listener.accept()
            except (TimeoutError, OSError):
                continue
            with connection:
                connection.settimeout(1)
                try:
                    data = connection.recv(4096)
                except OSError:
                    data = b""
            self.received.append((kind, address, data))

    def _datagrams(self):
        while not self._stop.is_set():
            try:
                data, address = self.udp.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.received.append(("udp", address, data))

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.tcp.close()
        self.udp.close()
        self.unix.close()
        shutil.rmtree(self._folder, ignore_errors=True)


# ---------------------------------------------------------------------- the graded course


@dataclass
class Graded:
    course: ScratchCourse
    token: str
    scores: dict
    log: str
    baseline_rows: dict
    rows: dict
    before: dict
    after: dict
    received: list
    leftovers: list
    planted: list
    planted_keys: list
    autograde_failed: bool
    feedback_log: str = ""


def prepare(folder, token, port, unix_path):
    def fill(text):
        return text.replace("{{TOKEN}}", token).replace("{{PORT}}", str(port)).replace("{{SOCKET}}", unix_path)

    module = fill((folder / "regularization.py").read_text())
    module += f"\n# {canary(folder.name, token)}\n"
    cells = [fill(p.read_text()) for p in sorted(folder.glob("notebook_cell*.py"))]
    # files/: more files of the submission, beside the module (e.g. a numpy.py of its own)
    files = {str(p.relative_to(folder / "files")): fill(p.read_text())
             for p in sorted((folder / "files").rglob("*")) if p.is_file()}
    return module, cells, files


def machine_state(course):
    return {"course": course_files(course.root), "repository": repository_secrets(),
            "site_packages": site_packages(), "home": home_listing()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    sandbox = project_sandbox()
    assert sandbox.enabled, "refusing to run escape attempts without the grading sandbox"
    sandbox.check()
    token = secrets.token_hex(8)
    course = ScratchCourse.create(tmp_path_factory.mktemp("escapes"))

    # The honest students first, alone: their rows are the gradebook's before-state.
    for student, source in HONEST.items():
        course.submit(student, source + f"\n# {canary(student, token)}\n")
    course.autograde(*TIME_LIMITS)
    baseline_rows = grade_rows(course.db_path)

    with Listeners() as listeners:
        for folder in ESCAPES:
            module, cells, files = prepare(folder, token, listeners.port, listeners.unix_path)
            course.submit(folder.name, module, added_cells=cells, extra_files=files)
        before = machine_state(course)
        autograde_failed = False
        try:
            log = course.autograde(*TIME_LIMITS)
        except NbgraderFailed as failure:  # nbgrader grades the others and exits with an error
            log, autograde_failed = str(failure), True
        finally:
            # Before anything else runs: end what was left behind, remove what was planted.
            leftovers = processes_with(f"dlcv-escape-leftover-{token}")
            kill(leftovers)
            planted = token_files(token, course.root)
            remove(planted)
            planted_keys = keys_with(token)
            invalidate_keys(planted_keys)
    received = list(listeners.received)
    feedback_log = course.nbgrader("generate_feedback", "assignment2")
    return Graded(course=course, token=token, scores=course.scores(), log=log, baseline_rows=baseline_rows,
                  rows=grade_rows(course.db_path), before=before, after=machine_state(course),
                  received=received, leftovers=leftovers, planted=planted, planted_keys=planted_keys,
                  autograde_failed=autograde_failed,
                  feedback_log=feedback_log)


# ---------------------------------------------------------------------- reading the results


def autograded_notebook(graded, student):
    return graded.course.root / "autograded" / student / "assignment2" / "assignment2.ipynb"


def output_text(graded, student):
    """All output text of the autograded notebook: streams, errors, plain-text displays."""
    notebook = json.loads(autograded_notebook(graded, student).read_text(encoding="utf-8"))
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else text)
            parts.append(output.get("evalue", ""))
            plain = output.get("data", {}).get("text/plain", "")
            parts.append("".join(plain) if isinstance(plain, list) else plain)
    return "\n".join(parts)


def files_students_see_or_graders_read(graded, student):
    """The autograded notebook, integrity.json and every feedback file of ``student``."""
    root = graded.course.root
    paths = [autograded_notebook(graded, student), root / "autograded" / student / "assignment2" / "integrity.json"]
    paths += sorted(p for p in (root / "feedback" / student).rglob("*") if p.is_file())
    return [p for p in paths if p.is_file()]  # what is missing is test_grading_completed's business


def others_secrets(graded, student):
    everyone = list(HONEST) + NAMES
    return SECRETS + [canary(other, graded.token) for other in everyone if other != student]


def graded_cells(graded, student, exercise):
    notebook = json.loads(autograded_notebook(graded, student).read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"]
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            and cell["metadata"]["nbgrader"]["grade_id"].startswith(exercise)
            and cell["cell_type"] == "code"]


def mib_written(text):
    """The most each target got, by the escape's own ``wrote N MiB to TARGET`` lines.

    Pipes (``pipe:...``, the kernel's stdout, drained and discarded by the
    grader) store nothing and do not count.
    """
    most = {}
    for amount, target in re.findall(r"wrote (\d+) MiB to (\S+)", text):
        target = target.rstrip(";")
        if target.startswith("pipe:"):
            continue
        most[target] = max(most.get(target, 0), int(amount))
    return most


# ---------------------------------------------------------------------- tests


def test_escape_catalogue_is_big_enough():
    assert len(ESCAPES) >= 12
    for folder in ESCAPES:
        assert (folder / "regularization.py").is_file() and (folder / "README.md").is_file(), folder.name
    assert set(FORK_BOMBS) | DISK_FILLS | OUTPUT_FLOODS | {ENDLESS, LEFTOVER, LISTENER, KERNEL_LIAR} <= set(NAMES)


def test_every_escape_declares_what_its_own_code_earns():
    # Without the attack: 0 for the wrong stubs, L1's 3 for the limit attacks; L2 is always wrong.
    for folder in ESCAPES:
        assert expected_points(folder) in ({"l1": 0, "l2": 0}, {"l1": 3, "l2": 0}), folder.name


def test_autograde_of_the_whole_class_ends_without_error(graded):
    errors = [line for line in graded.log.splitlines() if "ERROR" in line]
    assert not graded.autograde_failed, "\n".join(errors[:20])


@pytest.mark.parametrize("student", sorted(HONEST) + NAMES)
def test_grading_completed_for_every_submission(graded, student):
    assert autograded_notebook(graded, student).is_file()
    assert (autograded_notebook(graded, student).parent / "integrity.json").is_file()
    assert list((graded.course.root / "feedback" / student).rglob("*.html"))


@pytest.mark.parametrize("student", NAMES)
def test_no_escape_marker_or_secret_in_what_an_escape_leaves(graded, student):
    needles = [MARK] + others_secrets(graded, student)
    for path in files_students_see_or_graders_read(graded, student):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = [needle for needle in needles if needle in text]
        if found:
            index = text.index(found[0])
            pytest.fail(f"{path.relative_to(graded.course.root)} holds {found}: "
                        f"...{text[max(0, index - 300):index + 300]}...")


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_students_beside_escapes_get_all_six_points_unflagged(graded, student):
    scores = graded.scores[student]
    assert points(scores, "l1") + points(scores, "l2") == 6
    assert not report(graded.course, student)["flagged"]


@pytest.mark.parametrize("folder", ESCAPES, ids=lambda p: p.name)
def test_escape_gets_exactly_the_points_of_its_own_code(graded, folder):
    scores = graded.scores[folder.name]
    got = {exercise: points(scores, exercise) for exercise in ("l1", "l2")}
    assert got == expected_points(folder), report(graded.course, folder.name)["cells"]


def test_gradebook_rows_are_only_what_grading_wrote(graded):
    honest = {key: value for key, value in graded.rows.items() if key[0] in HONEST}
    assert honest == graded.baseline_rows
    for (student, name), (_, manual, extra, _) in graded.rows.items():
        assert manual is None and extra is None, (student, name, manual, extra)


def test_the_listeners_on_the_loopback_and_the_host_socket_received_nothing(graded):
    assert graded.received == []


def test_the_course_folder_changes_only_in_the_grading_outputs(graded):
    before, after = graded.before["course"], graded.after["course"]
    assert sorted(set(after) - set(before)) == []
    assert sorted(k for k in before if after.get(k) != before[k]) == []


def test_the_masters_checks_and_child_script_are_unchanged(graded):
    assert graded.after["repository"] == graded.before["repository"]


def test_site_packages_gains_and_changes_no_file(graded):
    before, after = graded.before["site_packages"], graded.after["site_packages"]
    assert sorted(set(after) - set(before)) == []
    assert sorted(k for k in before if after.get(k) != before[k]) == []


def test_the_home_folder_gains_no_file(graded):
    assert graded.after["home"] == graded.before["home"]


def test_the_home_checks_see_a_file_that_student_code_would_write(tmp_path):
    # The two checks above and below, without a sandbox: a file written into the run's home
    # changes its listing, and a file named with the token is found in the user's real home.
    token = secrets.token_hex(8)
    before = home_listing()
    planted = [Path.home() / f"dlcv-escape-{token}-home.txt", real_home() / f"dlcv-escape-{token}-home.txt"]
    try:
        for path in planted:
            path.write_text("written by a submission\n")
        assert home_listing() != before
        assert sorted(token_files(token, tmp_path)) == sorted(str(p) for p in planted)
    finally:
        remove([str(p) for p in planted])
    assert home_listing() == before


def test_no_file_named_with_the_runs_token_was_planted_anywhere(graded):
    assert graded.planted == []


def test_no_key_named_with_the_runs_token_is_in_any_keyring_of_the_machine(graded):
    assert graded.planted_keys == []


def test_no_process_is_left_running_after_grading(graded):
    assert graded.leftovers == []
    assert processes_with(f"dlcv-escape-leftover-{graded.token}") == []
    assert "started" in output_text(graded, LEFTOVER)  # the attempt did run


@pytest.mark.parametrize("student", sorted(FORK_BOMBS))
def test_fork_bomb_is_stopped_below_its_goal(graded, student):
    text = output_text(graded, student)
    counts = [int(n) for n in re.findall(r"started (\d+) of \d+ processes", text)]
    assert counts, text[-2000:]
    assert max(counts) < FORK_BOMBS[student], text[-2000:]


@pytest.mark.parametrize("student", sorted(DISK_FILLS))
def test_disk_fill_is_bounded_by_the_sandbox(graded, student):
    written = mib_written(output_text(graded, student))
    assert sum(written.values()) <= DISK_ALLOWANCE_MIB, written


@pytest.mark.parametrize("student", sorted(OUTPUT_FLOODS))
def test_output_flood_leaves_a_small_notebook(graded, student):
    size = autograded_notebook(graded, student).stat().st_size
    assert size < NOTEBOOK_ALLOWANCE, f"{size / MiB:.1f} MiB"


def test_endless_loop_that_ignores_interrupts_costs_only_its_own_cells(graded):
    scores = graded.scores[ENDLESS]
    assert points(scores, "l1") == 3 and points(scores, "l2") == 0
    for cell in graded_cells(graded, ENDLESS, "l2_"):
        errors = " ".join(o.get("evalue", "") for o in cell["outputs"] if o["output_type"] == "error")
        assert "did not finish within" in errors, (cell["metadata"]["nbgrader"]["grade_id"], errors)


def test_graded_cells_that_pass_only_in_the_kernel_score_nothing(graded):
    cells = report(graded.course, KERNEL_LIAR)["cells"]
    assert any(cell["notebook"] == cell["max"] > 0 for cell in cells.values()), cells  # the lie worked there
    assert all(cell["score"] == 0 for cell in cells.values()), cells
    assert all(v in (0, None) for v in graded.scores[KERNEL_LIAR].values())


@pytest.mark.parametrize("student", NAMES)
def test_every_escape_is_flagged_or_shows_what_was_contained(graded, student):
    assert (autograded_notebook(graded, student).parent / "integrity.json").is_file(), "no integrity report at all"
    result = report(graded.course, student)
    assert result["flagged"] or result["contained"], result


def test_integrity_report_is_in_no_feedback_folder(graded):
    assert list((graded.course.root / "feedback").rglob("integrity.json")) == []
