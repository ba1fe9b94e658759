"""Static audit: code that reaches beyond computing the two regularizers.

The audit reads source text with ``ast`` and never runs it. Each finding is
a reason to flag a submission for a person to look at; it does not change a
score. What counts as a finding:

- in ``regularization.py``: imports other than NumPy, ``math`` and a few
  harmless standard modules; assigning to or deleting attributes of an
  imported module (``np.allclose = ...``) or of builtins; ``setattr`` /
  ``delattr``; ``global`` statements; names that reach the interpreter, the
  notebook, files or processes (``get_ipython``, ``sys``, ``open``,
  ``exec``, ``eval``, ``__import__``, ``globals``, frames ...), also when
  imported from elsewhere (``from numpy.lib._npyio_impl import os``) or
  from a private module; ``getattr`` with a computed or private name; text
  that holds ``__`` (special names built from pieces, ``"__buil" +
  "tins__"``), docstrings excepted; NumPy's file
  functions (``np.load``, ``np.save`` ...); classes that redefine
  comparison, conversion or arithmetic (objects whose ``__eq__`` always
  says yes);
- in code cells that the student added or changed in the notebook: the
  same patching and interpreter access, and (re)defining ``L1_reg`` or
  ``L2_reg`` in the notebook instead of the module, and shell commands
  (``!cp ...``, ``%%bash`` cells). Imports there are the student's business
  (plotting, experiments) and are not findings.

The audit runs in nbgrader's own process on text a student wrote, so its
time grows linearly with that text (``benchmarks/audit_scaling.py`` measures
it on crafted shapes), and what it returns is bounded: at most
:data:`MAX_FINDINGS` findings per module or cell, each cut short. The caller
caps how much text it hands over (``IsolatedRegrade.audit_max_bytes``).
Source the audit cannot read within its bounds (nested deeper than it
follows, more IPython syntax in a cell than :data:`MAX_IPYTHON_PASSES`
transformations) raises :class:`grading.source.Unreadable`, whose message is
the reason to flag.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Iterable

from grading.names import Scopes
from grading.source import Unreadable

#: Findings kept per module or cell; the rest are counted in one more line.
MAX_FINDINGS = 20

#: Characters of code quoted in a finding.
QUOTED = 60

#: Transformations of IPython syntax (``x = %timeit f()``, ``f?``) read per
#: cell. IPython re-reads the whole cell after each one, so their cost is
#: this many times the cell's size; IPython itself gives up after 500.
MAX_IPYTHON_PASSES = 16

#: Characters IPython may re-read, over all its passes, for one notebook's cells
#: (about five seconds of the grader's time at worst).
IPYTHON_BUDGET = 1024**2


class IPythonBudget:
    """What is left of :data:`IPYTHON_BUDGET` for one notebook; pass one to each :func:`audit_cell`."""

    def __init__(self, chars: int = IPYTHON_BUDGET):
        self.left = chars

ALLOWED_IMPORTS = {"numpy", "math", "cmath", "numbers", "typing", "warnings", "__future__",
                   "dataclasses", "collections", "enum", "abc", "functools", "itertools", "operator"}

FORBIDDEN_NAMES = {
    "get_ipython": "reaches the notebook (get_ipython)",
    "__builtins__": "reaches the builtins",
    "builtins": "reaches the builtins",
    "__import__": "imports dynamically (__import__)",
    "exec": "runs code from text (exec)",
    "eval": "runs code from text (eval)",
    "compile": "compiles code from text (compile)",
    "open": "opens files (open)",
    "globals": "reads or changes globals()",
    "locals": "reads locals()",
    "vars": "reads vars()",
    "setattr": "sets attributes dynamically (setattr)",
    "delattr": "deletes attributes (delattr)",
    "breakpoint": "calls breakpoint()",
    "input": "reads input()",
    "sys": "reaches the interpreter (sys)",
    "os": "reaches the operating system (os)",
    "inspect": "inspects the running program (inspect)",
}

FORBIDDEN_ATTRIBUTES = {
    "_getframe": "inspects calling frames",
    "f_back": "inspects calling frames",
    "f_globals": "inspects calling frames",
    "f_locals": "inspects calling frames",
    "tb_frame": "inspects calling frames",
    "__globals__": "reaches a function's globals",
    "__code__": "changes or reads code objects",
    "__subclasses__": "walks the class hierarchy",
    "__builtins__": "reaches the builtins",
    "__dict__": "reaches an object's namespace",
    "__class__": "changes or reads an object's class",
}

NUMPY_FILE_FUNCTIONS = {"load", "save", "savez", "savez_compressed", "loadtxt", "savetxt",
                        "genfromtxt", "fromfile", "tofile", "memmap", "fromregex", "DataSource"}

# Special methods a class may define without overriding how values compare or convert.
HARMLESS_DUNDERS = {"__init__", "__repr__", "__str__", "__doc__", "__slots__", "__module__",
                    "__qualname__", "__call__", "__post_init__", "__enter__", "__exit__"}

#: Special names that honest code writes as text.
ORDINARY_SPECIAL_TEXT = {"__main__"}


_SPECIAL_START = re.compile(r"(?<![A-Za-z0-9])__[A-Za-z]")
_SPECIAL_END = re.compile(r"(?=__(?![A-Za-z0-9]))")
_WORD_RUN = re.compile(r"\w+")


def _holds_a_special_name(text):
    """Whether ``text`` holds ``__name__`` standing alone (not inside a longer word of letters and digits).

    The same as ``re.search(r"(?<![A-Za-z0-9])__[A-Za-z]\\w*__(?![A-Za-z0-9])", text)``,
    in time linear in ``text`` (that expression backtracks quadratically on
    text like ``"é__a" * n``): a match starts at an opening ``__``, ends at a
    closing ``__`` at least five characters on, and lies inside one run of
    word characters.
    """
    starts = [m.start() for m in _SPECIAL_START.finditer(text)]
    if not starts:
        return False
    ends = [m.start() + 2 for m in _SPECIAL_END.finditer(text)]
    for run in _WORD_RUN.finditer(text):
        first = bisect.bisect_left(starts, run.start())
        if first == len(starts) or starts[first] >= run.end():
            continue
        last = bisect.bisect_right(ends, run.end()) - 1
        if last >= 0 and ends[last] >= starts[first] + 5:
            return True
    return False


def _pieces_of_a_special_name(text):
    """Whether ``text`` is, or could be a piece of, a special name such as ``__builtins__``.

    ``"__buil"`` and ``"tins__"`` are; ``"__main__"``, a row of underscores
    (``"_____ L1 _____"``) and ``"l1__vs__l2.png"`` are not.
    """
    if text in ORDINARY_SPECIAL_TEXT:
        return False
    if _holds_a_special_name(text):
        return True
    return bool(re.match(r"__[A-Za-z]", text) or re.search(r"[A-Za-z]__$", text))


def _short(text):
    return text if len(text) <= QUOTED else text[:QUOTED] + "..."


def _bounded(findings):
    """Findings in line order, at most :data:`MAX_FINDINGS` of them and a count of the rest."""
    ordered = sorted(set(findings), key=_line_order)
    if len(ordered) <= MAX_FINDINGS:
        return ordered
    return ordered[:MAX_FINDINGS] + [f"... and {len(ordered) - MAX_FINDINGS} more findings"]


GRADED_FUNCTIONS = {"L1_reg", "L2_reg"}


# Modules whose patching in a notebook cell is a finding: what the graded cells rely on.
WATCHED_IN_CELLS = {"numpy", "math", "builtins", "grading", "regularization"}

# Modules the notebook's own set-up cells import, as a student's cell sees them.
NOTEBOOK_MODULES = {"np", "numpy", "math", "builtins", "__builtins__"}


class _Auditor(ast.NodeVisitor):
    def __init__(self, where, check_imports, modules=(), scopes=None, magics_only=False):
        self.where = where
        # A cell that IPython turned into Python: its get_ipython() calls are its magics.
        self.magics_only = magics_only
        self.scopes = scopes
        self.check_imports = check_imports
        self.modules = set(modules)
        self.findings = []
        self.docstrings = set()

    def visit_Module(self, node):
        for owner in ast.walk(node):
            if isinstance(owner, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and owner.body and isinstance(owner.body[0], ast.Expr) \
                    and isinstance(owner.body[0].value, ast.Constant):
                self.docstrings.add(id(owner.body[0].value))
        self.generic_visit(node)

    def add(self, node, text):
        self.findings.append(f"{self.where} line {node.lineno}: {text}")

    def visit_Import(self, node):
        for alias in node.names:
            self._import(node, alias.name, alias.asname or alias.name.split(".")[0])
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.level:
            self.add(node, "imports from a relative package")
        module = node.module or ""
        if any(part.startswith("_") for part in module.split(".")) and module != "__future__":
            self.add(node, f"imports from a private module ({_short(module)})")
        for alias in node.names:
            if alias.name in FORBIDDEN_NAMES:
                self.add(node, f"imports {alias.name} from {_short(module)} ({FORBIDDEN_NAMES[alias.name]})")
        self._import(node, node.module or "", None)
        for alias in node.names:
            if node.module and node.module.split(".")[0] == "numpy":
                continue
            self.modules.add(alias.asname or alias.name)
        self.generic_visit(node)

    def _import(self, node, module, alias):
        root = module.split(".")[0]
        if alias:
            self.modules.add(alias)
        if self.check_imports and root not in ALLOWED_IMPORTS:
            self.add(node, f"imports {_short(module)} (only numpy and math are allowed)")

    def _patched(self, target):
        """The dotted name patched by assigning to ``target``, or None.

        In the module, any imported module counts; in a notebook cell only
        the modules grading relies on (:data:`WATCHED_IN_CELLS`): a cell
        setting ``pd.options.display.max_rows`` patches nothing graded.
        """
        if isinstance(target, ast.Attribute):
            base = target
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and (base.id in {"builtins", "__builtins__"} or self._watched(base)):
                return _short(ast.unparse(target))
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                and target.value.id in {"__builtins__", "globals"}:
            return _short(ast.unparse(target))
        return None

    def _watched(self, base):
        """Whether patching attributes of the module named at ``base`` is a finding."""
        if self.check_imports:
            return base.id in self.modules
        origin = self.scopes.origin(base) if self.scopes is not None else None
        return base.id in NOTEBOOK_MODULES or (origin or "").split(".")[0] in WATCHED_IN_CELLS

    def _check_targets(self, node, targets, verb):
        for target in targets:
            for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                patched = self._patched(element)
                if patched:
                    self.add(node, f"{verb} {patched}")

    def visit_Assign(self, node):
        self._check_targets(node, node.targets, "patches")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_targets(node, [node.target], "patches")
        self.generic_visit(node)

    def visit_Delete(self, node):
        self._check_targets(node, node.targets, "deletes")
        self.generic_visit(node)

    def visit_Global(self, node):
        self.add(node, "uses a global statement")
        self.generic_visit(node)

    def _reaches_outside(self, node):
        """Whether the name read at ``node`` is a built-in, a notebook global or an import.

        A local value that shares the name (``input = W.copy()``, a parameter
        called ``open``) is none of these.
        """
        scope = self.scopes.binding(node)
        return scope is None or (node.id in scope.imported and node.id not in scope.assigned)

    def visit_Name(self, node):
        if node.id == "get_ipython" and self.magics_only:
            self.generic_visit(node)
            return
        if node.id in FORBIDDEN_NAMES and isinstance(node.ctx, ast.Load) and self._reaches_outside(node):
            self.add(node, FORBIDDEN_NAMES[node.id])
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.add(node, FORBIDDEN_ATTRIBUTES[node.attr])
        if node.attr in NUMPY_FILE_FUNCTIONS and isinstance(node.value, ast.Name) \
                and node.value.id in self.modules:
            self.add(node, f"uses file access ({_short(ast.unparse(node))})")
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2:
            name = node.args[1]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                self.add(node, f"reads an attribute by a computed name ({node.func.id})")
            elif name.value.startswith("_"):
                self.add(node, f"reads a private attribute ({node.func.id} {_short(name.value)!r})")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and _pieces_of_a_special_name(node.value) \
                and id(node) not in self.docstrings:
            self.add(node, f"builds a special name from text ({node.value[:20]!r})")
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and item.name.startswith("__") and item.name not in HARMLESS_DUNDERS:
                self.add(item, f"class {_short(node.name)} redefines {_short(item.name)}")
        self.generic_visit(node)


def _read(parse, where):
    """``parse()``'s tree and what the audit makes of it; None if the source does not parse.

    Source nested deeper than Python's or the audit's own recursion follows
    raises :class:`Unreadable`: it may still run (the grader's stack is
    deeper than a fresh interpreter's), so it is not taken for a syntax error.
    """
    try:
        return parse()
    except SyntaxError:
        return None
    except (RecursionError, MemoryError):
        raise Unreadable(f"{where} is nested more deeply than the audit reads; it was not audited") from None


def audit_module(source: str) -> list[str]:
    """Findings in the text of ``regularization.py``, as readable strings.

    ``source`` is the text Python reads (:func:`grading.source.module_text`).
    A module that does not parse has no findings: it cannot run either, and
    the re-grade reports its syntax error as a fault. Raises
    :class:`Unreadable` for a module nested deeper than the audit reads.
    """
    def parse():
        tree = ast.parse(source)
        auditor = _Auditor("regularization.py", check_imports=True, scopes=Scopes(tree))
        auditor.visit(tree)
        return auditor.findings

    return _bounded(_read(parse, "regularization.py") or [])


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(source):
    """The lines of ``source`` as Python's tokenizer sees them.

    Only ``\\n``, ``\\r\\n`` and ``\\r`` end a line for Python; ``str.splitlines``
    also splits at form feeds, ``\\x1c``-``\\x1e``, ``\\x85`` and ``\\u2028``, which
    Python reads as whitespace or inside strings, so a line split there could
    hide the code after it.
    """
    return _LINE_BREAK.split(source)


def _without_magics(source):
    """Cell source with IPython magics and shell escapes blanked out."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in _lines(source)
    )


