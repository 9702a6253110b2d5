"""Benchmarks of margin_widgets: printed figures with goals, not tests.

``python -m benchmarks`` runs every suite: ``benchmarks.engine`` (the margin engine), then
``benchmarks.widgets`` when it is present.
"""
