"""The static no-loops check reads the student's module."""

import textwrap

import pytest

from grading.loops import find_loops


def loops_in(body, name="L1_reg"):
    return find_loops(textwrap.dedent(body), name)


@pytest.mark.parametrize("body, finding", [
    ("def L1_reg(W, reg):\n    for row in W:\n        pass\n", "line 2 uses a for loop"),
    ("def L1_reg(W, reg):\n    while False:\n        pass\n", "line 2 uses a while loop"),
    ("def L1_reg(W, reg):\n    return [abs(x) for x in W]\n", "line 2 uses a list comprehension"),
    ("def L1_reg(W, reg):\n    return sum(abs(x) for x in W)\n", "line 2 uses a generator expression"),
    ("import numpy as np\ndef L1_reg(W, reg):\n    return np.vectorize(abs)(W)\n", "line 3 uses np.vectorize"),
    ("def L1_reg(W, reg):\n    return list(map(abs, W))\n", "line 2 uses map"),
    ("import numpy as np\ndef L1_reg(W, reg):\n    return np.apply_along_axis(sum, 0, W)\n",
     "line 3 uses np.apply_along_axis"),
    ("def L1_reg(W, reg):\n    return L1_reg(W[1:], reg)\n", "line 2 calls L1_reg recursively"),
])
def test_each_kind_of_loop_is_named_with_its_line(body, finding):
    assert loops_in(body) == [finding]


def test_loops_in_helpers_the_function_calls_count():
    source = """
    def helper(W):
        return [x for x in W]

    def L1_reg(W, reg):
        return helper(W)
    """
    assert loops_in(source) == ["line 3 uses a list comprehension"]


def test_loops_elsewhere_in_the_module_do_not_count():
    source = """
    import numpy as np

    def unused(W):
        for x in W:
            pass

    def L1_reg(W, reg):
        return reg * np.abs(W[:-1]).sum(), np.zeros_like(W)

    if __name__ == "__main__":
        for i in range(3):
            print(L1_reg(np.ones((2, 2)), 0.5))
    """
    assert loops_in(source) == []


def test_missing_function_is_reported():
    assert loops_in("def L2_reg(W, reg):\n    pass\n") == ["L1_reg is not defined as a function in the module"]
