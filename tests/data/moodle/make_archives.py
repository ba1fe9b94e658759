"""Rebuild the example Moodle downloads of this folder (run from anywhere).

Two downloads of the same Moodle assignment, as an instructor would save
them: ``download-1/`` before gus resubmitted, ``download-2/`` at the end.
Each holds Moodle's "Download all submissions" archive
(``<Full name>_<participant>_assignsubmission_file/<file>``) and its grading
worksheet CSV. The notebooks are the released notebook with written answers;
the modules come from ``examples/class`` and ``tests/catalogue``.

The students (roster: ``examples/roster.csv``):

| student | hands in | expected autograded | time (Frankfurt) |
|:--|:--|--:|:--|
| ada | correct (examples/class/ada) | 6 | 9 Nov, 18:12, on time |
| ben | L2 wrong (examples/class/ben) | 4 | 10 Nov, 09:59, on time |
| cem | the released stub | 0 | 10 Nov, 10:01, late by 1 minute |
| dana | correct (catalogue: pad) | 6 | 11 Nov, 12:00, late by 26 hours |
| eli | a module with a syntax error, the notebook renamed, an extra notes.txt | 0 | 10 Nov, 08:00, on time |
| fay | nothing | - | - |
| gus | first ben's module (download 1), then correct (catalogue: masks) | 6 | 10 Nov, 09:30 |
| hal | correct (catalogue: norms); the worksheet has no time | 6 | - |
"""

import csv
import json
import shutil
import zipfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RELEASE = REPO / "release" / "assignment2"
HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
          "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
ANSWERS = {
    "l1_explanation": "L1 pushes every weight towards zero by the same amount, so many become exactly zero.",
    "l2_explanation": "L2 shrinks weights in proportion to their size; large weights are penalized most.",
}


def module(path):
    return (REPO / path).read_text(encoding="utf-8")


STUDENTS = {  # roster id: (full name, participant, notebook name, module text, extra files, time)
    "ada": ("Ada Lovelace", "4711", "assignment2.ipynb", module("examples/class/ada/regularization.py"),
            {}, "Wednesday, 9 November 2022, 6:12 PM"),
    "ben": ("Ben Bitdiddle", "4712", "assignment2.ipynb", module("examples/class/ben/regularization.py"),
            {}, "Thursday, 10 November 2022, 9:59 AM"),
    "cem": ("Cem Yilmaz", "4713", "assignment2.ipynb", module("release/assignment2/regularization.py"),
            {}, "Thursday, 10 November 2022, 10:01 AM"),
    "dana": ("Dana Scully", "4714", "assignment2.ipynb", module("tests/catalogue/correct/pad.py"),
             {}, "Friday, 11 November 2022, 12:00 PM"),
    "eli": ("Eli Kim", "4715", "assignment2 (1).ipynb", "def L1_reg(W, reg)\n    return 0\n",
            {"notes.txt": "I ran out of time.\n"}, "Thursday, 10 November 2022, 8:00 AM"),
    "gus": ("Gus Fring", "4717", "assignment2.ipynb", module("tests/catalogue/correct/masks.py"),
            {}, "Thursday, 10 November 2022, 9:30 AM"),
    "hal": ("Hal Jordan", "4718", "assignment2.ipynb", module("tests/catalogue/correct/norms.py"), {}, "-"),
}
GUS_FIRST = ("Gus Fring", "4717", "assignment2.ipynb", module("examples/class/ben/regularization.py"),
             {}, "Tuesday, 8 November 2022, 3:00 PM")
EMAILS = {row["id"]: row["email"] for row in csv.DictReader(open(REPO / "examples" / "roster.csv"))}


def notebook_text():
    notebook = nbformat.read(RELEASE / "assignment2.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ANSWERS:
            cell.source = ANSWERS[grade_id]
    return nbformat.writes(notebook)


def write_download(folder, students):
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    notebook = notebook_text()
    with zipfile.ZipFile(folder / "DLCV-Assignment 2-submissions.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for fullname, participant, notebook_name, module_text, extra, _ in students.values():
            prefix = f"{fullname}_{participant}_assignsubmission_file/"
            archive.writestr(prefix + notebook_name, notebook)
            archive.writestr(prefix + "regularization.py", module_text)
            for name, text in extra.items():
                archive.writestr(prefix + name, text)
    with open(folder / "grading-worksheet.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        for student_id, (fullname, participant, _, _, _, time) in sorted(students.items()):
            writer.writerow([f"Participant {participant}", fullname, EMAILS[student_id],
                             "Submitted for grading", "", "10.00", "Yes", time, "-", ""])
        writer.writerow(["Participant 4716", "Fay Wong", EMAILS["fay"], "No submission", "", "10.00",
                         "Yes", "-", "-", ""])


def main():
    first = {k: v for k, v in STUDENTS.items() if k in ("ada", "ben", "cem")}
    first["gus"] = GUS_FIRST
    write_download(HERE / "download-1", first)
    write_download(HERE / "download-2", STUDENTS)
    print(json.dumps({"download-1": sorted(first), "download-2": sorted(STUDENTS)}))


if __name__ == "__main__":
    main()
