"""Experiments: run an optimizer on a problem, sweep, compare fairly, search rates, read curves.

Imports optimizers and problems; never viz (figures of lab results live in :mod:`alr_teach.viz`).
"""

__all__: list[str] = []  # import from the modules themselves
