"""A synthetic class for the similarity report: honest students, and planted copies in disguise.

:func:`build_class` writes a course folder (the repository's ``release/`` and a
link to its ``source/``) with ``submitted/<student>/assignment2/`` for each
student: ``regularization.py`` and the notebook with both written answers. No
autograde: the similarity report reads the folders directly.

Honest students, each written on their own:

- code: the common ways to write each function (:func:`common_function`: a few
  idioms for the loss and for the gradient, combined, with the student's own
  names and comments), the correct variants of ``tests/catalogue/correct/``
  (each used once: an unusual solution is one student's), the mistakes of
  ``tests/catalogue/mistakes/`` with a common version of the other function,
  some students who copied last year's published solution (the reference,
  renamed), and some who left one function as the released stub;
- written answers (:func:`honest_answer`): each student picks their own way of
  saying the mechanism and the effect, of varied quality (some wrong, some one
  line), in their own words and order.

Planted copies (:data:`PLANTED`), each disguised: names changed, functions
reordered, comments and blank lines added (code); words replaced by synonyms,
sentences reordered, a phrase added (written answers). Four pairs and one
triangle.
"""

from __future__ import annotations

import ast
import io
import json
import keyword
import random
import re
import shutil
import tokenize
from pathlib import Path

import nbformat

from grading.tools.catalogue import CATALOGUE
from grading.tools.scratch_course import ASSIGNMENT, MODULE, NOTEBOOK, REPO

RELEASE = REPO / "release" / ASSIGNMENT
WRITTEN = ("l1_explanation", "l2_explanation")

# ---- code ---------------------------------------------------------------------------------------------------------

L1_LOSS = ["R = reg * np.sum(np.abs({w}))", "R = reg * np.abs({w}).sum()", "R = np.sum(reg * np.abs({w}))",
           "R = float(reg * np.sum(np.abs({w})))"]
L1_GRAD = [["dW = reg * np.sign(W)", "dW[-1] = 0"],
           ["dW = np.zeros_like(W, dtype=float)", "dW[:-1] = reg * np.sign({w})"],
           ["dW = np.zeros(W.shape)", "dW[:-1] = reg * np.sign({w})"],
           ["dW = np.vstack([reg * np.sign({w}), np.zeros((1, W.shape[1]))])"]]
L2_LOSS = ["R = reg * np.sum({w} ** 2)", "R = reg * np.sum({w} * {w})", "R = reg * np.sum(np.square({w}))",
           "R = reg * ({w} ** 2).sum()"]
L2_GRAD = [["dW = 2 * reg * W", "dW[-1] = 0"],
           ["dW = np.zeros_like(W, dtype=float)", "dW[:-1] = 2 * reg * {w}"],
           ["dW = np.zeros(W.shape)", "dW[:-1] = 2 * reg * {w}"],
           ["dW = np.vstack([2 * reg * {w}, np.zeros((1, W.shape[1]))])"]]
WEIGHT_NAMES = ["W[:-1]", "weights", "w", "W_no_bias", "weight_rows", "Wt"]
COMMENTS = ["# loss without the bias row", "# gradient", "# the last row is the bias", "# vectorized",
            "# TODO check float32", "# sign gives the subgradient", "# no loops here"]


def common_function(name: str, rng: random.Random) -> str:
    """One honest student's ``L1_reg`` or ``L2_reg`` in a common style (correct)."""
    loss, grad = (L1_LOSS, L1_GRAD) if name == "L1_reg" else (L2_LOSS, L2_GRAD)
    weights = rng.choice(WEIGHT_NAMES)
    lines = [] if weights == "W[:-1]" else [f"{weights} = W[:-1]"]
    lines += [rng.choice(loss).format(w=weights)] + [line.format(w=weights) for line in rng.choice(grad)]
    if rng.random() < 0.5:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(COMMENTS))
    body = "\n".join("    " + line for line in lines)
    return f"def {name}(W, reg):\n{body}\n    return R, dW\n"


