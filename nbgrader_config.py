"""nbgrader configuration of the course "Deep Learning for Computer Vision".

The course directory is this repository's top level: masters in ``source/``,
the student version in ``release/``. The course's own extensions live in the
``grading`` package and are wired in here through nbgrader's configuration.
"""

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback, GenerateSolution
from nbgrader.preprocessors import Execute, GetGrades, OverwriteCells

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dlcv"

# nbgrader copies modules into release/ verbatim, solutions included: strip them
# with the notebooks' delimiters and stub. Named by string so that a missing
# ``grading`` package stops the release with an error instead of skipping it.
c.GenerateAssignment.preprocessors = list(
    GenerateAssignment.class_traits()["preprocessors"].default()
) + ["grading.preprocessors.strip_module_solutions.StripModuleSolutions"]

# The semester and the due date that students read in the notebook's header: set them
# here, once (grading.preprocessors.course_info fills the master's {{ semester }} and
# {{ due }}; an unset one stops the release). The gradebook's due date is read from here too
# (docs/semester.md: --duedate="$(python -m grading.preprocessors.course_info due)").
c.CourseInfo.semester = "Winter Semester 2022/23"
c.CourseInfo.due = "2022-11-10 10:00:00+01:00"
c.GenerateAssignment.preprocessors.insert(0, "grading.preprocessors.course_info.CourseInfo")
c.GenerateSolution.preprocessors = ["grading.preprocessors.course_info.CourseInfo"] + list(
    GenerateSolution.class_traits()["preprocessors"].default())

# Without this, autograde replaces each student's module with the master
# (solution included): every student would be graded on the reference
# solution, and generate_feedback would copy it into the feedback folder.
c.Autograde.exclude_overwriting = {"assignment2": ["regularization.py"]}

# The graded cells signal failure by raising, with a message for the student.
# nbgrader also scores any stderr output as a failure, which would zero correct
# code that merely emits a warning: ignore stderr when scoring.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"

# generate_feedback would show hidden test source and tracebacks into the
# checks (nbgrader issue #1363): strip both, keep the messages and scores.
# Model answers reach graders (a read-only cell after each written answer in the
# autograded notebook, see grading.preprocessors.model_answers) but not students.
c.GenerateFeedback.preprocessors = list(
    GenerateFeedback.class_traits()["preprocessors"].default()
)
c.GenerateFeedback.preprocessors[1:1] = [
    "grading.preprocessors.hide_hidden_tests.HideHiddenTests",
    "grading.preprocessors.model_answers.DropModelAnswers",
]
# Feedback generated before the written answers are graded by hand shows them as "not
# graded yet" (not "Score: 0.0 / 2.0") and warns, naming the students
# (grading.preprocessors.pending_grades).
c.GenerateFeedback.preprocessors.insert(c.GenerateFeedback.preprocessors.index(GetGrades) + 1,
                                        "grading.preprocessors.pending_grades.PendingManualGrades")

# Every piece of student code that grading runs is in an OS sandbox
# (grading.sandbox.bubblewrap: bubblewrap namespaces, no network, no course folder, no
# grading code, private size-capped /tmp and working folder, caps on memory,
# processes and file size). It covers the grading kernel (every kernel
# ResilientExecute starts, in nbgrader and in the parallel runner) and the
# isolated re-grade's child. If it cannot start, autograde stops and says why.
# c.Sandbox.enabled = False grades unsandboxed (student code then runs with
# your rights; every integrity.json says so).
c.Sandbox.memory_bytes = 2 * 1024**3
c.Sandbox.max_processes = 64
c.Sandbox.max_file_bytes = 64 * 1024**2

# Faults never stall a class. ResilientExecute replaces Execute: a kernel that
# dies costs only the cell it died in; a cell past the time limit fails and its
# kernel is killed (an interrupt can be ignored); output beyond the cap is
# dropped on the grader's side, whatever path it took in the kernel.
c.Execute.timeout = 10
c.ResilientExecute.output_limit = 1_000_000
# And a limit on the whole notebook (kernel start-ups included): past 60 s, the
# cells the student wrote are not run and the submission is flagged; graded
# cells and the instructor's read-only cells still run, each within the 10 s
# (set-up cells re-run after a restart past the 60 s share one 10 s allowance).
# Honest notebooks take a few seconds.
c.ResilientExecute.notebook_timeout = 60
# No execution timestamps in autograded notebooks: grading the same submission
# twice (or serially and in parallel) gives the same files.
c.Execute.record_timing = False

# Scoring that student code cannot touch: the module is read and hashed before
# any kernel runs (SnapshotModule); the hidden tests are taken out of the cells
# the kernel runs (DeferHiddenTests) and run by IsolatedRegrade in nbgrader's
# own process, on the numbers the collected module gives in a sandboxed child.
# A graded cell scores only if the notebook run and that check both pass.
# IsolatedRegrade also audits the code and writes integrity.json beside each
# autograded notebook. StartIsolatedRegrade starts that re-grade (it needs only
# the collected module) while the kernel runs; IsolatedRegrade takes its result.
c.IsolatedRegrade.memory_limit = 2 * 1024**3
_autograde = [
    "grading.preprocessors.resilient_execute.ResilientExecute" if preprocessor is Execute else preprocessor
    for preprocessor in Autograde.class_traits()["autograde_preprocessors"].default()
]
_after_execute = _autograde.index("grading.preprocessors.resilient_execute.ResilientExecute") + 2  # after IgnorePattern
c.Autograde.autograde_preprocessors = (
    ["grading.preprocessors.snapshot.SnapshotModule",
     "grading.preprocessors.isolated_regrade.StartIsolatedRegrade",
     "grading.preprocessors.defer_hidden_tests.DeferHiddenTests",
     "grading.preprocessors.skip_experiments.SkipExperiments"]
    + _autograde[:_after_execute]
    + ["grading.preprocessors.isolated_regrade.IsolatedRegrade"]
    + _autograde[_after_execute:]
    + ["grading.preprocessors.model_answers.AddModelAnswers"]
)

