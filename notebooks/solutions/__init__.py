"""Worked solutions to the course exercises, one module per lesson (``lesson01`` ...).

Each ``exercise_N()`` returns the answer, computed with the engine the way a learner would;
``tests/notebooks/test_solutions.py`` checks that the lesson's self-check accepts it.
"""