def _functions(source: str) -> dict[str, str]:
    """``{name: source}`` of the top-level functions of ``source``."""
    tree = ast.parse(source)
    return {node.name: ast.get_source_segment(source, node) + "\n" for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def module(*functions: str, header: str = "import numpy as np\n") -> str:
    stub_doc = (RELEASE / MODULE).read_text(encoding="utf-8").split('"""')[1]
    return f'"""{stub_doc}"""\n\n{header}\n\n' + "\n\n".join(functions)


def reference_function(name: str) -> str:
    source = "".join(line for line in (REPO / MODULE).read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return _functions(source)[name]


def stub_function(name: str) -> str:
    return _functions((RELEASE / MODULE).read_text(encoding="utf-8"))[name]


def catalogue_correct(name: str) -> str:
    return (CATALOGUE / "correct" / f"{name}.py").read_text(encoding="utf-8")


def catalogue_mistake(name: str) -> tuple[str, str]:
    """``(function name, its source)`` of a catalogued mistake."""
    source = (CATALOGUE / "mistakes" / f"{name}.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    kept = [ast.get_source_segment(source, node) for node in tree.body[1:]
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Assign) and node.targets[0].id in ("CAUGHT_BY", "MESSAGES"))]
    function = "L1_reg" if any(isinstance(n, ast.FunctionDef) and n.name == "L1_reg" for n in tree.body) else "L2_reg"
    return function, "\n\n\n".join(kept) + "\n"


KEEP = {"np", "numpy", "L1_reg", "L2_reg", "self", "cls"}


def rename(source: str, rng: random.Random) -> str:
    """``source`` with every name the student chose replaced (a copier's renaming), attributes and built-ins kept."""
    names = set()
    previous = None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if (tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) and previous != "."
                and tok.string not in KEEP and tok.string not in dir(__builtins__)):
            names.add(tok.string)
        previous = tok.string
    fresh = ["matrix", "lam", "penalty", "grad", "theta", "tmp", "out", "mat", "strength", "g", "Wb", "helper",
             "core", "vals", "res"]
    rng.shuffle(fresh)
    mapping = {name: f"{fresh[i % len(fresh)]}{i}" for i, name in enumerate(sorted(names))}
    return re.sub(r"(?<![.\w])([A-Za-z_]\w*)\b", lambda m: mapping.get(m.group(1), m.group(1)), source)


def disguise_code(source: str, rng: random.Random) -> str:
    """A copier's version of ``source``: renamed, top-level definitions reordered, comments and blank lines added."""
    source = rename(source, rng)
    tree = ast.parse(source)
    lines = source.splitlines()
    head_end = min(node.lineno for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)) - 1
    blocks = [lines[node.lineno - 1 - len(getattr(node, "decorator_list", [])):node.end_lineno]
              for node in tree.body if node.lineno > head_end]
    blocks.reverse()
    out = lines[:head_end]
    for block in blocks:
        out.append("")
        out.append("# my own implementation")
        for line in block:
            out.append(line)
            if line.strip() and rng.random() < 0.3:
                indent = line[:len(line) - len(line.lstrip())] or "    "
                out.append(f"{indent}# {rng.choice(['step', 'compute it', 'ok', 'see lecture 3', 'careful'])}")
            if rng.random() < 0.2:
                out.append("")
        out.append("")
    return "\n".join(out) + "\n"


# ---- written answers ----------------------------------------------------------------------------------------------

