"""alr_teach: adaptive learning-rate optimizers, step by step, in plain numpy.

Every optimizer takes ``new_params = opt.step(params, grads)`` with ``params`` one
ndarray or a list of ndarrays; keyword names and defaults follow ``torch.optim``.
See :class:`alr_teach.optimizers.base.Optimizer` to write your own.

The package has layers, each a folder (``docs/architecture.md`` draws them):

``optimizers``  the update rules, schedules and wrappers (numpy only)
``problems``    what is optimised: 2-D landscapes, the MLP and its estimator, data sets
``lab``         running, sweeping, comparing, searching, diagnosing curves
``viz``         figures, widgets and the interactive explorers
``lessons``     code that one notebook alone needs, one module per notebook
``course``      the exercise checks, the claim helper and the doctor

``import alr_teach`` loads the optimizers and numpy alone; ``MLPClassifier``, ``checks``
and ``claims`` are imported on first use.
"""

from alr_teach.optimizers import (
    LAMB,
    SGD,
    SGDHD,
    AdaDelta,
    AdaGrad,
    Adam,
    Adamax,
    AdamHD,
    AdamW,
    Lookahead,
    NAdam,
    NovoGrad,
    Optimizer,
    RAdam,
    Ranger,
    RMSProp,
    Scheduled,
)

__all__ = [
    "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "AdaDelta", "Adamax", "NAdam", "RAdam",
    "LAMB", "NovoGrad", "Lookahead", "Ranger", "SGDHD", "AdamHD",
    "Optimizer", "Scheduled", "MLPClassifier", "checks", "claims",
]
__version__ = "0.1.0"

_LAZY = {
    "MLPClassifier": ("alr_teach.problems.estimator", "MLPClassifier"),
    "checks": ("alr_teach.course.checks", None),
    "claims": ("alr_teach.course.claims", None),
}


def __getattr__(name: str):
    """``MLPClassifier`` (scikit-learn), ``checks`` and ``claims`` load on first use."""
    if name in _LAZY:
        from importlib import import_module

        module_name, attribute = _LAZY[name]
        module = import_module(module_name)
        return getattr(module, attribute) if attribute else module
    raise AttributeError(f"module 'alr_teach' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, so tab completion offers them before their first use."""
    return sorted({*globals(), *_LAZY})
