"""The loop finder: honest NumPy passes whatever it uses; Python-level iteration is found wherever
the function reaches it.

Each snippet is a whole ``regularization.py`` (``import numpy as np`` is
prepended) defining ``L1_reg``.
"""

import textwrap

import pytest

from grading.loops import find_loops
from grading.source import Unreadable
from support.scaling import RATIO, growth


def loops_in(body, name="L1_reg"):
    return find_loops("import numpy as np\n" + textwrap.dedent(body), name)


# Correct, vectorized ways to write L1_reg. None of them may be reported.
HONEST = {
    "np_sum": """
        def L1_reg(W, reg):
            dW = np.zeros_like(W)
            dW[:-1] = reg * np.sign(W[:-1])
            return reg * np.sum(np.abs(W[:-1])), dW
        """,
    "ufunc_reduce": """
        def L1_reg(W, reg):
            R = reg * np.add.reduce(np.abs(W[:-1]), axis=None)
            return R, np.vstack([reg * np.sign(W[:-1]), np.zeros((1, W.shape[1]))])
        """,
    "ufunc_accumulate": """
        def L1_reg(W, reg):
            R = reg * np.add.accumulate(np.abs(W[:-1]).ravel())[-1]
            return R, np.zeros_like(W)
        """,
    "einsum": """
        def L1_reg(W, reg):
            A = np.abs(W[:-1])
            return reg * np.einsum("ij->", A), np.zeros_like(W)
        """,
    "tensordot": """
        def L1_reg(W, reg):
            A = np.abs(W[:-1])
            return reg * np.tensordot(A, np.ones_like(A), axes=2), np.zeros_like(W)
        """,
    "linalg_norm": """
        def L1_reg(W, reg):
            return reg * np.linalg.norm(W[:-1].ravel(), ord=1), np.zeros_like(W)
        """,
    "masks": """
        def L1_reg(W, reg):
            weights = W[:-1]
            dW = np.zeros_like(W)
            dW[:-1][weights > 0] = reg
            dW[:-1][weights < 0] = -reg
            return reg * (weights[weights > 0].sum() - weights[weights < 0].sum()), dW
        """,
    "helper_function": """
        def _weights(W):
            return W[:-1]

        def L1_reg(W, reg):
            return reg * np.abs(_weights(W)).sum(), np.zeros_like(W)
        """,
    "local_names_shadow_builtins": """
        def L1_reg(W, reg):
            input = W.copy()
            sum = np.abs(input[:-1]).sum()
            max = reg
            return max * sum, np.zeros_like(input)
        """,
    "numpy_sum_imported_by_name": """
        from numpy import sum, abs

        def L1_reg(W, reg):
            return reg * sum(abs(W[:-1])), np.zeros_like(W)
        """,
    "builtin_on_shape": """
        def L1_reg(W, reg):
            rows, cols = tuple(W.shape)
            return reg * np.abs(W[: rows - 1]).sum(), np.zeros((rows, cols))
        """,
    "builtin_sum_of_written_out_list": """
        def L1_reg(W, reg):
            parts = [np.abs(W[:-1]).sum(), 0.0]
            return reg * sum([parts[0], parts[1]]), np.zeros_like(W)
        """,
    "max_of_two_scalars": """
        def L1_reg(W, reg):
            scale = max(reg, 0.0)
            return scale * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "shape_unpacking": """
        def L1_reg(W, reg):
            dW = np.zeros((*W.shape,))
            return reg * np.abs(W[:-1]).sum(), dW
        """,
    "where_and_pad": """
        def L1_reg(W, reg):
            g = np.where(W[:-1] > 0, reg, np.where(W[:-1] < 0, -reg, 0.0))
            return reg * np.abs(W[:-1]).sum(), np.pad(g, ((0, 1), (0, 0)))
        """,
    "fromfunction_is_vectorized": """
        def L1_reg(W, reg):
            mask = np.fromfunction(lambda i, j: i < W.shape[0] - 1, W.shape)
            return reg * np.abs(W * mask).sum(), reg * np.sign(W) * mask
        """,
    "loop_in_main_block_only": """
        def L1_reg(W, reg):
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)

        if __name__ == "__main__":
            for i in range(3):
                print(L1_reg(np.ones((2, 2)), 0.5))
        """,
    "loop_in_unused_helper": """
        def unused(W):
            return [x for x in W]

        def L1_reg(W, reg):
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "class_without_loops": """
        class Penalty:
            @staticmethod
            def value(W, reg):
                return reg * np.abs(W[:-1]).sum()

        def L1_reg(W, reg):
            return Penalty.value(W, reg), np.zeros_like(W)
        """,
    "lambda_helper_without_loops": """
        weights = lambda W: W[:-1]

        def L1_reg(W, reg):
            return reg * np.abs(weights(W)).sum(), np.zeros_like(W)
        """,
    "helper_called_twice_is_not_recursion": """
        def absolute(A):
            return np.abs(A)

        def total(A):
            return absolute(A).sum()

        def L1_reg(W, reg):
            return reg * total(absolute(W[:-1])), np.zeros_like(W)
        """,
    "float_and_len": """
        def L1_reg(W, reg):
            n = len(W)
            return float(reg * np.abs(W[: n - 1]).sum()), np.zeros_like(W, dtype=float)
        """,
    "vdot_and_trace": """
        def L1_reg(W, reg):
            A = np.abs(W[:-1])
            return reg * np.trace(A.T @ np.ones_like(A)), np.zeros_like(W)
        """,
    "numpy_max_method": """
        def L1_reg(W, reg):
            scale = np.max([reg, 0.0])
            return scale * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "class_that_builds_itself": """
        class Reg:
            def __init__(self, reg):
                self.reg = reg

            @classmethod
            def make(cls, reg):
                return Reg(reg)

        def L1_reg(W, reg):
            return Reg.make(reg).reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "shapes_sliced_unpacked_and_in_names": """
        def L1_reg(W, reg):
            rows, *rest = W.shape
            shape = W.shape
            dW = np.zeros((rows, *rest)) + np.zeros((*shape,)) + np.zeros((1, *W.shape[1:]))
            axes = tuple(range(W.ndim))
            return reg * np.abs(W[:-1]).sum(axis=axes), dW * 0 + np.zeros(tuple(np.shape(W)))
        """,
    "star_import_from_numpy": """
        from numpy import *

        def L1_reg(W, reg):
            return reg * sum(abs(W[:-1])), zeros_like(W)
        """,
    "own_name_mentioned_not_called": """
        def L1_reg(W, reg):
            print(f"{L1_reg.__name__}: computing")
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)
        """,
    "comprehension_over_constants_outside": """
        AXES = tuple([0, 1])

        def L1_reg(W, reg):
            return reg * np.abs(W[:-1]).sum(axis=AXES), np.zeros_like(W)
        """,
}


