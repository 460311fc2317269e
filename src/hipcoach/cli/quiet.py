"""A quiet terminal: the native libraries' own logging (TensorFlow Lite, absl, glog,
protobuf) kept out of the coach's conversation unless `hipcoach --verbose`.

MediaPipe's C++ code writes straight to file descriptor 2, below Python, so environment
variables alone do not silence all of it. Unless verbose, descriptor 2 is pointed at the
null device while Python's `sys.stderr` keeps the real terminal: our own one-line errors
and warnings still show, the libraries' chatter does not.
"""

from __future__ import annotations

import os
import sys
import warnings

NATIVE_LOG_ENV = {
    "GLOG_minloglevel": "2",  # glog: errors only
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow (Lite): errors only
    "ABSL_MIN_LOG_LEVEL": "2",
}


def silence_native_logs() -> bool:
    """Silence native logging for the rest of this process. True when descriptor 2 was
    redirected (only when `sys.stderr` is the process's real stderr, so test runners that
    capture output are left alone)."""
    for key, value in NATIVE_LOG_ENV.items():
        os.environ.setdefault(key, value)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"google\.protobuf")
    try:
        if sys.stderr is None or sys.stderr.fileno() != 2:
            return False
    except (AttributeError, OSError, ValueError):
        return False  # a captured or replaced stderr: not ours to move
    sys.stderr.flush()
    keep = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    sys.stderr = os.fdopen(keep, "w", buffering=1, encoding=sys.stderr.encoding)
    return True
