"""The JupyterHub round trip through nbgrader's exchange, on one machine, with docs/semester.md's commands.

nbgrader's exchange is a folder (``Exchange.root``), so no JupyterHub is
needed: as in nbgrader's own exchange tests, several people are played on one
machine. The instructor and three students each have a home folder of their
own; all read one shared configuration (``JUPYTER_CONFIG_PATH``, standing in
for JupyterHub's ``/etc/jupyter``) that names the exchange. On a hub a
student's id is their login; here each student's own
``~/.jupyter/nbgrader_config.py`` sets ``CourseDirectory.student_id``.

ada hands in correct code, ben code with a wrong L2, and cem correct code
after the due date has passed. Every command is a block of docs/semester.md marked
``<!-- step: NAME -->``, run verbatim (only the due date is set in between,
to a time between ben's and cem's submission).
"""

import datetime
import subprocess

import nbformat
import pytest
from nbgrader.api import Gradebook

from grading.tools.scratch_course import REPO, nbgrader_env
from support import hermetic
from support.helpers import student_module_source
from support.readme import readme_steps

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels, a server or a browser


def answers(student):
    """A student's written answers, in their own words (so no two notebooks are alike)."""
    return {
        "l1_explanation": f"L1 drives many weights to exactly zero. ({student})",
        "l2_explanation": f"L2 shrinks large weights most. ({student})",
    }


WORK = {  # student: their regularization.py
    "ada": student_module_source(),
    "ben": (REPO / "examples" / "class" / "ben" / "regularization.py").read_text(encoding="utf-8"),
    "cem": student_module_source(),
}
ON_TIME, LATE = ["ada", "ben"], ["cem"]


def person_env(home):
    """nbgrader's environment for someone whose home folder is ``home``.

    Homes are ``<base>/home/<person>``; the shared configuration is in ``<base>/etc-jupyter``.
    """
    env = nbgrader_env()
    # Everything a home decides (tests/support/hermetic.py sets these for the test process).
    for name in (*hermetic.FOLDERS, "JUPYTER_PATH", "JUPYTERHUB_USER"):
        env.pop(name, None)
    env["HOME"] = str(home)
    env["JUPYTER_CONFIG_PATH"] = str(home.parents[1] / "etc-jupyter")
    return env


def run_step(name, cwd, home):
    """Run the guide's block ``name`` verbatim in ``cwd`` as the person whose home is ``home``."""
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_steps()[name]], cwd=cwd,
                          env=person_env(home), capture_output=True, text=True)
    assert done.returncode == 0, f"step {name} failed in {cwd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def work_on(folder, student):
    """Do a student's work in the fetched ``folder``: their module and written answers."""
    (folder / "regularization.py").write_text(WORK[student], encoding="utf-8")
    notebook = nbformat.read(folder / "assignment2.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers(student):
            cell.source = answers(student)[grade_id]
    nbformat.write(notebook, folder / "assignment2.ipynb")


def student_round(student, homes):
    """A student fetches the assignment, does their work and submits it."""
    home = homes / student
    run_step("hub_fetch", home, home)
    work_on(home / "assignment2", student)
    run_step("hub_submit", home, home)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """The course folder and the people's home folders after the whole round trip."""
    base = tmp_path_factory.mktemp("hub")
    (base / "etc-jupyter").mkdir()
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # as the guide's set-up makes it
    (base / "etc-jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    homes = base / "home"
    for person in ["instructor", *WORK]:
        (homes / person / ".jupyter").mkdir(parents=True)
        if person != "instructor":
            (homes / person / ".jupyter" / "nbgrader_config.py").write_text(
                f"c = get_config()\nc.CourseDirectory.student_id = {person!r}\n", encoding="utf-8")
    course = homes / "instructor" / "course"
    course.mkdir()
    for name in ("source", "nbgrader_config.py", "examples"):
        (course / name).symlink_to(REPO / name)
    instructor = homes / "instructor"

    logs = {"setup": run_step("setup", course, instructor),
            "hub_release": run_step("hub_release", course, instructor)}
    for student in ON_TIME:
        student_round(student, homes)
    deadline = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    subprocess.run(["nbgrader", "db", "assignment", "add", "assignment2", f"--duedate={deadline}"],
                   cwd=course, env=person_env(instructor), check=True, capture_output=True)
    for student in LATE:
        student_round(student, homes)
    for step in ("hub_collect", "autograde", "feedback", "hub_release_feedback"):
        logs[step] = run_step(step, course, instructor)
    for student in WORK:
        logs[f"fetch_feedback {student}"] = run_step("hub_fetch_feedback", homes / student, homes / student)
    return course, homes, exchange, logs


def fetched_feedback(home):
    """Every file a student's ``fetch_feedback`` placed in their home folder."""
    return sorted(p for p in (home / "assignment2" / "feedback").rglob("*") if p.is_file())


def test_collect_files_each_students_own_submission(hub):
    course, _, _, _ = hub
    for student, module in WORK.items():
        submitted = course / "submitted" / student / "assignment2"
        assert (submitted / "regularization.py").read_text(encoding="utf-8") == module
        notebook = nbformat.read(submitted / "assignment2.ipynb", as_version=4)
        written = {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells
                   if c.metadata.get("nbgrader", {}).get("grade_id") in answers(student)}
        assert written == answers(student)


def test_autograde_scores_the_work_each_student_handed_in(hub):
    course, _, _, _ = hub
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        auto = {s.student_id: sum(g.score for nb in s.notebooks for g in nb.grades if g.cell_type == "code")
                for s in gradebook.assignment_submissions("assignment2")}
    assert auto["ada"] == 6 and auto["cem"] == 6
    assert auto["ben"] < 6


def test_only_the_submission_after_the_due_date_is_late(hub):
    course, _, _, _ = hub
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        late = {s.student_id: s.total_seconds_late for s in gradebook.assignment_submissions("assignment2")}
    assert {s for s, seconds in late.items() if seconds > 0} == set(LATE)


def test_each_student_fetches_their_own_feedback_and_nobody_elses(hub):
    course, homes, _, _ = hub
    generated = {s: (course / "feedback" / s / "assignment2" / "assignment2.html").read_bytes() for s in WORK}
    assert len(set(generated.values())) == len(WORK), "the students' feedback files should differ"
    for student in WORK:
        files = fetched_feedback(homes / student)
        assert [p.name for p in files] == ["assignment2.html"], f"{student} fetched {files}"
        assert files[0].read_bytes() == generated[student]


def test_released_feedback_hides_hidden_tests_and_model_answers(hub):
    _, homes, exchange, _ = hub
    released = sorted((exchange / "dlcv" / "feedback").glob("*.html"))
    assert len(released) == len(WORK)
    for path in released + [p for s in WORK for p in fetched_feedback(homes / s)]:
        html = path.read_text(encoding="utf-8")
        for text in ("BEGIN HIDDEN TESTS", "run_check", "checks.py", "For graders only"):
            assert text not in html, f"{path} shows {text!r}"


def test_the_exchange_hands_out_exactly_the_committed_release(hub):
    _, homes, exchange, _ = hub
    outbound = exchange / "dlcv" / "outbound" / "assignment2"
    release = REPO / "release" / "assignment2"
    def files(folder):
        return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert files(outbound) == files(release)
    for relpath in files(outbound):
        assert (outbound / relpath).read_bytes() == (release / relpath).read_bytes()
