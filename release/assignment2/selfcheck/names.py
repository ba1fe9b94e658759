"""What a name in a module's source refers to: Python's scoping rules, read statically.

Both static readers of a submission need this: the audit (``open`` is only
suspicious when it is the built-in, not a local variable that happens to be
called ``input``) and the loop finder (``sum(...)`` loops in Python only when
``sum`` is the built-in, not ``from numpy import sum``).

:class:`Scopes` walks a module once and answers, for any ``ast.Name`` node,
whether it refers to a built-in and, for names bound by ``import``, what they
were imported as. The rules followed are Python's own: a name assigned
anywhere in a function is local to the whole function; class bodies do not
enclose their methods; default values, decorators and annotations belong to
the enclosing scope; a comprehension's first iterable is evaluated outside
it. ``global`` and ``nonlocal`` declarations are not resolved (the audit
flags ``global``; a name declared ``nonlocal`` counts as bound).
"""

from __future__ import annotations

import ast
import builtins
import functools

BUILTIN_NAMES = frozenset(dir(builtins))

#: Modules whose ``import *`` names are looked up (imported here, in the
#: grader; never a module named by student code beyond these).
STAR_MODULES = ("numpy", "math")


@functools.cache
def _star_names(module):
    """The names ``from module import *`` binds, for the modules in :data:`STAR_MODULES`."""
    if module not in STAR_MODULES:
        return frozenset()
    imported = __import__(module)
    return frozenset(getattr(imported, "__all__", None) or [n for n in dir(imported) if not n.startswith("_")])

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.Module, ast.ClassDef) + _FUNCTIONS + _COMPREHENSIONS


class _Scope:
    """The names bound directly in one scope node, split by how they are bound."""

    def __init__(self, node, parent):
        self.node = node
        self.parent = parent
        self.is_class = isinstance(node, ast.ClassDef)
        self.assigned = set()   # assignments, parameters, loop targets, def/class names ...
        self.imported = {}      # local name -> dotted origin ("numpy", "functools.reduce")
        self.first_bound = {}   # name -> (line, column) of its first binding in this scope
        self.star_imports = []  # modules imported with ``from module import *``

    def bind(self, name, statement=None):
        """Record a binding of ``name`` that takes effect at the end of ``statement``."""
        self.assigned.add(name)
        where = (getattr(statement, "end_lineno", 0), getattr(statement, "end_col_offset", 0))
        self.first_bound[name] = min(self.first_bound.get(name, where), where)

    def binds(self, name, before=None):
        """Whether this scope binds ``name``; with ``before``, only by a binding that comes earlier."""
        if name in self.imported:
            return True
        if name not in self.assigned:
            return False
        return before is None or self.first_bound[name] < before


def _children_in_scope(node):
    """The direct children of ``node`` that are evaluated in ``node``'s own scope."""
    if isinstance(node, _FUNCTIONS):
        body = node.body if isinstance(node.body, list) else [node.body]
        return body
    if isinstance(node, ast.ClassDef):
        return node.body
    if isinstance(node, _COMPREHENSIONS):
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for index, generator in enumerate(node.generators):
            parts.append(generator.target)
            if index:
                parts.append(generator.iter)
            parts.extend(generator.ifs)
        return parts
    return list(ast.iter_child_nodes(node))


def _outer_parts(node):
    """The parts of a scope node that are evaluated in the enclosing scope."""
    if isinstance(node, _FUNCTIONS):
        args = node.args
        parts = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        if not isinstance(node, ast.Lambda):
            parts += node.decorator_list
            parts += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs
                      if a.annotation is not None]
            for extra in (args.vararg, args.kwarg):
                if extra is not None and extra.annotation is not None:
                    parts.append(extra.annotation)
            if node.returns is not None:
                parts.append(node.returns)
        return parts
    if isinstance(node, ast.ClassDef):
        return node.decorator_list + node.bases + [k.value for k in node.keywords]
    if isinstance(node, _COMPREHENSIONS):
        return [node.generators[0].iter]
    return []


def _parameters(args):
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


