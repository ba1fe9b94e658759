"""The course's own grading code for Assignment 2, plugged into nbgrader through its configuration.

The folders follow the pipeline:

- ``grading`` itself (``checks``, ``loops``, ``names``): what the graded checks
  are. The notebook's hidden tests import ``grading.checks`` (the gradebook
  stores them), so these paths stay stable.
- ``grading.preprocessors``: nbgrader preprocessors, for generate_assignment,
  autograde and generate_feedback.
- ``grading.plugins``: nbgrader plug-ins and hooks (Moodle collector,
  pre-autograde hook, gradebook backup).
- ``grading.sandbox``: the OS sandbox every piece of student code runs in.
- ``grading.integrity``: the static audit of submissions.
- ``grading.tools``: instructor command lines (parallel autograde, class
  report, demo) and scratch courses.
"""
