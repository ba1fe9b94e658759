"""Find Python-level loops in a student's function by reading its source.

The assignment asks for vectorized NumPy: no ``for``/``while`` loops, no
comprehensions, and none of the helpers that loop in Python for you. A loop
counts if it is in the function itself, in a function nested in it, or in a
module-level function of the same module that it calls (followed
transitively). Loops elsewhere in the module (a ``__main__`` block, an unused
helper) do not count.
"""

import ast

# Calls that run a Python function once per element or slice.
LOOPING_CALLS = {
    "vectorize": "np.vectorize",
    "frompyfunc": "np.frompyfunc",
    "apply_along_axis": "np.apply_along_axis",
    "apply_over_axes": "np.apply_over_axes",
    "fromiter": "np.fromiter",
    "fromfunction": "np.fromfunction",
    "nditer": "np.nditer",
    "ndenumerate": "np.ndenumerate",
    "ndindex": "np.ndindex",
    "map": "map",
    "filter": "filter",
    "reduce": "functools.reduce",
    "starmap": "itertools.starmap",
    "accumulate": "itertools.accumulate",
}

LOOP_NODES = {
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}


def _called_name(node):
    """The last name of a call's target: ``np.vectorize(f)`` -> ``vectorize``."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def find_loops(source, function_name):
    """List the loops that ``function_name`` in ``source`` would run.

    Returns a list of readable findings such as ``"line 12 uses a for
    loop"``, sorted by line; an empty list means no loop was found. Raises
    ``SyntaxError`` if ``source`` does not parse, and returns a finding if
    ``function_name`` is not defined at module level.
    """
    tree = ast.parse(source)
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if function_name not in functions:
        return [f"{function_name} is not defined as a function in the module"]

    findings = set()
    seen = set()
    pending = [function_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            kind = LOOP_NODES.get(type(node))
            if kind:
                findings.add((node.lineno, f"line {node.lineno} uses {kind}"))
            elif isinstance(node, ast.Call):
                called = _called_name(node)
                if called in LOOPING_CALLS:
                    findings.add((node.lineno, f"line {node.lineno} uses {LOOPING_CALLS[called]}"))
                elif called in functions and called != name:
                    pending.append(called)
                elif called == name:
                    findings.add((node.lineno, f"line {node.lineno} calls {name} recursively"))
    return [text for _, text in sorted(findings)]
