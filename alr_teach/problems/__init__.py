"""What is optimised: 2-D test landscapes, the numpy MLP and its scikit-learn estimator, data sets.

Imports numpy, scikit-learn and :mod:`alr_teach.optimizers`; never lab, viz, lessons or course.
"""

__all__: list[str] = []  # import from the modules themselves
