"""A student's error message reaches ``report.md`` as text, never as markup.

The class report's checks table quotes the message most failing students saw:
the ``evalue`` (and ``ename``) of an error output in the autograded notebook,
which the student's own code chooses (``raise type("CheckFailed", (Exception,),
{})("...")``). ``report.html`` escapes it; ``report.md`` is opened in JupyterLab
or on a course page, whose Markdown renderers keep inline HTML, links and
images. Rendered here with nbconvert's Markdown renderer (mistune, raw HTML
kept, as those renderers do).
"""

from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from grading.tools.class_report import CHECK_COLUMNS, _cell, _markdown, student_columns

#: Markup a failing check's message could carry: rows closing the table and faking a score, an image
#: the grader's browser would fetch, a link, emphasis and a code span that would swallow the count.
HOSTILE = ('</td></tr><tr><td>alice</td><td>10 of 10</td></tr><img src="/api/contents/x.txt"> '
           '[all checks passed](https://example.invalid/) ![beacon](https://example.invalid/b.png) '
           '**bold** _em_ ~~struck~~ $\\rule{9em}{9em}$ `code &amp; <b>`')


def rendered_report(message):
    columns = student_columns(8, 2)
    students = [["bob", "Bob B", "3", "-", "3", "2026-01-01", "on time", "ok", "-"]]
    checks = [["l1_reg_values", "1 of 1", f"{message} (1)", "0"]]
    return BeautifulSoup(markdown2html_mistune(_markdown("assignment2", "summary", columns, students, checks)),
                         "html.parser")


def test_a_hostile_check_message_is_one_table_cell_of_text():
    soup = rendered_report(HOSTILE)
    checks_table = soup.find_all("table")[-1]
    assert [th.get_text() for th in checks_table.find_all("th")] == CHECK_COLUMNS
    rows = checks_table.find("tbody").find_all("tr")
    assert len(rows) == 1
    assert [cell.get_text() for cell in rows[0].find_all("td")] == ["l1_reg_values", "1 of 1", f"{HOSTILE} (1)", "0"]
    assert checks_table.find_all(["img", "strong", "em", "del", "b", "code", "span"]) == []
    # A bare URL may become a link (GitHub's autolinks), but one that shows where it goes.
    assert all(link.get_text() == link["href"] for link in checks_table.find_all("a"))
    assert len(soup.find_all("table")) == 2 and not soup.find("img", src="/api/contents/x.txt")


def test_an_honest_message_reads_as_written():
    message = "L1_reg(W=[1, -2], reg=0.5): expected 1.5, got 3.0 * 0.5 | see check_l1"
    rows = rendered_report(message).find_all("table")[-1].find("tbody").find_all("tr")
    assert rows[0].find_all("td")[2].get_text() == f"{message} (1)"


def test_grade_ids_numbers_and_lateness_stay_as_written_in_the_markdown():
    assert _cell("l1_reg_values") == "l1_reg_values"
    assert _cell("late by 26.0 h") == "late by 26.0 h"
    assert _cell("_x_ $a$ a|b") == "\\_x\\_ \\$a\\$ a\\|b"
