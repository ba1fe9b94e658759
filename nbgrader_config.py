"""nbgrader configuration of the course "Deep Learning for Computer Vision".

The course directory is this repository's top level: masters in ``source/``,
the student version in ``release/``. The course's own extensions live in the
``grading`` package and are wired in here through nbgrader's configuration.
"""

from nbgrader.converters import GenerateAssignment

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
