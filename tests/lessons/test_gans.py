"""Games: the bilinear game as derived, optimistic GD, the explorer, and the stacked 1-D GAN."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam, RMSProp
from alr_teach.lessons.in_the_wild.gans import (
    GAME_METHODS,
    BilinearGame,
    GameExplorer,
    Mixture,
    gan_gradients,
    growth_factor,
    mode_shares,
    play,
    play_method,
    stack_networks,
    train_gans,
    unstack_network,
    wasserstein_1d,
)
from alr_teach.optimizers.optimistic import OptimisticGD
from alr_teach.problems import mlp

GAME = BilinearGame()


# -- the bilinear game ------------------------------------------------------------------------
def test_each_player_descends_its_own_loss():
    z = np.array([[2.0, -3.0], [0.5, 4.0]])
    assert_array_equal(GAME.grads(z), [[-3.0, -2.0], [4.0, -0.5]])  # (y, -x)
    assert_array_equal(GAME.value(z), [-6.0, 2.0])


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5])
def test_simultaneous_gda_spirals_out_by_root_one_plus_lr_squared(lr):
    run = play(lambda: SGD(lr=lr), GAME, start=[1.0, -0.5], steps=60)
    expected = np.hypot(1.0, 0.5) * growth_factor(lr) ** np.arange(61)
    assert_allclose(run.distance, expected, rtol=1e-12)


def test_alternating_gda_is_the_area_preserving_map():
    lr = 0.3
    run = play(lambda: SGD(lr=lr), GAME, start=[1.0, 0.0], steps=50, alternating=True)
    x, y = 1.0, 0.0
    for t in range(1, 51):
        x = x - lr * y
        y = y + lr * x
        assert_allclose(run.points[t], [x, y], rtol=1e-13, atol=1e-15)
    assert run.distance.max() < 1.5 and run.distance.min() > 0.5


def test_a_batch_of_games_equals_the_games_one_by_one():
    lrs = np.array([0.05, 0.2, 0.4])
    starts = np.array([[1.0, 1.0], [-0.5, 2.0], [0.3, -0.1]])
    batch = play(lambda: Adam(lr=lrs), GAME, start=starts, steps=40)
    for i in range(3):
        alone = play(lambda i=i: Adam(lr=lrs[i]), GAME, start=starts[i], steps=40)
        assert_allclose(batch.points[:, i], alone.points, rtol=1e-13, atol=1e-15)


def test_play_rejects_a_start_that_is_not_a_point_of_the_plane():
    with pytest.raises(ValueError, match="Invalid start"):
        play(lambda: SGD(lr=0.1), GAME, start=[1.0, 2.0, 3.0])


def test_optimistic_gd_steps_by_twice_the_gradient_minus_the_last_one():
    opt = OptimisticGD(lr=0.1)
    x0, g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([-1.0, 1.0])
    x1 = opt.step(x0, g1)
    assert_allclose(x1, x0 - 0.1 * g1, rtol=1e-15)
    g1[:] = 100.0  # the caller's array changes: the state must not
    x2 = opt.step(x1, g2)
    assert_allclose(x2, x1 - 0.1 * (2 * g2 - np.array([0.5, 2.0])), rtol=1e-15)
    assert_array_equal(opt.state["prev_grad"], g2)
    with pytest.raises(ValueError, match="Invalid lr"):
        OptimisticGD(lr=-1.0)


def test_optimism_converges_where_gda_spirals_out():
    run = play(lambda: OptimisticGD(lr=0.2), GAME, steps=300)
    assert run.distance[-1] < 0.01 * run.distance[0]
    assert run.distance[100:].max() < run.distance[:100].min()


def test_every_method_of_the_menu_plays_and_unknown_names_are_rejected():
    for name in GAME_METHODS:
        run = play_method(name, lr=0.05, beta=0.5, steps=20)
        assert run.points.shape == (21, 2) and np.all(np.isfinite(run.points))
    assert play_method("GDA (alternating)", 0.1, 0.0, steps=5).alternating
    with pytest.raises(ValueError, match="Invalid method"):
        play_method("Lion", 0.1, 0.9)
    with pytest.raises(ValueError, match="Invalid momentum"):
        play_method("momentum", 0.1, -0.5)


# -- the explorer -----------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return GameExplorer(method="Adam", lr=0.1, beta=0.9, steps=100)


def test_the_explorer_draws_the_run_of_its_settings(explorer):
    summary = explorer.update(method="momentum", lr=0.05, beta=0.5, steps=80)
    expected = play_method("momentum", 0.05, 0.5, steps=80)
    (path, distance), (ref_path, _) = explorer.view["lines"]
    assert_array_equal(path.get_xdata(), expected.points[:, 0])
    assert_array_equal(distance.get_ydata(), expected.distance)
    gda = play_method("GDA (simultaneous)", 0.05, 0.5, steps=80)
    assert_array_equal(ref_path.get_ydata(), gda.points[:, 1])
    assert summary["ratio"] == pytest.approx(expected.distance[-1] / expected.distance[0])
    assert summary["reference_ratio"] == pytest.approx(growth_factor(0.05) ** 80)
    assert "momentum" in explorer.view["path"].get_title()


def test_updates_move_the_lines_without_adding_any(explorer):
    before = len(explorer.view["path"].lines), len(explorer.view["distance"].lines)
    for method in GAME_METHODS:
        explorer.update(method=method)
    assert (len(explorer.view["path"].lines), len(explorer.view["distance"].lines)) == before


@pytest.mark.parametrize("changes, message", [
    ({"method": "Lion"}, "Invalid method"),
    ({"lr": 0.0}, "Invalid lr"),
    ({"beta": 1.0}, "Invalid beta"),
    ({"steps": 0}, "Invalid steps"),
    ({"colour": "red"}, "Invalid setting"),
])
def test_the_explorer_rejects_bad_settings_and_keeps_its_own(explorer, changes, message):
    settings = dict(explorer.settings)
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings


def test_the_sliders_drive_the_explorer_headlessly(explorer):
    explorer.widget()
    controls = explorer.controls
    assert all(c.continuous_update is False for n, c in controls.items() if n != "method")
    image = explorer.image
    before = image.value
    controls["method"].value = "optimistic GD"
    controls["lr"].value = 0.2
    controls["steps"].value = 300
    assert explorer.settings["method"] == "optimistic GD"
    assert explorer.settings["lr"] == pytest.approx(0.2)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert explorer.summary["ratio"] < 0.01 < 1 < explorer.summary["reference_ratio"]


def test_the_static_figure_shows_the_current_view(explorer):
    explorer.update(method="RMSProp", lr=0.1, beta=0.9, steps=60)
    live = explorer.view["lines"][0][0].get_xdata()
    fig = explorer.static_figure()
    ax_path, ax_distance = fig.axes[:2]
    assert_array_equal(ax_path.lines[0].get_xdata(), live)
    assert ax_distance.get_yscale() == "log" and "RMSProp" in ax_path.get_title()
    plt.close(fig)


# -- the 1-D GAN --------------------------------------------------------------------------------
def _nets(seeds, sizes=(1, 5, 1)):
    return [mlp.init_network(list(sizes), np.random.default_rng(s)) for s in seeds]


def test_a_stack_computes_what_each_network_computes():
    nets = _nets([0, 1, 2], sizes=(1, 5, 4, 1))
    stack = stack_networks(nets)
    X = np.random.default_rng(3).normal(size=(3, 7, 1))
    logits, cache = mlp.forward(stack, X)
    dlogits = np.random.default_rng(4).normal(size=logits.shape)
    grads, d_input = mlp.backward_to_input(stack, cache, dlogits)
    for r, net in enumerate(nets):
        alone, alone_cache = mlp.forward(net, X[r])
        assert_allclose(logits[r], alone, rtol=1e-12)
        expected = mlp.backward(net, alone_cache, dlogits[r])
        got = unstack_network(grads, r)
        for a, b in zip(got.params(), expected.params()):
            assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        for a, b in zip(unstack_network(stack, r).params(), net.params()):
            assert_array_equal(a, b)
        # d (sum dlogits * logits) / d input, by central differences
        h = 1e-6
        bump = np.zeros((7, 1))
        bump[2] = h
        up, _ = mlp.forward(net, X[r] + bump)
        down, _ = mlp.forward(net, X[r] - bump)
        numeric = np.sum(dlogits[r] * (up - down)) / (2 * h)
        assert d_input[r, 2, 0] == pytest.approx(numeric, rel=1e-6)


def _losses(G, D, z, real):
    fake, _ = mlp.forward(G, z)
    lr_, _ = mlp.forward(D, real)
    lf, _ = mlp.forward(D, fake)
    loss_D = np.mean(np.logaddexp(0, -lr_)) + np.mean(np.logaddexp(0, lf))
    return np.mean(np.logaddexp(0, -lf)), loss_D


def test_gan_gradients_are_the_gradients_of_the_documented_losses():
    G, D = _nets([5]), _nets([6])
    rng = np.random.default_rng(7)
    z, real = rng.normal(size=(1, 9, 1)), rng.normal(size=(1, 9, 1))
    grad_G, grad_D, loss_G, loss_D = gan_gradients(stack_networks(G), stack_networks(D), z,
                                                   real)
    G1, D1 = G[0], D[0]
    assert (loss_G[0], loss_D[0]) == pytest.approx(_losses(G1, D1, z[0], real[0]), rel=1e-12)
    h = 1e-6
    for which, net, grad, index in [("G", G1, grad_G, 0), ("D", D1, grad_D, 1)]:
        for layer, (i, j) in [(0, (0, 2)), (1, (3, 0))]:
            plus, minus = [p.copy() for p in net.params()], [p.copy() for p in net.params()]
            plus[layer][i, j] += h
            minus[layer][i, j] -= h

            def loss(params, which=which, net=net, index=index):
                other = net.with_params(params)
                pair = (other, D1) if which == "G" else (G1, other)
                return _losses(*pair, z[0], real[0])[index]

            numeric = (loss(plus) - loss(minus)) / (2 * h)
            assert grad.coefs[layer][0, i, j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_a_run_gives_the_same_numbers_alone_and_in_a_stack():
    lrs = np.array([0.01, 0.003, 0.01])
    stack = train_gans(Adam(lr=lrs, betas=(0.5, 0.999)), seeds=[4, 4, 9], steps=40, hidden=8,
                       batch_size=16, eval_every=10, n_eval=200)
    alone = train_gans(Adam(lr=0.01, betas=(0.5, 0.999)), seeds=[9], steps=40, hidden=8,
                       batch_size=16, eval_every=10, n_eval=200)
    assert stack.w1.shape == (4, 3)
    assert_allclose(stack.w1[:, 2], alone.w1[:, 0], rtol=1e-10)
    assert_allclose(stack.samples[2], alone.samples[0], rtol=1e-10)
    assert not np.allclose(stack.w1[:, 0], stack.w1[:, 1])  # same seed, other rate


def test_an_adaptive_gan_moves_towards_both_humps():
    target = Mixture()
    run = train_gans(RMSProp(lr=0.01), seeds=[0, 1], target=target, steps=400)
    assert np.all(run.final_w1(window=4) < 0.8 * run.w1[0])
    assert np.all(mode_shares(run.samples, target).min(axis=-1) > 0.25)


def test_the_earth_movers_distance_in_one_dimension():
    a = np.random.default_rng(0).normal(size=500)
    assert float(wasserstein_1d(a, a + 0.7)) == pytest.approx(0.7)
    assert float(wasserstein_1d(a, a[::-1])) == 0.0
    assert_allclose(wasserstein_1d(np.stack([a, a]), a + 1.0), [1.0, 1.0])
    with pytest.raises(ValueError, match="Invalid samples"):
        wasserstein_1d(a, a[:10])


def test_mixture_samples_and_mode_shares():
    target = Mixture(means=(-3.0, 0.0, 3.0), sd=0.1)
    x = target.sample(np.random.default_rng(1), 30000)
    assert_allclose(mode_shares(x, target), [1 / 3] * 3, atol=0.01)
    assert_allclose(mode_shares(np.array([-3.2, 0.5, 9.0, 2.5]), target, radius=0.6),
                    [0.25, 0.25, 0.25])
