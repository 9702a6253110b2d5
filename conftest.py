"""Test-session settings shared by every test folder and the executed lessons."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Lessons record a learner's progress beside themselves; under test (including the kernels
# nbval starts, which inherit this environment) it goes to a throw-away folder instead.
os.environ["MARGIN_WIDGETS_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="mw-progress-")


@pytest.fixture(autouse=True)
def _no_progress_book_between_tests() -> Iterator[None]:
    """A lesson run in-process starts recording progress; no test inherits that book."""
    from margin_widgets import course

    course.stop_recording()
    yield
    course.stop_recording()
