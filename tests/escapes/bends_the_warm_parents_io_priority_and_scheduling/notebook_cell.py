import importlib
import os
import sys

os.environ["DLCV_REPORT_ONLY"] = "1"
sys.modules.pop("regularization", None)
import regularization  # noqa: E402,F401 (reports what the kernel after the death sees)
