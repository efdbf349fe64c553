"""alr_teach: adaptive learning-rate optimizers, step by step, in plain numpy.

Every optimizer takes ``new_params = opt.step(params, grads)`` with ``params`` one
ndarray or a list of ndarrays; keyword names and defaults follow ``torch.optim``.
See :class:`alr_teach.base.Optimizer` to write your own.
"""

from . import checks, schedules
from .adadelta import AdaDelta
from .adagrad import AdaGrad
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .base import Optimizer
from .hypergradient import SGDHD, AdamHD
from .layerwise import LAMB, NovoGrad
from .lookahead import Lookahead, Ranger
from .rmsprop import RMSProp
from .schedules import Scheduled
from .sgd import SGD

__all__ = [
    "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "AdaDelta", "Adamax", "NAdam", "RAdam",
    "LAMB", "NovoGrad", "Lookahead", "Ranger", "SGDHD", "AdamHD",
    "Optimizer", "Scheduled", "schedules", "checks", "MLPClassifier",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``alr_teach.MLPClassifier`` is imported on first use: the core needs numpy alone."""
    if name == "MLPClassifier":
        from .estimator import MLPClassifier

        return MLPClassifier
    raise AttributeError(f"module 'alr_teach' has no attribute {name!r}")
