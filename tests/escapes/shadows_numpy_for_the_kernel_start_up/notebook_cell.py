import os, sys
log = getattr(sys.modules.get("numpy"), "DLCV_STARTUP_ATTACK", None)
if log is None:
    print("numpy.py did not run at start-up: the kernel had imported the real NumPy before "
          "the submission's files came (a kernel started ahead)")
else:
    print("numpy.py ran at start-up:", "; ".join(log))
print("numpy.py in the working folder:", os.path.isfile("numpy.py"))
