"""Find Python-level loops in a student's function by reading its source.

The rule the notebook states, and this module enforces: the graded functions
compute with NumPy's array operations, never by visiting the elements of an
array one at a time in Python. A *loop* is any of

- a ``for`` or ``while`` statement, a comprehension or a generator
  expression, and recursion;
- a call that iterates in Python over what it is given: the built-ins
  ``sum``, ``map``, ``filter``, ``sorted``, ``any``, ``all``, ``zip``,
  ``enumerate``, ``reversed``, ``iter``, ``list``, ``tuple``, ``set``,
  ``frozenset``, ``dict``, and ``min``/``max`` of a single argument;
  ``functools.reduce``, everything in ``itertools``, ``math.fsum`` and
  ``math.prod``; and the NumPy helpers that call Python code per element or
  slice: ``np.vectorize``, ``np.frompyfunc``, ``np.apply_along_axis``,
  ``np.apply_over_axes``, ``np.fromiter``, ``np.nditer``, ``np.ndenumerate``,
  ``np.ndindex``;
- unpacking an array into its elements (``[*W]``, ``f(*W)``).

Not loops: every NumPy function and array method (``np.sum``,
``np.add.reduce``, ``np.einsum``, ``np.tensordot``, ``np.linalg.norm``,
masks, ``np.where`` ...), and the iterating built-ins applied to a shape
(``tuple(W.shape)``) or to a list written out in the source
(``sum([a, b])``). A built-in counts only when the name really is the
built-in: ``from numpy import sum`` or a local variable ``max = ...`` is not.

A loop counts wherever the graded function reaches it in the module: in the
function, its nested functions and lambdas, its decorators and default
values, and, followed transitively, every module-level function, lambda,
class (all of its methods) or assigned value whose name it uses. Loops the
function cannot reach (a ``__main__`` block, an unused helper) do not count.

The finder runs in the grader's own process on text a student wrote, so its
time grows linearly with the module: every definition is scanned once, what
a name may refer to is worked out once per binding (never once per path
through the bindings), and a name that may refer to more than
:data:`MAX_ORIGINS` things counts as a loop it cannot rule out. Source
nested deeper than it follows raises :class:`grading.source.Unreadable`.
"""

from __future__ import annotations

import ast
from collections import deque

from .names import Scopes
from .source import Unreadable

LOOP_NODES = {
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}

# Built-ins that iterate over their argument in Python.
ITERATING_BUILTINS = {"sum", "map", "filter", "sorted", "any", "all", "zip", "enumerate",
                      "reversed", "iter", "list", "tuple", "set", "frozenset", "dict", "min", "max"}

# NumPy helpers that call a Python function once per element or slice, or
# walk the array in Python.
NUMPY_LOOPS = {"vectorize", "frompyfunc", "apply_along_axis", "apply_over_axes", "fromiter",
               "nditer", "ndenumerate", "ndindex"}

OTHER_LOOPS = {"functools.reduce", "math.fsum", "math.prod"}

#: How far a chain of aliases and attributes is followed (``a = b``, ``b = c.d`` ...).
MAX_DEPTH = 20

#: A name that may refer to more things than this (bound to that many
#: different functions) is one the finder cannot tell is not a loop.
MAX_ORIGINS = 32

#: The origin of such a name.
AMBIGUOUS = "<more than one thing>"

# What to use instead, by the name of the looping call.
HINTS = {
    "builtins.sum": "np.sum",
    "builtins.min": "np.min",
    "builtins.max": "np.max",
    "builtins.any": "np.any",
    "builtins.all": "np.all",
    "builtins.map": "a NumPy function applied to the whole array",
    "builtins.sorted": "np.sort",
    "functools.reduce": "np.sum or a ufunc's .reduce",
    "math.fsum": "np.sum",
    "math.prod": "np.prod",
}


def _display(origin):
    """``"numpy.vectorize"`` -> ``"np.vectorize"``; ``"builtins.sum"`` -> ``"the built-in sum()"``."""
    if origin.startswith("builtins."):
        return f"the built-in {origin.split('.', 1)[1]}()"
    if origin.startswith("numpy."):
        return "np." + origin.split(".")[-1]
    return origin


