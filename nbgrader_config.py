"""nbgrader configuration of the course "Deep Learning for Computer Vision".

The course directory is this repository's top level: masters in ``source/``,
the student version in ``release/``. The course's own extensions live in the
``grading`` package and are wired in here through nbgrader's configuration.
"""

from nbgrader.converters import GenerateAssignment, GenerateFeedback

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
c.GenerateFeedback.preprocessors = list(
    GenerateFeedback.class_traits()["preprocessors"].default()
)
c.GenerateFeedback.preprocessors.insert(1, "grading.hide_hidden_tests.HideHiddenTests")