# Each sentence a student may write: slots, each with the ways of saying that part (one is picked per slot).
L1_MECHANISM = [
    [["L1 adds", "The L1 term adds", "L1 regularization contributes", "The regularizer adds"],
     ["lambda times the sign of the weight", "lambda sign(w)", "a constant times the sign of w", "reg * sign(W)"],
     ["to its gradient", "to the gradient of every weight", "to each weight's gradient", "to the update"],
     [", so the pull towards zero", ", which means the push to zero", ", so the force towards 0"],
     ["has the same size for every weight.", "does not depend on the weight's size.",
      "is equally strong for big and small weights.", "is constant."]],
    [["The gradient of the L1 term", "The derivative of |w|", "The subgradient of the penalty"],
     ["is constant in magnitude", "always has size lambda", "only depends on the sign"],
     [", it does not depend on how big the weight is.", ", independent of the value of the weight.",
      "; the size of w plays no role."]],
    [["Every step", "Each update", "Each iteration of gradient descent", "Every training step"],
     ["moves each weight", "shifts every weight", "pushes all weights"],
     ["a fixed amount", "by the same step", "by eta times lambda"],
     ["in the direction of zero.", "toward the origin.", "towards 0, regardless of their size."]],
    [["It makes the weights smaller.", "The weights get smaller.", "It reduces the weights."]],
    [["L1 regularization penalizes", "The L1 penalty punishes", "L1 charges"],
     ["large weights more than small weights.", "big weights more.", "weights according to their absolute value."]],
]
L1_EFFECT = [
    [["As a result", "Therefore", "So", "Because of this"],
     ["many weights", "a lot of weights", "most of the useless weights", "lots of the weights"],
     ["end up exactly at zero", "become exactly 0", "are set to zero", "land on zero"],
     ["and the weight matrix is sparse.", "which gives a sparse model.", "(sparsity).", "."]],
    [["Only a few important features", "Just the relevant inputs", "Only the useful features"],
     ["keep nonzero weights", "stay nonzero", "survive"], [", the rest is ignored.", ".", ", like feature selection."]],
    [["In the experiment", "In the plots", "From the experiment"],
     ["most noise weights", "the 26 useless weights", "the noise features"],
     ["were exactly zero", "went to zero", "ended at 0"], ["with the proximal step.", ".", "for large lambda."]],
    [["Weights oscillate around zero", "Some weights jump around 0", "Useless weights hover near zero"],
     ["within eta lambda of it", "with plain subgradient descent", "but never settle"],
     [", and the proximal version sets them to zero.", ".", "; soft thresholding fixes this."]],
    [["I think all weights become zero", "All the weights go to zero", "Every weight will be zero"],
     ["if lambda is large.", "eventually.", "after training."]],
    [["The final model is sparse", "The solution is sparse", "We get a sparse classifier"],
     [", which makes it easier to interpret.", ".", " and uses few inputs."]],
]
L2_MECHANISM = [
    [["L2 adds", "The L2 term adds", "The regularizer contributes"],
     ["2 lambda w", "2 * reg * W", "twice lambda times w"],
     ["to the gradient", "to each weight's gradient", "to the update"],
     [", so the pull is proportional to the weight.", ", so bigger weights are pulled harder.",
      ", a pull that grows with the weight."]],
    [["Large weights", "Big weights", "Weights with a large magnitude"],
     ["are pulled towards zero strongly", "shrink a lot", "get a big correction"],
     ["and small weights only a little.", "while small ones barely move.", ", small ones hardly."]],
    [["Each update", "Every step", "Each iteration"],
     ["multiplies the weights by a factor slightly below one", "scales the weights by 1 - 2 eta lambda",
      "shrinks the weights by a constant factor"], [", which is called weight decay.", ".", " (weight decay)."]],
    [["It makes the weights smaller too.", "The weights get smaller.", "It reduces the weights as well."]],
    [["The penalty on squared values", "Squaring", "The quadratic penalty"],
     ["punishes big weights much more than small ones.", "hits large weights hardest.",
      "matters mostly for big weights."]],
    [["The regularization gradient is linear in w", "The pull scales with w", "The correction is proportional to w"],
     [", so it gets weaker as w approaches 0.", ", so near zero it almost vanishes.", "."]],
]
L2_EFFECT = [
    [["The weights become small", "All weights end up small", "Weights get close to zero"],
     ["but almost none is exactly zero.", "but not exactly 0.", ", rarely reaching zero.", "."]],
    [["So the model spreads the weight over many inputs", "The model uses all inputs a little",
      "Weights are spread over all features"], ["instead of a few.", "rather than relying on some.", "."]],
    [["In the experiment", "In the plots", "From the experiment"],
     ["the noise weights", "the useless weights", "the 26 noise features"],
     ["were close to zero", "were small", "stayed near 0"], ["but not at zero.", "but nonzero.", "."]],
    [["The solution is not sparse", "No sparsity", "It is not sparse"],
     [": weights get close to zero without reaching it.", ".", ", unlike L1."]],
    [["All weights become zero.", "Every weight goes to zero.", "The weights disappear."]],
    [["This gives a smoother model", "The model becomes smoother", "It prevents overfitting"],
     ["that overfits less.", ".", "and generalizes better."]],
]
OPENERS = ["", "", "", "In short, ", "I would say ", "Basically, ", "From the plots: "]


#: Words of a student's own that land somewhere in a sentence: no two students say a thing word for word.
OWN_WORDS = ["clearly", "typically", "generally", "roughly", "practically", "essentially", "obviously", "kind of",
             "in practice", "overall", "somehow", "definitely", "usually", "apparently", "in theory", "literally",
             "honestly", "intuitively", "mathematically", "effectively", "naturally", "simply", "mostly", "probably"]


