"""nbgrader configuration of the course "Deep Learning for Computer Vision".

The course directory is this repository's top level: masters in ``source/``,
the student version in ``release/``. The course's own extensions live in the
``grading`` package and are wired in here through nbgrader's configuration.
"""

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import Execute

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dlcv"

# nbgrader copies modules into release/ verbatim, solutions included: strip them
# with the notebooks' delimiters and stub. Named by string so that a missing
# ``grading`` package stops the release with an error instead of skipping it.
c.GenerateAssignment.preprocessors = list(
    GenerateAssignment.class_traits()["preprocessors"].default()
) + ["grading.strip_module_solutions.StripModuleSolutions"]

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
# autograded notebook, see grading.model_answers) but not students.
c.GenerateFeedback.preprocessors = list(
    GenerateFeedback.class_traits()["preprocessors"].default()
)
c.GenerateFeedback.preprocessors[1:1] = [
    "grading.hide_hidden_tests.HideHiddenTests",
    "grading.model_answers.DropModelAnswers",
]

# Faults never stall a class. The grading kernel runs under a memory cap and an
# output cap (grading.kernel_limits, applied before any cell runs) and a
# wall-time limit per cell (the cell is interrupted and fails, grading goes on).
# ResilientExecute replaces Execute so that a kernel that dies costs only the
# cell it died in. The isolated re-grade's sandbox gets the same memory cap.
MEMORY_LIMIT_BYTES = 2 * 1024**3
OUTPUT_LIMIT_CHARS = 1_000_000
c.Execute.timeout = 10
# No execution timestamps in autograded notebooks: grading the same submission
# twice (or serially and in parallel) gives the same files.
c.Execute.record_timing = False
c.Execute.extra_arguments = [
    "--IPKernelApp.exec_lines=__import__('grading.kernel_limits').kernel_limits.apply("
    f"{MEMORY_LIMIT_BYTES}, {OUTPUT_LIMIT_CHARS})"
]

# Integrity: after nbgrader's own grading, re-grade every submission with the
# student's module in a sandbox, audit the code, and write integrity.json
# beside each autograded notebook (grading.isolated_regrade).
c.IsolatedRegrade.memory_limit = MEMORY_LIMIT_BYTES
c.Autograde.autograde_preprocessors = [
    "grading.resilient_execute.ResilientExecute" if preprocessor is Execute else preprocessor
    for preprocessor in Autograde.class_traits()["autograde_preprocessors"].default()
] + ["grading.model_answers.AddModelAnswers", "grading.isolated_regrade.IsolatedRegrade"]

# Nothing lost: the SQLite gradebook is backed up (timestamped, in backups/)
# before each autograde run.
c.Autograde.pre_convert_hook = "grading.backup.before_autograde"

# Late work: nbgrader records how late each submission is (from its timestamp
# and the due date set with `nbgrader db assignment add --duedate`). This
# course applies no automatic penalty ("none"); the instructor decides per
# case. Set "zero" to give late submissions 0 points.
c.LateSubmissionPlugin.penalty_method = "none"

# Submissions downloaded from Moodle ("Download all submissions" archive and
# the grading worksheet CSV in downloaded/assignment2/): see grading.moodle.
c.ZipCollectApp.collector_plugin = "grading.moodle.MoodleCollector"
