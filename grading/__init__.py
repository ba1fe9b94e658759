"""The course's own grading code for Assignment 2, used through nbgrader's config.

- ``checks``: the graded checks that the notebook's hidden tests call.
- ``loops``: the static check that the regularizers use no Python loops.
- ``strip_module_solutions``: an nbgrader preprocessor that strips solution
  regions from the released Python modules.
"""