def _as_ipython_runs_it(source, label="the cell", budget=None):
    """The Python that IPython runs for a cell (magics become ``get_ipython()`` calls).

    IPython's own transformation, read through at most
    :data:`MAX_IPYTHON_PASSES` transformations, each of which re-reads the
    whole cell and spends its length from ``budget`` (an
    :class:`IPythonBudget`); a cell that needs more, or more than is left,
    raises :class:`Unreadable`.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    budget = budget or IPythonBudget()

    class Bounded(TransformerManager):
        def do_token_transforms(self, lines):
            for _ in range(MAX_IPYTHON_PASSES):
                budget.left -= sum(len(line) for line in lines)
                if budget.left < 0:
                    raise Unreadable(f"{label}: the notebook's cells use more IPython syntax (magics, ?, !) "
                                     "among lines of Python than the audit reads; it was not audited")
                changed, lines = self.do_one_token_transform(lines)
                if not changed:
                    return lines
            raise Unreadable(f"{label} uses IPython syntax (magics, ?, !) in more than "
                             f"{MAX_IPYTHON_PASSES - 1} places among lines of Python; it was not audited")

    try:
        return Bounded().transform_cell(source)
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 (IPython's reading of hostile text may fail in any way)
        raise Unreadable(f"{label} could not be read as IPython reads it ({type(error).__name__}); "
                         "it was not audited") from None


SHELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%system", "%system", "%sx")


def notebook_names(sources: Iterable[str]) -> set[str]:
    """The names that the notebook's code cells ``sources`` assign (not import) at top level.

    Pass them to :func:`audit_cell` so a variable defined in one cell and read
    in another is known to be a variable. Cells that do not parse, or that are
    nested too deeply to read, add no names.
    """
    names, suspicious = set(), set()
    for source in sources:
        try:
            found = _read(functools.partial(_names_in, source), "a cell")
        except Unreadable:
            continue
        if found is not None:
            names |= found[0]
            suspicious |= found[1]
    # A built-in's name assigned from something forbidden (open = open) stays suspicious.
    return names - (suspicious & set(FORBIDDEN_NAMES))


def _names_in(source):
    """``(assigned, suspicious)``: the names one cell assigns at top level, and those assigned from
    something forbidden."""
    tree = ast.parse(_without_magics(source))
    suspicious = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) \
                and node.value is not None and _reaches_special(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            suspicious |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return Scopes(tree).module.assigned, suspicious


def _reaches_special(value):
    """Whether an expression mentions a forbidden name, attribute or special name in text."""
    return any(
        (isinstance(n, ast.Name) and n.id in FORBIDDEN_NAMES)
        or (isinstance(n, ast.Attribute) and n.attr in FORBIDDEN_ATTRIBUTES)
        or (isinstance(n, ast.Constant) and isinstance(n.value, str) and "__" in n.value)
        for n in ast.walk(value)
    )


def audit_cell(source: str, label: str, known_names: Iterable[str] = (),
               ipython_budget: IPythonBudget | None = None) -> list[str]:
    """Findings in a notebook code cell that the student added or changed.

    ``known_names`` are variables assigned in the notebook's other cells
    (see :func:`notebook_names`); reading one of them is not a finding even
    if it shares a built-in's name. Pass one ``ipython_budget`` to all the
    cells of a notebook. Raises :class:`Unreadable` for a cell the audit
    cannot read within its bounds.
    """
    shell = [number for number, line in enumerate(_lines(source), 1)
             if line.lstrip().startswith(("!",) + SHELL_MAGICS)]
    shell_findings = [f"{label} line {shell[0]}: runs shell commands"] if shell else []
    magics_only = False
    tree = _read(lambda: ast.parse(_without_magics(source)), label)
    if tree is None:
        # IPython syntax inside a line (``x = %timeit -o f()``, ``f?``): read
        # the cell as IPython runs it. Its get_ipython() calls are then its
        # magics, unless the student wrote get_ipython themselves. Lines that
        # are magics or shell escapes as a whole are blanked first, as above
        # (a cell magic's body is not Python: that cell is read whole).
        whole = source.lstrip().startswith("%%")
        tree = _read(lambda: ast.parse(_as_ipython_runs_it(source if whole else _without_magics(source), label,
                                                           ipython_budget)), label)
        if tree is None:
            return shell_findings  # it cannot run either
        magics_only = "get_ipython" not in source
        shell_findings += [f"{label} line {node.lineno}: runs shell commands" for node in ast.walk(tree)
                           if isinstance(node, ast.Attribute) and node.attr in ("system", "getoutput")]

    def audit():
        auditor = _Auditor(label, check_imports=False, modules=NOTEBOOK_MODULES,
                           scopes=Scopes(tree, predefined=known_names), magics_only=magics_only)
        auditor.visit(tree)
        return auditor.findings

    findings = list(_read(audit, label)) + shell_findings
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in GRADED_FUNCTIONS:
                    findings.append(f"{label} line {node.lineno}: assigns {target.id} in the notebook")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in GRADED_FUNCTIONS:
            findings.append(f"{label} line {node.lineno}: defines {node.name} in the notebook "
                            "instead of regularization.py")
    return _bounded(findings)


def _line_order(finding):
    where, _, rest = finding.partition(" line ")
    number = rest.split(":", 1)[0]
    return (where, int(number) if number.isdigit() else 0, finding)
