"""The update rules: every optimizer of the course, its schedules and its wrappers.

Each module holds one family and imports only numpy, :mod:`alr_teach._validation` and
:mod:`alr_teach.optimizers.base` (or a sibling rule it extends). Start with
:class:`~alr_teach.optimizers.base.Optimizer`, then ``sgd.py`` and ``adam.py``.
"""

from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam, AdamW
from alr_teach.optimizers.adam_variants import Adamax, NAdam, RAdam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.hypergradient import SGDHD, AdamHD
from alr_teach.optimizers.layerwise import LAMB, NovoGrad
from alr_teach.optimizers.lookahead import Lookahead, Ranger
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.schedules import Scheduled
from alr_teach.optimizers.sgd import SGD
from alr_teach.optimizers.wrapper import Wrapper

__all__ = [
    "SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "AdaDelta", "Adamax", "NAdam", "RAdam",
    "LAMB", "NovoGrad", "Lookahead", "Ranger", "SGDHD", "AdamHD", "Optimizer", "Scheduled",
    "Wrapper",
]
