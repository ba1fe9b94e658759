"""What a student wrote, turned into HTML that shows it and never runs it.

Formgrader's grading page and ``nbgrader generate_feedback`` render the
autograded notebook with nbconvert's ``HTMLExporter``. Formgrader's page is
served by the instructor's own Jupyter server, on the origin of its
``/api/contents``, ``/api/kernels`` and ``/api/terminals``: a script in it acts
with the grader's session. ``sanitize`` holds the allow-list every piece of
student HTML goes through (``nh3``); ``filters`` are the nbconvert Jinja
filters that apply it, named in ``nbgrader_config.py``
(``c.HTMLExporter.filters``). ``grading.preprocessors.safe_to_render`` cleans
the notebook itself at autograde, so what is stored is safe for any renderer.
"""

from pathlib import Path

#: The course's own nbconvert templates (``c.HTMLExporter.extra_template_basedirs``): ``formgrade/``
#: holds what formgrader's grading page takes from here instead of nbgrader or nbconvert
#: (``mathjax.html.j2``: MathJax from the grader's Jupyter server, not a CDN).
TEMPLATES = Path(__file__).parent / "templates"
