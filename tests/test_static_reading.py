"""The static readers read the module as Python reads it, within bounds, or refuse it with a reason.

``grading.source.module_text`` gives the audit and the loop check the text
Python executes, and refuses modules in another encoding than UTF-8;
``IsolatedRegrade`` flags what they refuse or cannot read (too large, too
deep, another encoding), and gives no points for the loop check it could
not do. Unit tests: no nbgrader run; the re-grade's result is handed in.
"""

import ast
import concurrent.futures
import hashlib
import importlib.util
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading import checks
from grading.preprocessors.isolated_regrade import IsolatedRegrade, isolated_scores, static_source
from grading.preprocessors.snapshot import SnapshotModule
from grading.sandbox.regrade import Limits
from grading.source import Unreadable, declared_encodings, module_text
from support.helpers import student_module_source

HERE = Path(__file__).resolve().parent
UTF7 = (HERE / "tamper" / "utf7_hides_loops_from_the_audit" / "regularization.py").read_bytes()
HONEST = student_module_source().encode()

LOOP_IN_UTF7 = b"def L1_reg(W, reg):\n    R = 0 # +AAo-    for w in W: R = R +- w\n    return R, W\n"

# Decoding tricks: what each would hide, and that a reader must refuse it.
REFUSED = {
    "utf7_cookie": (b"# -*- coding: utf-7 -*-\n" + LOOP_IN_UTF7, "declares the encoding 'utf-7'"),
    "utf7_cookie_on_line_2": (b"#!/usr/bin/env python\n# vim: set coding=utf-7 :\n" + LOOP_IN_UTF7,
                              "declares the encoding 'utf-7'"),
    "utf7_cookie_with_cr_line_endings": ((b"# coding: utf-7\n" + LOOP_IN_UTF7).replace(b"\n", b"\r"),
                                         "declares the encoding 'utf-7'"),
    "utf7_cookie_after_a_form_feed": (b"\x0c# coding: utf-7\n" + LOOP_IN_UTF7, "declares the encoding 'utf-7'"),
    "utf7_cookie_after_a_bom": (b"\xef\xbb\xbf# coding: utf-7\n" + LOOP_IN_UTF7, "declares the encoding 'utf-7'"),
    "utf7_cookie_in_line_2_after_code": (b"import numpy\n# coding: utf-7\n" + LOOP_IN_UTF7,
                                         "declares the encoding 'utf-7'"),
    # In latin-1 the bytes of "é" (UTF-8) are two characters: a reader in UTF-8 reads other text.
    "latin1_cookie": ("# coding: latin-1\ns = 'é'\n".encode(), "declares the encoding 'latin-1'"),
    "unknown_codec": (b"# coding: rot-13\nx = 1\n", "declares the encoding 'rot-13'"),
    "null_bytes": (b"x = 1\n\x00\n", "holds null bytes"),
    "invalid_utf8": (b"s = '\xff'\n", "is not valid UTF-8"),
}

# Read, and read as Python reads them.
READ = {
    "plain": b"x = 1\n",
    "bom": b"\xef\xbb\xbfx = 1\n",
    "utf8_cookie": b"# -*- coding: utf-8 -*-\nx = 'caf\xc3\xa9'\n",
    "utf8_cookie_spelled_otherwise": b"# coding=UTF8\nx = 1\n",
    "cr_line_endings": b"x = 1\ry = [\r  2]\r",
    "crlf_line_endings": b"x = 1\r\ny = [\r\n  2]\r\n",
    "form_feed": b"x = 1\n\x0cy = 2\n",
    "continuation_over_cr": b"x = 1 + \\\r2\r",
    "unicode_line_separator_in_a_string": "s = '\u2028'\nt = 1\n".encode(),
}


@pytest.mark.parametrize("data, reason", REFUSED.values(), ids=REFUSED.keys())
def test_a_module_in_another_encoding_or_with_hidden_bytes_is_refused_with_the_reason(data, reason):
    with pytest.raises(Unreadable, match=reason):
        module_text(data)


@pytest.mark.parametrize("data", READ.values(), ids=READ.keys())
def test_the_text_read_is_the_text_python_compiles(data):
    text = module_text(data)
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(data))  # bytes: Python decodes them itself
    assert text == importlib.util.decode_source(data)


def test_the_utf7_tamper_hides_a_loop_from_a_utf8_reader_but_not_from_python():
    from grading.loops import find_loops

    assert find_loops(UTF7.decode("utf-8"), "L1_reg") == []  # what main's re-grade read
    assert find_loops(importlib.util.decode_source(UTF7), "L1_reg") == ["line 11 uses a for loop"]
    with pytest.raises(Unreadable, match="utf-7"):
        module_text(UTF7)


def test_every_coding_declaration_in_the_first_two_lines_is_seen():
    assert declared_encodings(b"x = 1  # coding: utf-7\n# coding=latin-1\n# coding: cp1252\n") == ["utf-7", "latin-1"]


def test_a_module_larger_than_the_cap_is_refused_with_its_size():
    with pytest.raises(Unreadable, match=r"is 11 bytes, more than the audit reads \(10 bytes\)"):
        module_text(b"x = 12345\n\n", max_bytes=10)
    assert module_text(b"x = 1234\n\n", max_bytes=10) == "x = 1234\n\n"


def test_the_loop_check_reads_a_functions_file_as_python_does(tmp_path, monkeypatch):
    # Without a source, check_vectorized reads the function's file itself (the master notebook).
    for name, data in (("utf7", UTF7), ("bom", b"\xef\xbb\xbf" + HONEST)):
        path = tmp_path / f"{name}.py"
        path.write_bytes(data)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if name == "utf7":
            with pytest.raises(checks.CheckFailed, match="could not read the module.*utf-7"):
                checks.check_vectorized(checks.L1, module.L1_reg)
        else:
            checks.check_vectorized(checks.L1, module.L1_reg)


