"""The OS sandbox that every piece of student code runs in.

``bubblewrap`` builds and launches the sandbox (``c.Sandbox.*``); ``kernel``
is the sandboxed Jupyter kernel manager that ``ResilientExecute`` uses;
``regrade`` runs the isolated re-grade's ``child`` and collects its numbers.
"""
