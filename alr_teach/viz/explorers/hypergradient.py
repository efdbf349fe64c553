"""The hypergradient explorer: SGD-HD or Adam-HD beside the constant rate it starts from."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.runner import run
from alr_teach.optimizers import registry
from alr_teach.problems.landscapes import LANDSCAPES
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.explorers.base import Control, Explorer, IntSlider, LogSlider, Menu
from alr_teach.viz.plots import style

__all__ = ["EXPLORER_METHODS", "HypergradientExplorer"]

#: The methods the explorer runs (registry names); ``beta = 0`` gives each one's base method.
EXPLORER_METHODS = ("SGD-HD", "Adam-HD")


class HypergradientExplorer(Explorer):
    r"""A hypergradient run next to the constant rate it starts from, on a 2-D landscape.

    Settings: ``method`` (one of :data:`EXPLORER_METHODS`), ``landscape`` (a name from
    :data:`alr_teach.problems.landscapes.LANDSCAPES`), ``lr`` (:math:`\eta_0`), ``beta`` and
    ``steps``. Each update runs the method with ``beta`` and with ``beta = 0`` (the base
    method at the constant rate :math:`\eta_0`) as one batched run and draws the rate
    :math:`\eta_t` on the left, the loss above the minimum on the right. The summary:
    ``final_lr``, ``lowest_lr``, ``final_loss``, ``constant_final_loss``, ``diverged_at``
    and ``constant_diverged_at``.
    """

    DEFAULTS = {"method": "SGD-HD", "landscape": "rotated quadratic", "lr": 1e-3,
                "beta": 1e-4, "steps": 200}
    FIGSIZE = (11, 4.2)
    STATIC_FIGSIZE = (12, 4.4)
    ROWS = (("beta", "lr", "steps"), ("method", "landscape"))

    def check(self, settings: dict) -> dict:
        check.one_of("method", settings["method"], EXPLORER_METHODS)
        check.one_of("landscape", settings["landscape"], LANDSCAPES)
        check.nonnegative("lr", settings["lr"])
        check.nonnegative("beta", settings["beta"])
        check.whole("steps", settings["steps"], low=1)
        return settings

    def compute(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""``(rates, losses, diverged_at)`` of the two runs (hypergradient first).

        ``rates`` and ``losses`` have shape ``(2, steps + 1)``: :math:`\eta_t` for
        :math:`t = 0 \dots` steps (:math:`\eta_0` first) and the loss above the
        landscape's minimum before each step and after the last; NaN after a divergence.
        """
        s = self.settings
        landscape = get_landscape(s["landscape"])
        optimizer = registry.make(s["method"], lr=s["lr"], beta=np.array([s["beta"], 0.0]))
        start = np.asarray(landscape.start, dtype=float)
        trajectory = run(optimizer, landscape, np.stack([start, start]), s["steps"])
        rates = np.concatenate([np.full((1, 2), float(s["lr"])),
                                trajectory.state["lr_t"][:, :, 0]]).T
        floor = landscape.min_value if np.isfinite(landscape.min_value) else 0.0
        return rates, trajectory.losses.T - floor, trajectory.diverged_at

    def summarise(self, result) -> dict:
        rates, losses, diverged_at = result
        return {
            "final_lr": float(rates[0, -1]), "lowest_lr": float(np.nanmin(rates[0])),
            "final_loss": float(losses[0, -1]), "constant_final_loss": float(losses[1, -1]),
            "diverged_at": int(diverged_at[0]), "constant_diverged_at": int(diverged_at[1]),
        }

    def _labels(self) -> list[str]:
        s = self.settings
        return [f"{s['method']} (β = {s['beta']:.1e})", f"constant η0 = {s['lr']:.1e} (β = 0)"]

    def draw(self, fig: Figure) -> dict:
        """Empty lines and labelled axes: the hypergradient run first, the constant second."""
        ax_rate, ax_loss = fig.subplots(1, 2)
        rate_lines = [ax_rate.plot([], [], markevery=0.1, markersize=4, **style(i))[0]
                      for i in range(2)]
        loss_lines = [ax_loss.plot([], [], markevery=0.1, markersize=4, **style(i))[0]
                      for i in range(2)]
        ax_rate.axhline(0.0, color="0.6", linewidth=0.8)
        ax_rate.set(xlabel="step t", ylabel="learning rate η_t")
        ax_loss.set(xlabel="step t", ylabel="loss − minimum (log scale)", yscale="log",
                    ylim=(1e-16, 1e8), title="Loss against step")
        return {"rate": ax_rate, "loss": ax_loss, "rate_lines": rate_lines,
                "loss_lines": loss_lines}

    def show(self, view: dict, result) -> None:
        """Put the two runs on the lines, rescale the rate axis, relabel the legends."""
        rates, losses, _ = result
        ax_rate, ax_loss = view["rate"], view["loss"]
        steps = np.arange(rates.shape[1])
        for line, rate in zip(view["rate_lines"], rates):
            line.set_data(steps, rate)
        for line, loss in zip(view["loss_lines"], losses):
            ok = np.isfinite(loss)
            line.set_data(steps[ok], np.maximum(loss[ok], 1e-16))
        finite = rates[np.isfinite(rates)]
        low, high = (min(finite.min(), 0.0), finite.max()) if finite.size else (0.0, 1.0)
        pad = 0.05 * (high - low or 1.0)
        ax_rate.set(xlim=(0, steps[-1]), ylim=(low - pad, high + pad))
        ax_loss.set_xlim(0, steps[-1])
        s = self.settings
        ax_rate.set_title(f"{s['method']} on {s['landscape']}: the rate η_t")
        for lines, ax in ((view["rate_lines"], ax_rate), (view["loss_lines"], ax_loss)):
            for line, label in zip(lines, self._labels()):
                line.set_label(label)
            ax.legend(fontsize=8, loc="best")

    def control_specs(self) -> dict[str, Control]:
        """Sliders (applied on release) for β, η0 and the steps; menus for method, landscape."""
        return {
            "beta": LogSlider(-8, 0, 0.25, "hyper-rate β"),
            "lr": LogSlider(-5, 0, 0.25, "initial rate η0"),
            "steps": IntSlider(10, 1000, 10, "steps"),
            "method": Menu(EXPLORER_METHODS, "method"),
            "landscape": Menu(tuple(LANDSCAPES), "landscape"),
        }
