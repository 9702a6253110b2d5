"""Test-session settings shared by every test folder and the executed lessons."""

from __future__ import annotations

import os
import tempfile

# Lessons record a learner's progress beside themselves; under test (including the kernels
# nbval starts, which inherit this environment) it goes to a throw-away folder instead.
os.environ["MARGIN_WIDGETS_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="mw-progress-")
