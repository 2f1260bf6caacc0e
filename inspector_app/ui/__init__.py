"""Qt (PySide6) user interface."""