def _is_shape(node):
    """Whether ``node`` is plainly an array's shape: ``W.shape``, ``W.shape[1:]``, ``W.strides``."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr in ("shape", "strides")


def _loops_in_call(origin, call, small=lambda node: False):
    """Whether a call of ``origin`` (a dotted name) with these arguments loops in Python.

    ``small(node)`` tells whether an argument is a shape, a range or a list
    written out in the source: iterating over one of those is not iterating
    over an array's elements.
    """
    if origin.startswith("builtins."):
        name = origin.split(".", 1)[1]
        if name not in ITERATING_BUILTINS:
            return False
        positional = call.args
        if name in ("min", "max") and len(positional) != 1:
            return False
        if not positional:
            return False
        return not all(small(argument) for argument in positional)
    root, _, last = origin.partition(".")
    if root == "numpy":
        return origin.split(".")[-1] in NUMPY_LOOPS
    if root == "itertools":
        return bool(last)
    return origin in OTHER_LOOPS


def _module_definitions(tree):
    """``{name: [nodes]}`` of the module-level functions, classes and assigned values.

    Statements inside module-level ``if``/``try``/``with`` blocks count as
    module level; function and class bodies do not.
    """
    definitions = {}
    statements = deque(tree.body)
    while statements:
        node = statements.popleft()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions.setdefault(node.name, []).append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and node.value is not None:
                        definitions.setdefault(name.id, []).append(node.value)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                statements.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            statements.extend(node.body)
    return definitions


class _Finder:
    def __init__(self, source):
        self.tree = ast.parse(source)
        self.scopes = Scopes(self.tree)
        self.definitions = _module_definitions(self.tree)
        self.bound_values = self._bound_values()
        self.findings = set()
        # Memos: each (node or binding, depth) is worked out once.
        self._resolved, self._small, self._scanned, self._functions = {}, {}, {}, {}

    def _bound_values(self):
        """``{(scope id, name): [value]}`` for every ``name = value`` and ``a, *name = value``.

        For a name bound by unpacking, the value is the whole right-hand side
        (a shape unpacked gives parts of a shape).
        """
        values = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            scope = self.scopes._scope_of_name.get(id(name))
                            values.setdefault((id(scope), name.id), []).append(node.value)
        return values

    def resolve(self, node, depth=0):
        """The dotted names ``node`` may refer to (``{"numpy.vectorize"}``), or an empty set.

        :data:`AMBIGUOUS` stands for more than :data:`MAX_ORIGINS` of them.
        """
        if depth > MAX_DEPTH:
            return set()
        key = (id(node), depth)
        if key not in self._resolved:
            self._resolved[key] = _bounded(self._resolve(node, depth))
        return self._resolved[key]

    def _resolve(self, node, depth):
        if isinstance(node, ast.Name):
            origin = self.scopes.origin(node)
            if origin is not None:
                return {origin}
            return self._resolve_binding(self.scopes._binding(node), node.id, depth)
        if isinstance(node, ast.Attribute):
            return {_member(base, node.attr) for base in self.resolve(node.value, depth + 1)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and self.scopes.is_builtin(node.func) and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            return {_member(base, node.args[1].value) for base in self.resolve(node.args[0], depth + 1)}
        return set()

    def _resolve_binding(self, scope, name, depth):
        """What ``name``, bound in ``scope`` by assignments (an alias: ``add_up = sum``), may refer to."""
        key = ("binding", id(scope), name, depth)
        if key not in self._resolved:
            found = set()
            for value in self.bound_values.get((id(scope), name), []):
                if isinstance(value, (ast.Name, ast.Attribute, ast.Call)):
                    found |= self.resolve(value, depth + 1)
                    if len(found) > MAX_ORIGINS:
                        break
            self._resolved[key] = _bounded(found)
        return self._resolved[key]

    def small(self, node, depth=0):
        """Whether ``node`` holds a few values that are not an array's elements.

        A shape (``W.shape``, ``W.shape[1:]``, ``np.shape(W)``, a name bound
        to one, also by unpacking: ``rows, *rest = W.shape``), a ``range``,
        ``len``, ``ndim``, a number, or a list/tuple/set written out of such.
        """
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, ast.Name):
            scope = self.scopes.binding(node)
            key = ("binding", id(scope), node.id, depth)
        else:
            key = (id(node), depth)
        if key not in self._small:
            self._small[key] = self._is_small(node, depth)
        return self._small[key]

    def _is_small(self, node, depth):
        if _is_shape(node) or isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("ndim", "size"):
            return True
        if isinstance(node, ast.Subscript):
            return self.small(node.value, depth + 1)
        if isinstance(node, ast.Starred):
            return self.small(node.value, depth + 1)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(not isinstance(e, ast.Starred) or self.small(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.Call):
            origins = self.resolve(node.func)
            if origins & {"numpy.shape", "builtins.range", "builtins.len", "numpy.ndim"}:
                return True
            if origins & {"builtins.tuple", "builtins.list"} and node.args:
                return all(self.small(argument, depth + 1) for argument in node.args)
            return False
        if isinstance(node, ast.Name):
            scope = self.scopes.binding(node)
            values = self.bound_values.get((id(scope), node.id), [])
            return bool(values) and all(self.small(value, depth + 1) for value in values)
        return False

    def add(self, node, text):
        self.findings.add((node.lineno, f"line {node.lineno} uses {text}"))

    def scan(self, definition):
        """Record the loops in one definition; return the module-level names it uses.

        Each is ``(name, line, called)``: ``called`` when the use is a call.
        A definition is scanned once (``a = b = value`` binds one value to two names).
        """
        if id(definition) not in self._scanned:
            self._scanned[id(definition)] = self._scan(definition)
        return self._scanned[id(definition)]

    def _scan(self, definition):
        used = []
        called = {id(n.func) for n in ast.walk(definition) if isinstance(n, ast.Call)}
        for node in ast.walk(definition):
            kind = LOOP_NODES.get(type(node))
            if kind:
                self.add(node, kind)
            elif isinstance(node, ast.Call):
                origins = self.resolve(node.func)
                if AMBIGUOUS in origins:
                    self.add(node, "a call of a name bound to more functions than the loop check follows")
                for origin in sorted(origins - {AMBIGUOUS}):
                    if _loops_in_call(origin, node, self.small):
                        hint = HINTS.get(origin)
                        self.add(node, _display(origin) + (f" (use {hint})" if hint else ""))
                        break
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._decorators(node)
            if isinstance(node, ast.Starred) and isinstance(node.ctx, ast.Load) \
                    and not self.small(node.value):
                self.add(node, "unpacking with * (it takes the elements out one by one)")
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                    and node.id in self.definitions \
                    and self.scopes._binding(node) is self.scopes.module:
                used.append((node.id, node.lineno, id(node) in called))
        return used

    def _is_function(self, name):
        if name not in self._functions:
            self._functions[name] = all(isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                                        for d in self.definitions[name])
        return self._functions[name]

    def _decorators(self, definition):
        """A decorator ``@np.vectorize`` is a call of it with the function as argument."""
        for decorator in definition.decorator_list:
            if isinstance(decorator, ast.Call):
                continue  # a decorator factory's call is scanned as a call
            call = ast.Call(func=decorator, args=[ast.Name(id=definition.name, ctx=ast.Load())], keywords=[])
            origins = self.resolve(decorator)
            if AMBIGUOUS in origins:
                self.add(decorator, "a decorator bound to more functions than the loop check follows")
            for origin in sorted(origins - {AMBIGUOUS}):
                if _loops_in_call(origin, call):
                    self.add(decorator, _display(origin) + " as a decorator")
                    break

    def follow(self, name):
        """Scan ``name``'s definitions and everything they reach; report recursion once per cycle.

        A depth-first walk with its own stack (a chain of thousands of
        functions is no deeper for it than one).
        """
        reached, on_path, path = {name}, {name: 0}, [name]
        stack = [iter(self._uses(name))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                del on_path[path.pop()]
                continue
            used, line, call = step
            if used in on_path and call and self._is_function(used):
                self.findings.add((line, f"line {line} uses recursion ({_cycle(path[on_path[used]:] + [used])})"))
            elif used not in reached:
                reached.add(used)
                on_path[used] = len(path)
                path.append(used)
                stack.append(iter(self._uses(used)))

    def _uses(self, name):
        for definition in self.definitions[name]:
            yield from self.scan(definition)


def _cycle(names):
    """``a -> b -> a``, shortened in the middle when it is long."""
    if len(names) > 8:
        names = names[:4] + [f"... {len(names) - 7} more ..."] + names[-3:]
    return " -> ".join(names)


def _member(base, attribute):
    return AMBIGUOUS if base == AMBIGUOUS else f"{base}.{attribute}"


def _bounded(origins):
    return {AMBIGUOUS} if len(origins) > MAX_ORIGINS else origins


def find_loops(source: str, function_name: str) -> list[str]:
    """List the loops that ``function_name`` in ``source`` would run.

    Returns readable findings such as ``"line 12 uses a for loop"``, sorted by
    line; an empty list means no loop was found. Raises ``SyntaxError`` if
    ``source`` does not parse, :class:`grading.source.Unreadable` if it is
    nested deeper than the finder follows, and returns one finding if
    ``function_name`` is not defined at module level.
    """
    try:
        finder = _Finder(source)
        if function_name not in finder.definitions:
            return [f"{function_name} is not defined in the module"]
        finder.follow(function_name)
    except (RecursionError, MemoryError):
        raise Unreadable("the module is nested more deeply than the loop check reads") from None
    return [text for _, text in sorted(finder.findings)]
