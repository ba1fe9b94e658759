"""The tested command blocks of the documentation.

A block marked ``<!-- step: NAME -->`` right before a ```` ```bash ```` fence is a
step that a test runs verbatim. Steps live beside their explanation, in
``README.md`` or a guide in ``docs/``; a step name is used once.
"""

import re

from grading.course import REPO

STEP = re.compile(r"<!-- step: (\w+) -->\n```bash\n(.*?)```", re.S)


def readme_steps():
    """``{step name: bash text}`` of every marked block in README.md and docs/*.md."""
    steps = {}
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for name, text in STEP.findall(path.read_text(encoding="utf-8")):
            if name in steps:
                raise ValueError(f"step {name} is defined twice (again in {path.name})")
            steps[name] = text
    return steps
