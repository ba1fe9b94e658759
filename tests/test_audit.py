"""The static audit: honest modules and notebook cells are never flagged; reaching beyond the regularizers is.

Module snippets get ``import numpy as np`` prepended; cell snippets are
audited as a cell the student added to the notebook.
"""

import textwrap

import pytest

from grading.integrity.audit import (
    MAX_FINDINGS,
    IPythonBudget,
    _holds_a_special_name,
    audit_cell,
    audit_module,
    notebook_names,
)
from grading.loops import find_loops
from grading.source import Unreadable
from support.scaling import RATIO, growth


def module_findings(body):
    return audit_module("import numpy as np\n" + textwrap.dedent(body))


def cell_findings(source, known=()):
    return audit_cell(textwrap.dedent(source), "notebook cell 9", known)


HONEST_MODULES = {
    "reference_style": """
        def L1_reg(W, reg):
            \"\"\"Docstrings may mention __init__ or __call__.\"\"\"
            weights = W[:-1]
            dW = np.zeros_like(W)
            dW[:-1] = reg * np.sign(weights)
            return reg * np.sum(np.abs(weights)), dW
        """,
    "local_named_input": """
        def L1_reg(W, reg):
            input = W.copy()
            return reg * np.abs(input[:-1]).sum(), np.zeros_like(input)
        """,
    "parameter_named_open": """
        def helper(open, reg):
            return reg * open
        """,
    "locals_named_like_builtins": """
        def L2_reg(W, reg):
            vars = W[:-1]
            compile = 2 * reg * vars
            dW = np.zeros_like(W)
            dW[:-1] = compile
            return reg * np.sum(vars ** 2), dW
        """,
    "module_level_variable_named_input_used_later": """
        input = 3.0

        def L1_reg(W, reg):
            return input * reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "loop_variable_named_sys": """
        def L1_reg(W, reg):
            sys = np.abs(W[:-1])
            return reg * sys.sum(), np.zeros_like(W)
        """,
    "math_and_warnings": """
        import math
        import warnings

        def L1_reg(W, reg):
            if not math.isfinite(reg):
                warnings.warn("reg is not finite")
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "getattr_with_plain_name": """
        def L1_reg(W, reg):
            dtype = getattr(W, "dtype", float)
            return reg * np.abs(W[:-1]).sum(), np.zeros(W.shape, dtype=dtype)
        """,
    "class_with_init_and_repr": """
        class Result:
            def __init__(self, R, dW):
                self.R, self.dW = R, dW

            def __repr__(self):
                return "Result"
        """,
    "comprehension_variable_named_eval": """
        SIZES = [eval_ for eval_ in (1, 2)]
        """,
    "exception_named_input": """
        def L1_reg(W, reg):
            try:
                weights = W[:-1]
            except IndexError as input:
                raise ValueError("W needs a bias row") from input
            return reg * np.abs(weights).sum(), np.zeros_like(W)
        """,
    "walrus_named_open": """
        def L1_reg(W, reg):
            if (open := W.shape[0]) > 1:
                return reg * np.abs(W[: open - 1]).sum(), np.zeros_like(W)
            return 0.0, np.zeros_like(W)
        """,
    "typing_annotations": """
        from typing import Tuple

        def L1_reg(W: np.ndarray, reg: float) -> Tuple[float, np.ndarray]:
            return reg * float(np.abs(W[:-1]).sum()), np.zeros_like(W)
        """,
    "string_with_single_underscores": """
        NAME = "l1_reg_v2"
        """,
    "private_helper_function": """
        def _weights(W):
            return W[:-1]

        def L1_reg(W, reg):
            return reg * np.abs(_weights(W)).sum(), np.zeros_like(W)
        """,
    "dtype_handling": """
        def L2_reg(W, reg):
            W = np.asarray(W, dtype=np.result_type(W, 1.0))
            dW = np.zeros_like(W)
            dW[:-1] = 2 * reg * W[:-1]
            return reg * np.einsum("ij,ij->", W[:-1], W[:-1]), dW
        """,
    "linalg_and_constants": """
        from math import sqrt

        def L2_reg(W, reg):
            norm = np.linalg.norm(W[:-1])
            return reg * norm ** 2, np.vstack([2 * reg * W[:-1], np.zeros((1, W.shape[1]))])
        """,
    "main_block_and_underscore_rules": """
        def L1_reg(W, reg):
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)

        if __name__ == "__main__":
            print("________ L1 ________")
            print(L1_reg(np.ones((2, 2)), 0.5))
        """,
    "callable_dataclass": """
        from dataclasses import dataclass

        @dataclass
        class Regularizer:
            reg: float

            def __call__(self, W):
                return self.reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "numpy_functions_named_like_files": """
        def L1_reg(W, reg):
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)

        loaded = np.zeros(3)
        """,
}

TRICK_MODULES = {
    "imports_os": ("import os\n", "imports os"),
    "imports_subprocess_from": ("from subprocess import run\n", "imports subprocess"),
    "builtin_open": ("def L1_reg(W, reg):\n    open('/etc/passwd')\n", "opens files (open)"),
    "open_shadowed_by_itself": ("open = open\n", "opens files (open)"),
    "open_as_a_default_value": ("def L1_reg(W, reg, reader=open):\n    return reader\n", "opens files (open)"),
    "open_as_default_of_a_parameter_called_open": (
        "def L1_reg(W, reg, open=open):\n    return open('x')\n", "opens files (open)"),
    "exec_text": ("def L1_reg(W, reg):\n    exec('x = 1')\n", "runs code from text (exec)"),
    "eval_text": ("def L1_reg(W, reg):\n    return eval('1')\n", "runs code from text (eval)"),
    "dunder_import": ("x = __import__('os')\n", "imports dynamically"),
    "get_ipython": ("def L1_reg(W, reg):\n    get_ipython()\n", "reaches the notebook"),
    "globals_call": ("def L1_reg(W, reg):\n    globals()['np'] = None\n", "globals()"),
    "patches_numpy": ("np.allclose = lambda *a, **k: True\n", "patches np.allclose"),
    "patches_numpy_testing": ("np.testing.assert_allclose = print\n", "patches np.testing.assert_allclose"),
    "deletes_numpy_function": ("del np.abs\n", "deletes np.abs"),
    "setattr_patch": ("setattr(np, 'sum', len)\n", "sets attributes dynamically"),
    "global_statement": ("def L1_reg(W, reg):\n    global np\n", "global statement"),
    "frames": ("import math\ndef f():\n    return f.__code__\n", "code objects"),
    "private_module": ("from numpy._core import multiarray\n", "private module"),
    "forbidden_name_from_numpy_internals": ("from numpy.lib._npyio_impl import os\n", "imports os from"),
    "getattr_computed": ("def L1_reg(W, reg):\n    name = 'su' + 'm'\n    return getattr(np, name)\n",
                         "computed name"),
    "getattr_private": ("def L1_reg(W, reg):\n    return getattr(np, '_core')\n", "private attribute"),
    "special_name_from_pieces": ("x = '__buil' + 'tins__'\n", "special name from text"),
    "numpy_file_access": ("def L1_reg(W, reg):\n    return np.load('answers.npy')\n", "file access"),
    "always_equal_class": ("class Yes:\n    def __eq__(self, other):\n        return True\n",
                           "redefines __eq__"),
    "class_attribute_walk": ("x = ().__class__\n", "object's class"),
    "builtins_module": ("import builtins\nbuiltins.abs = len\n", "patches builtins.abs"),
    "relative_import": ("from . import checks\n", "relative package"),
    "imports_the_grading_package": ("from grading import checks\n", "imports grading"),
    "sys_through_alias_import": ("import numpy.lib as nl\nfrom numpy import sys\n", "imports sys from"),
    "input_read_at_module_level": ("x = input()\n", "reads input()"),
}

HONEST_CELLS = {
    "plot_experiment": """
        import matplotlib.pyplot as plt
        plt.plot(np.arange(3))
        """,
    "reads_variable_defined_in_another_cell": "print(input)\n",
    "own_variable_named_input": "input = W.copy()\nprint(input.sum())\n",
    "magics_for_timing": "%timeit L1_reg(W, 0.5)\n",
    "calls_the_functions": "R, dW = L1_reg(example_W(), 0.1)\nprint(R)\n",
    "pandas_display_option": "import pandas as pd\npd.options.display.max_rows = 20\nprint('__' * 20)\n",
    "magic_inside_a_line": "result = %timeit -o L1_reg(example_W(), 0.5)\nprint(result.best)\n",
    "file_name_with_double_underscores": "plt.savefig('l1__vs__l2.png')\n",
}

TRICK_CELLS = {
    "redefines_the_function": ("def L1_reg(W, reg):\n    return 19.95, None\n", "defines L1_reg in the notebook"),
    "assigns_the_function": ("L2_reg = lambda W, reg: (0, 0)\n", "assigns L2_reg in the notebook"),
    "shell_escape": ("!cp /tmp/x regularization.py\n", "runs shell commands"),
    "bash_cell": ("%%bash\nls\n", "runs shell commands"),
    "patches_numpy_in_the_notebook": ("np.allclose = lambda *a, **k: True\n", "patches np.allclose"),
    "get_ipython_in_the_notebook": ("get_ipython().run_line_magic('load_ext', 'x')\n", "reaches the notebook"),
    "open_rebound_to_itself_in_the_notebook": ("open = open\n", "opens files (open)"),
    "shell_hidden_behind_a_magic_inside_a_line": (
        "r = %timeit -o L1_reg(W, 0.5)\nget_ipython().system('cp x y')\n", "runs shell commands"),
    "patch_hidden_behind_a_magic_inside_a_line": (
        "r = %timeit -o L1_reg(W, 0.5)\nimport builtins\nbuiltins.sum = len\n", "patches builtins.sum"),
    "patches_the_checks_in_the_notebook": ("import grading.checks\ngrading.checks.run_check = print\n",
                                           "patches grading.checks.run_check"),
    "patches_the_students_module_in_the_notebook": ("import regularization\nregularization.L1_reg = print\n",
                                                    "patches regularization.L1_reg"),
    "numpy_imported_under_another_name_and_patched": ("import numpy as xp\nxp.allclose = print\n",
                                                       "patches xp.allclose"),
}


@pytest.mark.parametrize("body", HONEST_MODULES.values(), ids=HONEST_MODULES.keys())
def test_honest_module_is_not_flagged(body):
    assert module_findings(body) == []


@pytest.mark.parametrize("body, fragment", TRICK_MODULES.values(), ids=TRICK_MODULES.keys())
def test_module_reaching_beyond_the_regularizers_is_flagged(body, fragment):
    findings = module_findings(body)
    assert any(fragment in finding for finding in findings), findings


@pytest.mark.parametrize("source", HONEST_CELLS.values(), ids=HONEST_CELLS.keys())
def test_honest_notebook_cell_is_not_flagged(source):
    known = notebook_names(["input = 3\nW = example_W()\n"])
    assert cell_findings(source, known) == []


@pytest.mark.parametrize("source, fragment", TRICK_CELLS.values(), ids=TRICK_CELLS.keys())
def test_notebook_cell_that_tampers_is_flagged(source, fragment):
    known = notebook_names([source])
    findings = cell_findings(source, known)
    assert any(fragment in finding for finding in findings), findings


def test_the_unit_layer_has_at_least_30_snippets():
    honest = len(HONEST_MODULES) + len(HONEST_CELLS)
    tricks = len(TRICK_MODULES) + len(TRICK_CELLS)
    assert honest >= 20 and tricks >= 30 and honest + tricks >= 60


def test_a_local_variable_named_like_a_builtin_is_not_a_call_of_it():
    # The example: one local assignment used to give three "reads input()" reasons.
    assert module_findings("def L1_reg(W, reg):\n    input = W.copy()\n    return input, input\n") == []
    assert module_findings("def L1_reg(W, reg):\n    return input(), W\n") == [
        "regularization.py line 3: reads input()"]


def test_a_builtins_name_rebound_to_the_builtin_is_not_a_known_variable():
    assert "open" not in notebook_names(["open = open\n"])
    assert "input" in notebook_names(["input = 3\n"])


# The audit runs in nbgrader's own process: its time grows linearly with what a student wrote.
# The crafted shapes of issue 18 (``benchmarks/audit_scaling.py`` prints their times), each
# timed at n and 4n bytes in one run.

def _repeat(piece, size, head="", tail=""):
    return head + piece * ((size - len(head) - len(tail)) // len(piece)) + tail


def _module_is_read(source):
    audit_module(source)
    find_loops(source, "L1_reg")


SCALING_SHAPES = {
    # One string constant that repeats a piece of a special name (main: 1,492 s for 1 MiB).
    "module_of_one_repeated_string_constant": (
        _module_is_read, 32 * 1024,
        lambda n: _repeat("é__a", n, 'x = "', '"\ndef L1_reg(W, reg):\n    return 0, W\n')),
    # A big cell of plain Python (no IPython syntax) holding such a string.
    "big_plain_cell": (
        lambda source: (notebook_names([source]), audit_cell(source, "notebook cell 9")), 8 * 1024,
        lambda n: _repeat("x = np.sum(W) + 1\n", n // 2) + _repeat("é__a", n - n // 2, 'caption = "', '"\n')),
    # A cell of IPython magics inside lines of Python (main: 106 s for 64 KB).
    "cell_of_ipython_magics": (
        lambda source: _audit_or_refuse(source), 2 * 1024,
        lambda n: _repeat("t = %time f(1)\n", n)),
}


def _audit_or_refuse(source):
    try:
        return audit_cell(source, "notebook cell 9")
    except Unreadable as refusal:
        return str(refusal)


@pytest.mark.parametrize("run, size, make", SCALING_SHAPES.values(), ids=SCALING_SHAPES.keys())
def test_the_audit_takes_time_linear_in_crafted_input(run, size, make):
    assert growth(run, make, size) < RATIO


def test_a_cell_of_too_much_ipython_syntax_is_refused_with_the_reason():
    with pytest.raises(Unreadable, match="IPython syntax .* in more than 15 places"):
        audit_cell("t = %time f(1)\n" * 40, "notebook cell 9")
    # A few, as honest cells have, are read as IPython runs them.
    assert audit_cell("t = %time f(1)\nnp.sum?\nr = !ls\n" * 3, "notebook cell 9") == [
        f"notebook cell 9 line {n}: runs shell commands" for n in (3, 6, 9)]


def test_the_ipython_budget_is_shared_by_a_notebooks_cells():
    cell = "t = %time f(1)\n" * 10  # 11 passes over the cell
    probe = IPythonBudget(chars=10**9)
    audit_cell(cell, "notebook cell 9", ipython_budget=probe)
    cost = 10**9 - probe.left
    budget = IPythonBudget(chars=3 * cost + cost // 2)
    for _ in range(3):
        audit_cell(cell, "notebook cell 9", ipython_budget=budget)
    with pytest.raises(Unreadable, match="the notebook's cells use more IPython syntax"):
        audit_cell(cell, "notebook cell 9", ipython_budget=budget)


def test_the_special_name_test_agrees_with_its_regular_expression():
    import random
    import re

    regex = re.compile(r"(?<![A-Za-z0-9])__[A-Za-z]\w*__(?![A-Za-z0-9])")
    rng = random.Random(18)
    for _ in range(20_000):
        text = "".join(rng.choice("_ _aZ9é.-") for _ in range(rng.randrange(12)))
        assert _holds_a_special_name(text) == bool(regex.search(text)), text


def test_findings_are_bounded_in_number_and_length():
    findings = module_findings("".join(f"np.{'x' * 200}{i} = {i}\n" for i in range(100)))
    assert len(findings) == MAX_FINDINGS + 1 and findings[-1] == f"... and {100 - MAX_FINDINGS} more findings"
    assert all(len(finding) < 200 for finding in findings)


def test_source_nested_deeper_than_the_audit_reads_is_refused_not_passed():
    deep = "x = " + "lambda: " * 400 + "0\n"
    compile(deep, "regularization.py", "exec")  # Python runs it
    with pytest.raises(Unreadable, match="nested more deeply than the audit reads"):
        audit_module(deep)
    with pytest.raises(Unreadable, match="nested more deeply"):
        audit_cell(deep, "notebook cell 9")
    assert notebook_names([deep, "y = 1\n"]) == {"y"}


@pytest.mark.parametrize("source", [
    "a = 1\x0c%x; np.allclose = None\n",  # a form feed is whitespace to Python: a = 1 % x
    *(f"s = '1{separator}%x'; np.allclose = None\n" for separator in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
], ids=repr)
def test_a_line_break_python_does_not_see_hides_no_code_in_a_cell(source):
    # str.splitlines() breaks lines where Python does not; the part after such a break was
    # blanked as if it were a magic, and the code on it went unread.
    compile(source.replace("%x", "% x"), "cell", "exec")
    findings = cell_findings(source, known={"x"})
    assert any("patches np.allclose" in f for f in findings), findings