def _say(slots: list[list[str]], rng: random.Random) -> str:
    text = ""
    for options in slots:
        piece = rng.choice(options)
        text += piece if not text or piece[0] in ",.;:( " else " " + piece
    words = text.split(" ")
    for _ in range(rng.choice([1, 2, 2, 3])):
        words.insert(rng.randrange(1, len(words) + 1), rng.choice(OWN_WORDS))
    return " ".join(words)


def honest_answer(grade_id: str, rng: random.Random) -> str:
    """One student's own answer: a mechanism and an effect of their choosing (or only one), in their words."""
    mechanism, effect = (L1_MECHANISM, L1_EFFECT) if grade_id == "l1_explanation" else (L2_MECHANISM, L2_EFFECT)
    sentences = []
    if rng.random() < 0.85:
        sentences.append(_say(rng.choice(mechanism), rng))
    if rng.random() < 0.85 or not sentences:
        sentences.append(_say(rng.choice(effect), rng))
    if rng.random() < 0.3:
        rng.shuffle(sentences)
    first = rng.choice(OPENERS)
    if first:
        sentences[0] = first + sentences[0][0].lower() + sentences[0][1:]
    return " ".join(sentences)


#: The copied answers' originals: each victim's own, distinctive answer.
ORIGINALS = {
    "l1_explanation": [
        "Think of the L1 term as a constant friction: whatever the magnitude of a weight, the subgradient "
        "contributes lambda times its sign, a pull of fixed size toward the origin. Weights whose data gradient "
        "is weaker than that friction cannot resist it and collapse onto exactly zero. The outcome is a sparse "
        "matrix in which the irrelevant inputs are switched off entirely.",
        "Geometrically the L1 ball has corners on the axes, and the regularized optimum tends to sit on a corner. "
        "Dynamically, each update subtracts the same eta lambda from every weight's absolute value until it hits "
        "zero. Hence a large share of the coefficients vanish and the classifier keeps only a handful of pixels.",
    ],
    "l2_explanation": [
        "Squaring makes the penalty gentle near the origin and steep far from it: the gradient 2 lambda w is a "
        "spring whose force grows with the stretch. So huge weights are hauled back hard while tiny ones feel "
        "almost nothing. In the end every weight is small and the load is shared across all pixels, but the "
        "spring never snaps a weight to exactly zero.",
        "Weight decay is the right picture here: every iteration rescales each coefficient by one minus two eta "
        "lambda. A coefficient therefore decays geometrically but only asymptotically reaches zero. The trained "
        "model ends up with many modest weights instead of a few dominant ones, which smooths the decision "
        "boundary.",
    ],
}

COPY_SYNONYMS = {
    "weight": "parameter", "weights": "parameters", "exactly": "precisely", "pull": "drag", "zero": "0",
    "small": "tiny", "huge": "big", "large": "big", "every": "each", "many": "lots of", "constant": "fixed",
    "magnitude": "size", "coefficient": "weight", "coefficients": "weights", "reaches": "gets to",
    "toward": "towards", "hard": "strongly",
}


def disguise_answer(text: str, rng: random.Random) -> str:
    """A copier's version of ``text``: synonyms, sentences reordered, a phrase of their own added."""
    words = re.sub(r"\b([A-Za-z]+)\b",
                   lambda m: COPY_SYNONYMS.get(m.group(1), m.group(1)) if rng.random() < 0.7 else m.group(1), text)
    sentences = re.split(r"(?<=\.)\s+", words)
    rng.shuffle(sentences)
    return "In my understanding, " + " ".join(sentences) + " That is what the experiment shows as well."


# ---- the class ----------------------------------------------------------------------------------------------------

#: The planted copies: (students, parts copied). The first student of each is the original.
PLANTED = [
    (("p1a", "p1b"), ("code",)),
    (("p2a", "p2b"), ("code", "l2_explanation")),
    (("p3a", "p3b"), ("l1_explanation",)),
    (("p4a", "p4b"), ("code", "l1_explanation")),
    (("t1", "t2", "t3"), ("code", "l2_explanation")),
]
#: The copied code's originals (unusual in the class: no honest student has them).
PLANTED_CODE = {
    "p1a": lambda: catalogue_correct("vdot_trace"),
    "p2a": lambda: module(catalogue_mistake("l1_gradient_nan_at_zero")[1], catalogue_mistake("l2_square_of_sum")[1]),
    "p4a": lambda: catalogue_correct("sum_where_and_helper"),
    "t1": lambda: catalogue_correct("callable_class"),
}
COPIED_CORRECT = {"vdot_trace", "sum_where_and_helper", "callable_class"}
COPIED_MISTAKES = {"l1_gradient_nan_at_zero", "l2_square_of_sum"}