class Scopes:
    """Static name resolution for one parsed module.

    ``Scopes(tree)`` records, for every ``ast.Name`` in ``tree``, the scope
    it is read in. :meth:`is_builtin` and :meth:`origin` answer questions
    about a name node; :meth:`scope_of` gives the scope of any scope node.
    """

    def __init__(self, tree, predefined=()):
        self._scope_of_name = {}
        self._scope_of_node = {}
        self._statement = None
        self.module = self._enter(tree, None)
        for name in predefined:
            self.module.bind(name)
        # The modules whose ``import *`` names are looked up, once each, in order.
        self._star_modules = [m for m in dict.fromkeys(self.module.star_imports) if m in STAR_MODULES]

    def _enter(self, node, parent):
        scope = _Scope(node, parent)
        self._scope_of_node[id(node)] = scope
        if isinstance(node, _FUNCTIONS):
            for name in _parameters(node.args):
                scope.bind(name)
        for child in _children_in_scope(node):
            self._visit(child, scope)
        return scope

    def _visit(self, node, scope):
        if isinstance(node, ast.stmt):
            outer, self._statement = self._statement, node
            try:
                self._visit_in_statement(node, scope)
            finally:
                self._statement = outer
        else:
            self._visit_in_statement(node, scope)

    def _visit_in_statement(self, node, scope):
        statement = self._statement
        if isinstance(node, _SCOPES):
            for part in _outer_parts(node):
                self._visit(part, scope)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope.bind(node.name, statement)
            self._enter(node, scope)
            return
        if isinstance(node, ast.Name):
            self._scope_of_name[id(node)] = scope
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                scope.bind(node.id, statement)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.imported[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    scope.imported[root] = root
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for alias in node.names:
                if alias.name == "*":
                    scope.star_imports.append(module)
                else:
                    scope.imported[alias.asname or alias.name] = f"{module}.{alias.name}".lstrip(".")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                scope.bind(name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, statement)
        elif isinstance(node, ast.NamedExpr):
            target = scope
            while isinstance(target.node, _COMPREHENSIONS) and target.parent is not None:
                target = target.parent
            target.bind(node.target.id, statement)
            self._scope_of_name[id(node.target)] = target
            self._visit(node.value, scope)
            return
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            scope.bind(node.name, statement)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.bind(node.rest, statement)
        for child in ast.iter_child_nodes(node):
            self._visit(child, scope)

    def scope_of(self, node: ast.AST) -> _Scope:
        """The scope that ``node`` (a module, class, function, lambda or comprehension) opens."""
        return self._scope_of_node[id(node)]

    def _binding(self, name_node):
        """The scope that binds the name read at ``name_node``, or None for a global-free name.

        In a module or class body, statements run in order: a name read
        there is bound only by a binding that comes before the read
        (``open = open`` reads the built-in).
        """
        scope = self._scope_of_name.get(id(name_node))
        first = True
        position = (name_node.lineno, name_node.col_offset)
        while scope is not None:
            ordered = first and isinstance(scope.node, (ast.Module, ast.ClassDef))
            if (first or not scope.is_class) and scope.binds(name_node.id, position if ordered else None):
                return scope
            first = False
            scope = scope.parent
        return None

    def binding(self, name_node: ast.Name) -> _Scope | None:
        """The scope binding ``name_node`` (None for a built-in or an undefined name)."""
        return self._binding(name_node)

    def is_builtin(self, name_node: ast.Name) -> bool:
        """Whether ``name_node`` (an ``ast.Name``) refers to Python's built-in of that name."""
        return name_node.id in BUILTIN_NAMES and self._binding(name_node) is None

    def origin(self, name_node: ast.Name) -> str | None:
        """What ``name_node`` refers to, as a dotted name, or None if it is a local value.

        ``"builtins.sum"`` for the built-in; ``"numpy"`` for ``np`` after
        ``import numpy as np``; ``"functools.reduce"`` after ``from functools
        import reduce``; None for assigned names and parameters.
        """
        scope = self._binding(name_node)
        if scope is None:
            for module in self._star_modules:
                if name_node.id in _star_names(module):
                    return f"{module}.{name_node.id}"
            return f"builtins.{name_node.id}" if name_node.id in BUILTIN_NAMES else None
        if name_node.id in scope.assigned:
            return None
        return scope.imported[name_node.id]
