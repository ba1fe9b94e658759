"""An nbgrader preprocessor that strips solutions from released Python modules.

nbgrader copies an assignment's non-notebook files into ``release/``
verbatim, so ``### BEGIN SOLUTION`` regions in ``regularization.py`` would
ship to students. Listed in ``GenerateAssignment.preprocessors``, this
preprocessor rewrites each released module with its solution regions replaced
by nbgrader's own code stub (``raise NotImplementedError()``), using
``ClearSolutions``' delimiters and stub so notebooks and modules follow one
configuration.

It then scans every released non-notebook file for solution, hidden-test and
mark-scheme delimiters. Any failure raises: nbgrader then deletes the release
it was writing and exits with an error, so a release holding solution text is
never left behind.
"""

from __future__ import annotations

import fnmatch
import os

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearSolutions,
    NbGraderPreprocessor,
)
from traitlets import List, Unicode


class StripModuleSolutions(NbGraderPreprocessor):
    """Replace solution regions in released modules with the code stub."""

    module_patterns = List(
        Unicode(),
        ["*.py"],
        help="Glob patterns (matched against paths relative to the assignment "
             "folder) of the files whose solution regions are stripped.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        assignment_id = resources["nbgrader"]["assignment"]
        source_dir = resources["metadata"]["path"]
        coursedir = CourseDirectory(config=self.config)
        release_dir = coursedir.format_path(coursedir.release_directory, ".", assignment_id)

        clear_solutions = ClearSolutions(parent=self)
        for relpath in self._modules(source_dir):
            with open(os.path.join(source_dir, relpath), encoding="utf-8") as handle:
                source = handle.read()
            stripped = self.strip(source, clear_solutions, relpath)
            target = os.path.join(release_dir, relpath)
            self.log.info("Stripping solutions from %s", target)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(stripped)

        self.assert_no_solution_text(release_dir)
        return nb, resources

    def _modules(self, folder):
        """Paths, relative to ``folder``, of the files matching ``module_patterns``."""
        found = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
            for filename in filenames:
                relpath = os.path.relpath(os.path.join(dirpath, filename), folder)
                if any(fnmatch.fnmatch(relpath, pattern) for pattern in self.module_patterns):
                    found.append(relpath)
        return sorted(found)

    @staticmethod
    def strip(source: str, clear_solutions: ClearSolutions, name: str = "module") -> str:
        """Return ``source`` with its solution regions replaced by the code stub.

        Uses nbgrader's own region replacement (indentation kept, nested or
        unclosed regions rejected) and checks that the result still compiles.
        """
        cell = new_code_cell(source)
        clear_solutions._replace_solution_region(cell, "python")
        stripped = cell.source
        compile(stripped, name, "exec")
        return stripped

    def assert_no_solution_text(self, release_dir: str) -> None:
        """Raise if any non-notebook file in ``release_dir`` holds a delimiter."""
        clear_solutions = ClearSolutions(parent=self)
        delimiters = [
            clear_solutions.begin_solution_delimeter,
            clear_solutions.end_solution_delimeter,
            ClearHiddenTests(parent=self).begin_test_delimeter,
            ClearHiddenTests(parent=self).end_test_delimeter,
            ClearMarkScheme(parent=self).begin_mark_scheme_delimeter,
            ClearMarkScheme(parent=self).end_mark_scheme_delimeter,
        ]
        leaks = []
        for dirpath, _, filenames in os.walk(release_dir):
            for filename in filenames:
                if filename.endswith(".ipynb"):
                    continue
                path = os.path.join(dirpath, filename)
                try:
                    with open(path, encoding="utf-8") as handle:
                        text = handle.read()
                except UnicodeDecodeError:
                    continue
                found = [d for d in delimiters if d in text]
                if found:
                    leaks.append(f"{path} ({', '.join(found)})")
        if leaks:
            raise RuntimeError(
                "Release would contain solution or hidden-test text; not releasing: "
                + "; ".join(leaks)
                + ". Add the file to StripModuleSolutions.module_patterns or remove the text."
            )
