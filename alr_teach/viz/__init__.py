"""Figures, widgets and the interactive explorers.

matplotlib throughout; ipywidgets is imported only when a widget is built.
"""
