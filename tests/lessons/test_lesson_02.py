"""Implementation details that notebook 02 (momentum) relies on, kept out of the lesson."""

from alr_teach import SGD


def test_sgd_has_no_momentum_unless_asked_like_torch():
    assert SGD(lr=0.1).momentum == 0.0
    assert SGD(lr=0.1).nesterov is False