#: Correct variants of the catalogue written as variations of one another (the same code but for the import, or
#: the shape spelled another way): only the first of each family is one honest student's, the others would be a
#: copy of it in all but name.
FAMILIES = [
    ("star_import_from_numpy", "from_numpy_import_names", "module_level_aliases"),
    ("unpack_shape_rest", "tuple_of_np_shape", "unpack_sliced_shape", "shape_in_a_variable"),
    ("namedtuple_result", "dataclass_result"),
]


def planted_pairs() -> set[tuple[str, str, str]]:
    """``{(a, b, part)}`` (a < b) of every planted copy."""
    result = set()
    for students, parts in PLANTED:
        for i, a in enumerate(students):
            for b in students[i + 1:]:
                result |= {(*sorted((a, b)), part) for part in parts}
    return result


def honest_modules(rng: random.Random, count: int) -> list[str]:
    """``count`` honest modules (see the module's docstring)."""
    modules = []
    others = {name for family in FAMILIES for name in family[1:]}
    for name in sorted(p.stem for p in (CATALOGUE / "correct").glob("*.py")):
        if name not in COPIED_CORRECT and name not in others:
            modules.append(catalogue_correct(name))
    mistakes = sorted(p.stem for p in (CATALOGUE / "mistakes").glob("*.py")
                      if p.stem not in COPIED_MISTAKES and not p.stem.endswith("_stub"))
    for name in mistakes:
        function, text = catalogue_mistake(name)
        other = "L2_reg" if function == "L1_reg" else "L1_reg"
        pair = [text, common_function(other, rng)]
        modules.append(module(*(pair if function == "L1_reg" else pair[::-1])))
    rng.shuffle(modules)
    modules = modules[:count - 10]
    for _ in range(2):  # last year's published solution, renamed
        modules.append(rename(module(reference_function("L1_reg"), reference_function("L2_reg")), rng))
    for name in ("L1_reg", "L2_reg", "L1_reg"):  # one function left as released
        other = "L2_reg" if name == "L1_reg" else "L1_reg"
        pair = {name: stub_function(name), other: common_function(other, rng)}
        modules.append(module(pair["L1_reg"], pair["L2_reg"]))
    while len(modules) < count:
        modules.append(module(common_function("L1_reg", rng), common_function("L2_reg", rng)))
    rng.shuffle(modules)
    return modules


def build_class(root: Path, honest: int = 53, seed: int = 23, extra_answers: dict | None = None) -> Path:
    """Write the course at ``root`` with ``honest`` honest students and the planted copies; return ``root``.

    ``extra_answers``: ``{student: {grade_id: text}}`` written over the generated answers.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(RELEASE, root / "release" / ASSIGNMENT, dirs_exist_ok=True)
    if not (root / "source").exists():
        (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    released = nbformat.read(RELEASE / NOTEBOOK, as_version=4)
    submissions = {}
    for number, source in enumerate(honest_modules(rng, honest)):
        submissions[f"s{number:03d}"] = {"code": source}
    for students, _ in PLANTED:
        for student in students:
            submissions[student] = {"code": module(common_function("L1_reg", rng), common_function("L2_reg", rng))}
    for answers in submissions.values():
        for grade_id in WRITTEN:
            answers[grade_id] = honest_answer(grade_id, rng)
    originals = {part: list(texts) for part, texts in ORIGINALS.items()}
    for students, parts in PLANTED:
        first = students[0]
        for part in parts:
            if part == "code":
                submissions[first]["code"] = PLANTED_CODE[first]()
            else:
                submissions[first][part] = originals[part].pop()
            for copier in students[1:]:
                submissions[copier][part] = (disguise_code if part == "code" else disguise_answer)(
                    submissions[first][part], rng)
    for student, answers in (extra_answers or {}).items():
        submissions[student].update(answers)
    for student, answers in submissions.items():
        write_submission(root, student, released, answers)
    return root


def write_submission(root: Path, student: str, released, answers: dict) -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(notebook, folder / NOTEBOOK)
    (folder / MODULE).write_text(answers["code"], encoding="utf-8")
    return folder