# Python-level iteration, each with a fragment the finding must contain.
TRICKS = {
    "for_loop": ("""
        def L1_reg(W, reg):
            R = 0.0
            for row in W[:-1]:
                R += np.abs(row).sum()
            return reg * R, np.zeros_like(W)
        """, "line 5 uses a for loop"),
    "while_loop": ("""
        def L1_reg(W, reg):
            i = 0
            while i < 0:
                i += 1
            return 0.0, np.zeros_like(W)
        """, "uses a while loop"),
    "list_comprehension": ("""
        def L1_reg(W, reg):
            return reg * np.sum([abs(x) for x in W[:-1].ravel()]), np.zeros_like(W)
        """, "uses a list comprehension"),
    "generator_expression": ("""
        def L1_reg(W, reg):
            return reg * np.sum(abs(x) for x in W[:-1].ravel()), np.zeros_like(W)
        """, "uses a generator expression"),
    "dict_comprehension": ("""
        def L1_reg(W, reg):
            d = {i: abs(x) for i, x in enumerate(W.ravel())}
            return 0.0, np.zeros_like(W)
        """, "uses a dict comprehension"),
    "builtin_sum": ("""
        def L1_reg(W, reg):
            return reg * sum(abs(W[:-1].ravel())), np.zeros_like(W)
        """, "the built-in sum() (use np.sum)"),
    "builtin_map": ("""
        def L1_reg(W, reg):
            return reg * np.sum(list(map(abs, W[:-1].ravel()))), np.zeros_like(W)
        """, "the built-in map()"),
    "builtin_sorted": ("""
        def L1_reg(W, reg):
            return reg * np.sum(sorted(np.abs(W[:-1].ravel()))), np.zeros_like(W)
        """, "the built-in sorted()"),
    "builtin_max_of_array": ("""
        def L1_reg(W, reg):
            return reg * max(np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "the built-in max()"),
    "builtin_list_of_array": ("""
        def L1_reg(W, reg):
            return reg * np.abs(np.array(list(W[:-1].ravel()))).sum(), np.zeros_like(W)
        """, "the built-in list()"),
    "builtin_aliased": ("""
        add_up = sum

        def L1_reg(W, reg):
            return reg * add_up(np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "the built-in sum()"),
    "builtin_aliased_locally": ("""
        def L1_reg(W, reg):
            total = sum
            return reg * total(np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "the built-in sum()"),
    "functools_reduce": ("""
        from functools import reduce

        def L1_reg(W, reg):
            return reg * reduce(np.add, np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "functools.reduce"),
    "functools_module_reduce": ("""
        import functools as ft

        def L1_reg(W, reg):
            return reg * ft.reduce(lambda a, b: a + b, np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "functools.reduce"),
    "itertools_accumulate": ("""
        import itertools

        def L1_reg(W, reg):
            return reg * np.array(itertools.accumulate(np.abs(W[:-1]).ravel()))[-1], np.zeros_like(W)
        """, "itertools.accumulate"),
    "math_fsum": ("""
        import math

        def L1_reg(W, reg):
            return reg * math.fsum(np.abs(W[:-1]).ravel()), np.zeros_like(W)
        """, "math.fsum"),
    "np_vectorize": ("""
        def L1_reg(W, reg):
            return reg * np.vectorize(abs)(W[:-1]).sum(), np.zeros_like(W)
        """, "np.vectorize"),
    "np_vectorize_imported_under_another_name": ("""
        from numpy import vectorize as v

        def L1_reg(W, reg):
            return reg * v(abs)(W[:-1]).sum(), np.zeros_like(W)
        """, "np.vectorize"),
    "np_vectorize_through_getattr": ("""
        def L1_reg(W, reg):
            return reg * getattr(np, "vectorize")(abs)(W[:-1]).sum(), np.zeros_like(W)
        """, "np.vectorize"),
    "np_vectorize_as_decorator": ("""
        @np.vectorize
        def L1_reg(W, reg):
            return abs(W) * reg
        """, "np.vectorize"),
    "np_apply_along_axis": ("""
        def L1_reg(W, reg):
            return reg * np.apply_along_axis(lambda r: np.abs(r).sum(), 1, W[:-1]).sum(), np.zeros_like(W)
        """, "np.apply_along_axis"),
    "np_frompyfunc": ("""
        def L1_reg(W, reg):
            return reg * np.frompyfunc(abs, 1, 1)(W[:-1]).sum(), np.zeros_like(W)
        """, "np.frompyfunc"),
    "np_nditer": ("""
        def L1_reg(W, reg):
            it = np.nditer(W)
            return 0.0, np.zeros_like(W)
        """, "np.nditer"),
    "np_fromiter_over_map": ("""
        def L1_reg(W, reg):
            return reg * np.fromiter(np.abs(W[:-1]).ravel(), float).sum(), np.zeros_like(W)
        """, "np.fromiter"),
    "star_unpacking": ("""
        def L1_reg(W, reg):
            rows = [*np.abs(W[:-1])]
            return reg * np.sum(rows), np.zeros_like(W)
        """, "unpacking with *"),
    "recursion": ("""
        def L1_reg(W, reg):
            if W.shape[0] <= 1:
                return 0.0, np.zeros_like(W)
            R, _ = L1_reg(W[1:], reg)
            return R + reg * np.abs(W[0]).sum(), np.zeros_like(W)
        """, "recursion (L1_reg -> L1_reg)"),
    "mutual_recursion": ("""
        def rest(W, reg):
            return L1_reg(W[1:], reg)[0] if W.shape[0] > 1 else 0.0

        def L1_reg(W, reg):
            return reg * np.abs(W[0]).sum() + rest(W, reg), np.zeros_like(W)
        """, "recursion (L1_reg -> rest -> L1_reg)"),
    "loop_in_helper": ("""
        def helper(W):
            return [x for x in W]

        def L1_reg(W, reg):
            return np.sum(helper(W[:-1])), np.zeros_like(W)
        """, "line 4 uses a list comprehension"),
    "loop_in_static_method": ("""
        class Ops:
            @staticmethod
            def total(A):
                s = 0.0
                for a in A.ravel():
                    s += abs(a)
                return s

        def L1_reg(W, reg):
            return reg * Ops.total(W[:-1]), np.zeros_like(W)
        """, "uses a for loop"),
    "loop_in_method_of_instance_made_at_module_level": ("""
        class Ops:
            def total(self, A):
                return sum(abs(A.ravel()))

        OPS = Ops()

        def L1_reg(W, reg):
            return reg * OPS.total(W[:-1]), np.zeros_like(W)
        """, "the built-in sum()"),
    "comprehension_in_module_level_lambda": ("""
        absolutes = lambda A: [abs(a) for a in A.ravel()]

        def L1_reg(W, reg):
            return reg * np.sum(absolutes(W[:-1])), np.zeros_like(W)
        """, "uses a list comprehension"),
    "loop_in_nested_function": ("""
        def L1_reg(W, reg):
            def total(A):
                return sum(A.ravel())
            return reg * total(np.abs(W[:-1])), np.zeros_like(W)
        """, "the built-in sum()"),
    "loop_in_default_argument": ("""
        def slow(A):
            return sum(A.ravel())

        def L1_reg(W, reg, total=slow):
            return reg * total(np.abs(W[:-1])), np.zeros_like(W)
        """, "the built-in sum()"),
    "function_bound_by_assignment": ("""
        def _l1(W, reg):
            while False:
                pass
            return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)

        L1_reg = _l1
        """, "uses a while loop"),
    "list_of_an_array_named_like_a_shape": ("""
        def L1_reg(W, reg):
            shape = W[:-1]
            return reg * np.sum(list(shape)), np.zeros_like(W)
        """, "the built-in list()"),
    "helper_in_dict_of_lambdas": ("""
        OPS = {"total": lambda A: sum(A.ravel())}

        def L1_reg(W, reg):
            return reg * OPS["total"](np.abs(W[:-1])), np.zeros_like(W)
        """, "the built-in sum()"),
}


@pytest.mark.parametrize("source", HONEST.values(), ids=HONEST.keys())
def test_honest_vectorized_numpy_is_not_a_loop(source):
    assert loops_in(source) == []


@pytest.mark.parametrize("source, fragment", TRICKS.values(), ids=TRICKS.keys())
def test_python_level_iteration_is_found_wherever_the_function_reaches_it(source, fragment):
    findings = loops_in(source)
    assert any(fragment in finding for finding in findings), findings


def test_the_unit_layer_has_at_least_30_snippets_of_each_kind():
    assert len(HONEST) >= 25 and len(TRICKS) >= 30 and len(HONEST) + len(TRICKS) >= 60


def test_each_finding_names_its_line():
    source = """
    def L1_reg(W, reg):
        for row in W:
            pass
        return sum(W.ravel()), W
    """
    assert loops_in(source) == ["line 4 uses a for loop", "line 6 uses the built-in sum() (use np.sum)"]


def test_missing_function_is_reported():
    assert loops_in("def L2_reg(W, reg):\n    pass\n") == ["L1_reg is not defined in the module"]


def test_a_shadowed_builtin_is_a_local_value_not_a_loop():
    # The same call, once with the built-in and once with a local of the same name.
    builtin = "def L1_reg(W, reg):\n    return sum(W.ravel()), W\n"
    local = "def L1_reg(W, reg, sum=np.sum):\n    return sum(W.ravel()), W\n"
    assert loops_in(builtin) and loops_in(local) == []


# The loop finder runs in nbgrader's own process on text a student wrote: its work grows
# linearly with the module, whatever the module's shape.

def origin_lookups(source, cap=200_000):
    """How many names the finder looks up for ``source``; fails past ``cap`` (it would take forever)."""
    from grading.names import Scopes

    calls = 0
    original = Scopes.origin

    def counting(self, node):
        nonlocal calls
        calls += 1
        if calls > cap:
            raise AssertionError(f"more than {cap} name look-ups for {len(source)} characters")
        return original(self, node)

    Scopes.origin = counting
    try:
        find_loops(source, "L1_reg")
    finally:
        Scopes.origin = original
    return calls


def rebound(lines):
    return "def L1_reg(W, reg):\n    x = sum\n" + "    x = x\n" * lines + "    return x(W), W\n"


def test_a_name_rebound_to_itself_is_followed_once_per_binding():
    # Each binding used to be followed along every path through the others: 2 ** 20 look-ups
    # for two bindings, and never finishing for three.
    assert origin_lookups(rebound(32)) / origin_lookups(rebound(8)) < RATIO
    assert find_loops(rebound(30), "L1_reg") == ["line 33 uses the built-in sum() (use np.sum)"]


def test_star_imports_take_time_linear_in_the_module():
    def module(size):
        half = size // 2
        return ("from numpy import *\n" * (half // 20) + "def L1_reg(W, reg):\n"
                + "    print(zz)\n" * (half // 14) + "    return 0, W\n")

    assert growth(lambda source: find_loops(source, "L1_reg"), module, 4 * 1024) < RATIO


def test_a_chain_of_thousands_of_functions_is_followed_to_its_loop():
    chain = "".join(f"def f{i}(W):\n    return f{i + 1}(W)\n" for i in range(3000))
    source = "def L1_reg(W, reg):\n    return f0(W), W\n" + chain + "def f3000(W):\n    return [w for w in W]\n"
    assert find_loops(source, "L1_reg") == [f"line {3 + 2 * 3000 + 1} uses a list comprehension"]


def test_a_long_recursion_is_reported_in_a_short_line():
    chain = "".join(f"def f{i}(W):\n    return f{(i + 1) % 3000}(W)\n" for i in range(3000))
    [finding] = find_loops("def L1_reg(W, reg):\n    return f0(W), W\n" + chain, "L1_reg")
    assert finding.startswith("line ") and "uses recursion (f0 -> f1" in finding and len(finding) < 200


def test_a_name_that_may_be_any_of_many_functions_counts_as_a_loop():
    names = ", ".join(f"f{i}" for i in range(40))
    many = "".join(f"    g = f{i}\n" for i in range(40))
    found = loops_in(f"from numpy import {names}\ndef L1_reg(W, reg):\n{many}    return g(W), W\n")
    assert found == ["line 44 uses a call of a name bound to more functions than the loop check follows"]
    assert loops_in("def L1_reg(W, reg):\n    g = np.abs\n    g = np.square\n    return g(W), W\n") == []


def test_a_module_nested_deeper_than_the_finder_reads_is_refused():
    deep = "def L1_reg(W, reg):\n    return " + "lambda: " * 400 + "0\n"
    compile(deep, "regularization.py", "exec")  # Python runs it
    with pytest.raises(Unreadable, match="nested more deeply than the loop check reads"):
        find_loops(deep, "L1_reg")