# nbgrader's OverwriteCells warns "Attribute 'checksum' for cell ... has changed!" for every
# graded cell with hidden tests (the gradebook keeps them, the release does not): 8 per
# student, by design. RestoreHiddenTests, just before it, puts the hidden tests back into
# the cells a student left as released, so only real edits of locked cells are reported
# (grading.preprocessors.restore_hidden_tests; docs/grading.md).
_sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].default())
_sanitize.insert(_sanitize.index(OverwriteCells), "grading.preprocessors.restore_hidden_tests.RestoreHiddenTests")
c.Autograde.sanitize_preprocessors = _sanitize

# The notebook's ungraded experiment (training small models with the student's
# functions) earns no points: autograde leaves it out (grading.preprocessors.skip_experiments).
c.SkipExperiments.grade_ids = ["experiment_run", "experiment_plot"]

# integrity.json is for instructors: nbgrader copies every other file of an
# autograded submission into feedback/, so it is ignored like checkpoints are.
# (A student's own integrity.json is not collected either.) What the intake sets
# aside (below) is ignored too: *.link-not-collected, *.refused-not-collected.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "integrity.json",
                            "*.link-not-collected", "*.refused-not-collected"]

# The intake (grading.intake): before nbgrader reads any submission, in its own
# process, each one is made safe to read. Links, FIFOs, devices, sockets, unsafe
# file names and files over the caps are set aside (renamed, never opened); the
# notebook is checked under caps (bytes, cells, bytes per cell, outputs, JSON
# depth, nbformat 4, nbgrader schema 3): bad nbgrader metadata is repaired, any
# other failure is refused and the released notebook graded in its place; student
# ids not of a safe form are not graded. Each finding is flagged in integrity.json.
# Caps: c.Intake.max_notebook_bytes, max_cells, max_cell_source_bytes, max_outputs,
# max_json_depth, max_file_bytes, max_submission_bytes, max_entries,
# max_folder_depth, student_id_pattern (docs/operations.md).
c.Autograde.exporter_class = "grading.intake.exporter.IntakeExporter"

# Before grading anyone: check that the sandbox starts, and back up the SQLite
# gradebook (timestamped, in backups/). Either failure stops autograde with
# a message (grading.plugins.hooks).
c.Autograde.pre_convert_hook = "grading.plugins.hooks.before_autograde"

# Late work: nbgrader records how late each submission is (from its timestamp
# and the due date set with `nbgrader db assignment add --duedate`). This
# course applies no automatic penalty ("none"); the instructor decides per
# case. Set "zero" to give late submissions 0 points.
c.LateSubmissionPlugin.penalty_method = "none"

# Submissions downloaded from Moodle ("Download all submissions" archive and
# the grading worksheet CSV in downloaded/assignment2/): see grading.plugins.moodle.
c.ZipCollectApp.collector_plugin = "grading.plugins.moodle.MoodleCollector"
# Moodle's archive is unpacked within caps, and a student's own archive inside it is never
# unpacked (nbgrader's extractor unpacks nested archives, each member whole in memory).
c.ZipCollectApp.extractor_plugin = "grading.plugins.archive.BoundedExtractor"

# Formgrader and feedback show the student's text, never run it (docs/sandbox.md).
# Every HTMLExporter built from this configuration (formgrader's grading page,
# generate_feedback) renders Markdown through nbconvert and then an allow-list
# sanitizer (grading.render), sends HTML outputs and raw cells through the same
# allow-list, drops JavaScript and widget outputs, and writes an image's width
# and height only when they are positive numbers. SafeToRender keeps only inert
# outputs, attachments and metadata in the stored autograded notebook, and again
# before feedback (for notebooks autograded earlier).
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.exclude_anchor_links = True  # heading anchors would be links the sanitizer empties
c.HTMLExporter.filters = {
    "markdown2html": "grading.render.filters.SafeMarkdown2HTML",
    "clean_html": "grading.render.filters.clean_html",
    "get_metadata": "grading.render.filters.get_metadata",
}
c.Autograde.autograde_preprocessors.append("grading.preprocessors.safe_to_render.SafeToRender")
c.GenerateFeedback.preprocessors.insert(0, "grading.preprocessors.safe_to_render.SafeToRender")

# Formgrader's grading page typesets the model answers' and rubrics' formulas with the MathJax 2
# that the course's own Jupyter server serves (jupyter-server-mathjax, pinned in requirements.txt):
# no CDN, so it works on an offline course server. The course's templates come first, then nbgrader's
# (which formgrader and generate_feedback would otherwise set alone); grading/render/templates/formgrade/
# holds the one file that differs, for the grading page only (feedback files keep the CDN).
from nbgrader.server_extensions.formgrader.handlers import template_path as nbgrader_templates  # noqa: E402

from grading.render import TEMPLATES  # noqa: E402

c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), nbgrader_templates]
