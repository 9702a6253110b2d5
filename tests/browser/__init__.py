"""margin_widgets test suite."""
