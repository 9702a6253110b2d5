"""Tests of the margin engine (a package, so its conftest never clashes with another folder's)."""
