"""Large element-wise steps run slice by slice on several threads: same numbers, same safety."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import Adam, Optimizer, RMSProp

N = 5 * Adam.chunk_size + 11  # several slices, the last one short


def _run(cls, threads, monkeypatch, steps=3, **kwargs):
    monkeypatch.setenv("ALR_TEACH_THREADS", str(threads))
    rng = np.random.default_rng(1)
    opt, x = cls(**kwargs), rng.normal(size=N)
    for _ in range(steps):
        x = opt.step(x, rng.normal(size=N) * 10.0 ** rng.integers(-3, 3, size=N))
    return x, opt.state


@pytest.mark.parametrize("cls, kwargs", [(Adam, {"lr": 0.01, "amsgrad": True}),
                                         (RMSProp, {"momentum": 0.9, "centered": True})])
def test_thread_count_does_not_change_a_single_bit(cls, kwargs, monkeypatch):
    x1, s1 = _run(cls, 1, monkeypatch, **kwargs)
    x3, s3 = _run(cls, 3, monkeypatch, **kwargs)
    np.testing.assert_array_equal(x1, x3)
    for name in s1:
        np.testing.assert_array_equal(s1[name], s3[name])


class FailsOnSomeSlice(Optimizer):
    """An element-wise rule that raises when it meets a NaN gradient (a learner's check)."""

    elementwise = True

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {"total": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        if np.isnan(g).any():
            raise FloatingPointError("NaN gradient")
        s.total = s.total + g
        return x - h.lr * g


@pytest.mark.parametrize("threads", [1, 2])
def test_an_error_in_a_helper_thread_reaches_the_caller_and_changes_nothing(threads, monkeypatch):
    monkeypatch.setenv("ALR_TEACH_THREADS", str(threads))
    opt = FailsOnSomeSlice()
    x = opt.step(np.zeros(N), np.ones(N))
    before = opt.state["total"].copy()
    bad = np.ones(N)
    bad[-3] = np.nan  # in the last slice: a helper thread's share when threads > 1
    with pytest.raises(FloatingPointError, match="NaN gradient"):
        opt.step(x, bad)
    assert opt.t == 1
    np.testing.assert_array_equal(opt.state["total"], before)
    x = opt.step(x, np.ones(N))
    np.testing.assert_array_equal(opt.state["total"], 2 * np.ones(N))
    np.testing.assert_array_equal(x, -0.2 * np.ones(N))