# IsolatedRegrade's report, with the re-grade's result handed in.

def graded(grade_id):
    cell = new_code_cell("pass", metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "locked": True, "points": 1, "schema_version": 3,
        "solution": False, "task": False}})
    cell.outputs = []
    return cell


def added(source):
    return new_code_cell(source)


def report(tmp_path, data, cells=(), refused=None, **settings):
    (tmp_path / "regularization.py").write_bytes(data)
    nb = new_notebook(cells=[*cells, *(graded(g) for g in checks.GRADE_IDS)])
    collected = {"module": data, "sha256": hashlib.sha256(data).hexdigest(), "refused": refused}
    regrade = concurrent.futures.Future()
    regrade.set_result(({g: (True, "") for g in checks.GRADE_IDS}, []))  # every check passed in the sandbox
    return IsolatedRegrade(**settings).make_report(nb, tmp_path, collected, "student", None, regrade)


def scores(result):
    return {g: c["score"] for g, c in result.cells.items()}


def test_an_honest_module_and_cells_are_read_and_keep_their_points(tmp_path):
    result = report(tmp_path, HONEST, [added("import matplotlib.pyplot as plt\nx = np.sum(W)\n")])
    assert not result.flagged and set(scores(result).values()) == {1}


@pytest.mark.parametrize("data, settings, reason", [
    (HONEST, {"audit_max_bytes": 1000}, f"regularization.py is {len(HONEST)} bytes, more than the audit reads"),
    (UTF7, {}, "declares the encoding 'utf-7'"),
    (b"\xef\xbb\xbf# coding: utf-7\n" + HONEST, {}, "declares the encoding 'utf-7'"),
    (HONEST + b"\nx = " + b"lambda: " * 400 + b"0\n", {}, "nested more deeply than the audit reads"),
], ids=["larger_than_the_cap", "utf7", "bom_and_utf7", "nested_too_deeply"])
def test_a_module_the_readers_refuse_is_flagged_and_loses_only_the_vectorized_points(tmp_path, data, settings,
                                                                                   reason):
    result = report(tmp_path, data, **settings)
    assert result.flagged and any(reason in r for r in result.reasons), result.reasons
    for grade_id, cell in result.cells.items():
        if grade_id.endswith("_vectorized"):
            assert cell["score"] == 0 and reason in cell["message"] and "loop check could not read" in cell["message"]
        else:
            assert cell["score"] == 1, grade_id


def test_student_cells_past_the_cap_are_flagged_instead_of_audited(tmp_path):
    cells = [added("x = 1\n" * 10), added("open('/etc/passwd')\n" + "y = 2\n" * 600), added("z = 3\n")]
    cap = len(HONEST) + 100
    result = report(tmp_path, HONEST, cells, audit_max_bytes=cap)
    assert result.flagged
    assert result.reasons == [f"the student's notebook cells hold more than {cap} bytes of code, more than the "
                              "audit reads; 2 cell(s) from notebook cell 2 on were not audited"]
    assert set(scores(result).values()) == {1}  # cells are flagged, never scored, by the audit


def test_a_cell_the_audit_cannot_read_is_flagged_with_the_reason(tmp_path):
    result = report(tmp_path, HONEST, [added("t = %time f(1)\n" * 40)])
    assert result.flagged and result.reasons == [
        "notebook cell 1 uses IPython syntax (magics, ?, !) in more than 15 places among lines of Python; "
        "it was not audited"]


def test_a_module_the_snapshot_refused_is_flagged(tmp_path):
    (tmp_path / "regularization.py").write_bytes(b"#" * 100)
    _, resources = SnapshotModule(max_bytes=10).preprocess(new_notebook(), {"metadata": {"path": str(tmp_path)}})
    refused = resources["collected"]["refused"]
    assert refused == "regularization.py is larger than SnapshotModule.max_bytes (10 bytes); it was not graded"
    (tmp_path / "elsewhere.py").write_bytes(HONEST)
    (tmp_path / "regularization.py").unlink()
    (tmp_path / "regularization.py").symlink_to(tmp_path / "elsewhere.py")
    _, resources = SnapshotModule().preprocess(new_notebook(), {"metadata": {"path": str(tmp_path)}})
    assert resources["collected"]["module"] is None
    assert "is not a regular file" in resources["collected"]["refused"]


@pytest.mark.e2e  # runs the student's module in a child process
def test_the_regrade_reads_a_module_with_a_byte_order_mark_as_python_does():
    # On main the loop check read the mark as a character, raised SyntaxError, and the whole
    # integrity check failed: every cell scored 0 for an honest module saved "with BOM".
    data = b"\xef\xbb\xbf" + HONEST
    source, refusal = static_source(data, 64 * 1024)
    assert refusal is None
    cells, faults = isolated_scores(data, source, Limits())
    assert faults == [] and all(passed for passed, _ in cells.values()), cells


@pytest.mark.e2e  # runs the student's module in a child process
def test_the_regrade_gives_no_vectorized_points_for_a_module_it_refused():
    source, refusal = static_source(UTF7, 64 * 1024)
    assert source is None and "utf-7" in refusal
    cells, _ = isolated_scores(UTF7, source, Limits(), refusal=refusal)
    assert {g for g, (passed, _) in cells.items() if not passed} == {"l1_vectorized", "l2_vectorized"}
    assert all(refusal in cells[g][1] for g in ("l1_vectorized", "l2_vectorized"))
