"""Figures, widgets and the interactive explorers.

matplotlib throughout; ipywidgets is imported only when a widget is built.
"""

__all__: list[str] = []  # import from the modules themselves
