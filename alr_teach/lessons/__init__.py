"""Code that one notebook alone needs, in a module (or folder) named after that notebook.

Nothing in the package imports from here.
"""

__all__: list[str] = []  # import from the modules themselves
