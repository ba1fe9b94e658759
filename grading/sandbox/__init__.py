"""The OS sandbox that every piece of student code runs in.

``bubblewrap`` builds and launches the sandbox (``c.Sandbox.*``); ``kernel``
is the sandboxed Jupyter kernel manager that ``ResilientExecute`` uses;
``warm`` has its kernels forked by a warm parent (``zygote``) inside a
sandbox; ``regrade`` runs the isolated re-grade's ``child`` and collects its
numbers.
"""

#: Command-line options of the plain path: every kernel and re-grade child a
#: new Python started when it is needed (no warm parent, nothing started
#: ahead). It grades exactly as the default, fast path; tests and the
#: benchmark compare the two.
PLAIN_PATH = ("--Sandbox.warm_parent=False", "--Sandbox.start_ahead=False")
