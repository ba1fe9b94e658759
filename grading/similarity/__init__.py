"""Who copied from whom: a local similarity report across the class, for code and written answers.

- :mod:`grading.similarity.documents`: what is compared. A module becomes units
  (logical lines) of normalized tokens (Python's ``tokenize``: comments, blank
  lines and docstrings dropped, the student's own names replaced by one
  placeholder), a written answer units (sentences) of normalized words (lower
  case, stop words dropped, a course glossary of synonyms, Snowball stems).
- :mod:`grading.similarity.compare`: fingerprints (``copydetect``'s k-gram hashing
  within each unit), the released stub's and the reference solution's
  fingerprints discounted, and each pair scored by how *rare* the material it
  shares is across the class.
- :mod:`grading.similarity.page`: the self-contained HTML page, student text
  escaped and sanitized as formgrader's.

``python -m grading.tools.similarity`` reads a class and writes the report.
Nothing leaves the machine.
"""
