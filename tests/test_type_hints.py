"""Every public function and method of the grading package states the types it takes and returns."""

import ast

import pytest

from grading.course import REPO

MODULES = sorted((REPO / "grading").rglob("*.py"))


def unannotated(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions.append(node)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            functions += [item for item in node.body if isinstance(item, ast.FunctionDef)]
    missing = []
    for function in functions:
        if function.name.startswith("_"):
            continue
        arguments = [a for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs
                     if a.arg not in ("self", "cls") and a.arg != "km"]
        if function.returns is None or any(a.annotation is None for a in arguments):
            missing.append(f"{function.name} (line {function.lineno})")
    return missing


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_public_functions_have_type_hints(path):
    assert unannotated(path) == []
