"""End to end: in JupyterLab in a real browser, dragging an explorer's slider redraws its figure.

JupyterLab starts on a free loopback port, serving a temporary copy of notebooks/ (outputs
stripped, so the committed files are never touched and only fresh outputs are on the
page). Each notebook with an explorer (a code cell ending in ``<name>.widget()``) is opened
in headless Chromium driven by Playwright, its cells are run (up to its last explorer, or
all of them with ALR_TEACH_BROWSER_ALL_CELLS=1) and must raise no error, and the first
slider of each explorer is dragged a few times (ALR_TEACH_SLIDER_DRAGS, default 5),
alternately towards either end. Each drag must change the slider's value and the figure's
PNG. Screenshots of every explorer before and after its first drag go to
build/browser/<notebook>-<explorer>-{before,after}.png (and of the page, on a failure, to
build/browser/<notebook>-failed.png).

Each drag's latency, from the mouse button's release to the moment the figure's <img> has
a new source, is measured in the page (a MutationObserver reading ``performance.now()``),
written to build/browser/latency.json and printed after the results; no test asserts a
time. ``python benchmarks/slider_latency.py`` runs this test and prints the table.

Chromium is the system's (``apt install chromium``, or ALR_TEACH_CHROMIUM=/path/to/it);
Playwright's own browser download is never used. Without Chromium or the ``playwright``
package the tests are skipped with the reason, except where a browser is required (CI=true,
or ALR_TEACH_REQUIRE_BROWSER=1): there they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "browser"

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1100}
DRAGS = int(os.environ.get("ALR_TEACH_SLIDER_DRAGS", "5"))
DRAG_FRACTION = 0.2  # of the slider's track, per drag
SERVER_START_S = 120
RUN_S = 600  # a notebook's own budget is 60 s on 2 cores; leave room for a busy machine
# By default a notebook runs up to and including its last explorer cell: the cells after
# it only look back (the explorer's static view, its summary), `make test-notebooks` runs
# every cell anyway, and they take a third of a full run (measured: 234 s of 710 s over 14
# notebooks; 56 s of 83 s for 09_schedules).
# ALR_TEACH_BROWSER_ALL_CELLS=1 runs every cell (Run All), as a learner would.
ALL_CELLS = os.environ.get("ALR_TEACH_BROWSER_ALL_CELLS") == "1"
UPDATE_S = 60

# JupyterLab's user settings for the run: no news or update pop-ups; every cell kept in the
# page (no windowing), so each explorer's output is in the DOM once it has run; and each
# cell's start and end recorded in its metadata.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        '{"fetchNews": "false", "checkForUpdates": false, "doNotDisturbMode": true}',
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        '{"windowingMode": "none", "recordTiming": true}',
}

EXPLORER_CELL = re.compile(r"^\s*[A-Za-z_][\w.]*\.widget\(\)\s*$")


def explorer_cells(path: Path) -> list[int]:
    """Indices of the cells that display an explorer: code cells ending in ``x.widget()``."""
    cells = nbformat.read(path, as_version=4).cells
    found = []
    for index, cell in enumerate(cells):
        lines = [line for line in cell.source.splitlines() if line.strip()]
        if cell.cell_type == "code" and lines and EXPLORER_CELL.match(lines[-1]):
            found.append(index)
    return found


WITH_EXPLORERS = [p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if explorer_cells(p)]


# -- finding the browser: skip on a learner's laptop, fail where it is required --------------

def browser_required(environ=os.environ) -> bool:
    """True on CI (CI=true) or when ALR_TEACH_REQUIRE_BROWSER=1: a missing browser fails."""
    return (environ.get("CI", "").lower() in {"true", "1"}
            or environ.get("ALR_TEACH_REQUIRE_BROWSER") == "1")


def unavailable(reason: str, environ=os.environ):
    """Skip with ``reason``, or fail with it where a browser is required."""
    if browser_required(environ):
        pytest.fail(f"{reason} (a browser is required here: CI=true or "
                    "ALR_TEACH_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def find_chromium(environ=os.environ) -> str | None:
    """ALR_TEACH_CHROMIUM if it names an executable, else chromium on the PATH, else None."""
    chosen = environ.get("ALR_TEACH_CHROMIUM")
    if chosen:
        return shutil.which(chosen)
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def test_a_missing_browser_is_a_skip_for_a_learner_and_a_failure_on_ci(tmp_path):
    assert find_chromium({"ALR_TEACH_CHROMIUM": str(tmp_path / "no-such-chromium")}) is None
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        unavailable("Chromium not found", environ={})
    for ci in ({"CI": "true"}, {"ALR_TEACH_REQUIRE_BROWSER": "1"}):
        with pytest.raises(pytest.fail.Exception, match="Chromium not found"):
            unavailable("Chromium not found", environ=ci)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        unavailable("Chromium not found: install it (apt install chromium) or set "
                    "ALR_TEACH_CHROMIUM to its executable")
    return path


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright not installed: pip install -e '.[dev]' (or pip install "
                    "playwright; no `playwright install` needed, the system Chromium is used)")
    with sync_playwright() as api:
        yield api


# -- JupyterLab on a free port, serving a copy of the notebooks ------------------------------

@dataclass
class Lab:
    url: str
    token: str
    notebooks: Path  # the copy it serves
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebooks(target: Path) -> None:
    """The notebooks with their outputs and execution counts stripped."""
    target.mkdir()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, target / path.name)


def wait_until_serving(lab: Lab, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    request = urllib.request.Request(f"{lab.url}/api/status",
                                     headers={"Authorization": f"token {lab.token}"})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {server.returncode}; see {lab.log}")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer /api/status within {SERVER_START_S} s; "
                f"see {lab.log}")


@pytest.fixture(scope="module")
def lab(chromium, playwright_api, tmp_path_factory):
    """A JupyterLab server with its own config, settings and workspaces (not the user's)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    copy_notebooks(home / "notebooks")
    for name, text in LAB_SETTINGS.items():
        (home / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "settings" / name).write_text(text)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    port, token = free_port(), secrets.token_hex(16)
    OUT.mkdir(parents=True, exist_ok=True)
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, notebooks=home / "notebooks",
              log=OUT / "jupyterlab.log")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={home / 'notebooks'}",
               "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with open(lab.log, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(lab, server)
        yield lab
    finally:
        server.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def page(lab, chromium, playwright_api, latency_log):
    """One JupyterLab page for every notebook (JupyterLab loads once)."""
    browser = playwright_api.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
    latency_log["chromium"] = f"Chromium {browser.version}"
    latency_log["drags_per_explorer"] = DRAGS
    try:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{lab.url}/lab?token={lab.token}")
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=120_000)
        page.evaluate("() => window.jupyterapp.restored")
        yield page
    finally:
        browser.close()


# -- driving a notebook ---------------------------------------------------------------------

OPEN = """async (path) => {
    const app = window.jupyterapp;
    const notebook = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
    await notebook.context.ready;
    await notebook.sessionContext.ready;
    app.shell.activateById(notebook.id);
    window.alrNotebook = notebook;
}"""

KERNEL_IDLE = """() => {
    const notebook = window.alrNotebook;
    const kernel = notebook.sessionContext.session?.kernel;
    const running = [...notebook.node.querySelectorAll('.jp-InputPrompt')]
        .some(prompt => prompt.textContent.includes('[*]'));
    return kernel?.status === 'idle' && !running;
}"""

# Run every cell, or (``last`` given) the cells up to and including cell ``last``.
RUN = """(last) => {
    const app = window.jupyterapp, content = window.alrNotebook.content;
    const run = async () => {
        if (last === null) return app.commands.execute('notebook:run-all-cells');
        content.activeCellIndex = last;
        if (last > 0 && !await app.commands.execute('notebook:run-all-above')) return false;
        content.activeCellIndex = last;
        return app.commands.execute('notebook:run-cell');
    };
    window.alrRun = 'running';
    run().then(ok => { window.alrRun = ok ? 'done' : 'failed'; },
               error => { window.alrRun = `error: ${error}`; });
}"""

PROBLEMS = """(last) => {
    const cells = window.alrNotebook.content.model.cells;
    const errors = [], unrun = [];
    for (let i = 0; i <= (last ?? cells.length - 1); i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const output of cell.outputs.toJSON())
            if (output.output_type === 'error')
                errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
        if (!cell.executionCount) unrun.push(i);
    }
    return {errors, unrun};
}"""

MARK_EXPLORERS = """(cells) => {
    const widgets = window.alrNotebook.content.widgets;
    cells.forEach((cell, k) => widgets[cell].node.setAttribute('data-alr-explorer', String(k)));
}"""

CLOSE = """async () => {
    const notebook = window.alrNotebook;
    if (!notebook) return;
    window.alrNotebook = null;
    try { await notebook.sessionContext.shutdown(); }
    finally { notebook.context.model.dirty = false; notebook.dispose(); }
}"""

# Before a drag: keep the figure's PNG bytes, then time the release of the mouse button,
# the first change of the figure's <img> source after it (a new <img> counts) and the
# moment the new image is decoded, ready to paint (performance.now() milliseconds), and
# tell whether the new PNG differs from the old one. From the kernel's messages (stamped
# by the kernel's clock): when it went busy after the release and when it sent the new
# figure (an Image widget's new value, or an Output widget's display_data), which splits
# the latency into the kernel's work and the rest (messages, browser).
WATCH = """async (root) => {
    const image = () => root.querySelector('img');
    const bytes = async (src) => new Uint8Array(await (await fetch(src)).arrayBuffer());
    const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    const before = image().src, old = await bytes(before);
    const state = {released: null, figure: null, decoded: null, changed: null,
                   kernelBusy: null, kernelFigure: null};
    window.alrDrag = state;
    window.addEventListener('pointerup', event => { state.released = event.timeStamp; },
                            {capture: true, once: true});
    const kernel = window.alrNotebook.sessionContext.session.kernel;
    const isFigure = (type, data) => type === 'display_data' || (type === 'comm_msg'
        && data?.method === 'update' && (data.buffer_paths ?? []).some(p => p[0] === 'value'));
    const onMessage = (_, {msg, direction}) => {
        if (direction !== 'recv' || state.released === null) return;
        const type = msg.header.msg_type, at = Date.parse(msg.header.date);
        if (state.kernelBusy === null) {
            if (type === 'status' && msg.content.execution_state === 'busy')
                state.kernelBusy = at;
        } else if (isFigure(type, msg.content.data)) {
            state.kernelFigure = at;
            kernel.anyMessage.disconnect(onMessage);
        }
    };
    kernel.anyMessage.connect(onMessage);
    const observer = new MutationObserver(async () => {
        const now = performance.now();
        const img = image();
        if (state.released === null || state.figure !== null || !img || img.src === before)
            return;
        state.figure = now;
        observer.disconnect();
        try { await img.decode(); } catch (error) { /* compared below all the same */ }
        state.decoded = performance.now();
        state.changed = !same(old, await bytes(img.src));
    });
    observer.observe(root, {subtree: true, childList: true, attributes: true,
                            attributeFilter: ['src']});
}"""

# JupyterLab records when each cell started and finished (recordTiming): the seconds of
# the run spent in the cells after the last explorer.
SECONDS_AFTER = """(last) => {
    const cells = window.alrNotebook.content.model.cells;
    let start = null, end = null;
    for (let i = last + 1; i < cells.length; i++) {
        const timing = cells.get(i).getMetadata('execution');
        if (!timing) continue;
        const began = Date.parse(timing['iopub.execute_input']);
        const ended = Date.parse(timing['shell.execute_reply']);
        if (start === null || began < start) start = began;
        if (end === null || ended > end) end = ended;
    }
    return start === null ? 0 : (end - start) / 1000;
}"""


def open_and_run(page, name: str, last: int | None) -> tuple[float, float]:
    """Open notebook ``name``; run all its cells, or those up to cell ``last``; return the
    seconds taken to open it (kernel started) and to run it."""
    start = time.perf_counter()
    page.evaluate(OPEN, name)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=250)
    opened = time.perf_counter()
    page.evaluate(RUN, last)
    page.wait_for_function("() => window.alrRun !== 'running'", timeout=RUN_S * 1000,
                           polling=500)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=250)
    ran = time.perf_counter()
    problems = page.evaluate(PROBLEMS, last)
    assert not problems["errors"], f"{name}: " + "; ".join(problems["errors"])
    assert not problems["unrun"], f"{name}: cells {problems['unrun']} did not run"
    assert page.evaluate("() => window.alrRun") == "done", page.evaluate("() => window.alrRun")
    return opened - start, ran - opened


def drag(page, handle, track, direction: int) -> None:
    """Press the slider's handle, move it ``direction`` (+1 right, -1 left), release it."""
    handle.scroll_into_view_if_needed()
    box, span = handle.bounding_box(), track.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + direction * DRAG_FRACTION * span["width"], y, steps=8)
    page.mouse.up()


def first_direction(handle, track) -> int:
    """Towards the far end of the track, so the first drag has room to move."""
    box, span = handle.bounding_box(), track.bounding_box()
    return 1 if box["x"] + box["width"] / 2 < span["x"] + span["width"] / 2 else -1


@pytest.mark.parametrize("notebook", WITH_EXPLORERS, ids=[p.stem for p in WITH_EXPLORERS])
def test_dragging_a_slider_redraws_the_figure(notebook, lab, page, latency_log):
    cells = explorer_cells(lab.notebooks / notebook.name)  # the copy JupyterLab opens
    assert cells, f"{notebook.name}: its copy has no explorer cell (changed during the run?)"
    record = {"explorer_cells": cells, "drags": []}
    latency_log["notebooks"][notebook.stem] = record
    try:
        seconds = open_and_run(page, notebook.name, None if ALL_CELLS else cells[-1])
        record["open_s"], record["run_s"] = (round(x, 1) for x in seconds)
        record["all_cells"] = ALL_CELLS
        if ALL_CELLS:
            record["after_last_explorer_s"] = round(page.evaluate(SECONDS_AFTER, cells[-1]), 1)
        page.evaluate(MARK_EXPLORERS, cells)
        start = time.perf_counter()
        for k in range(len(cells)):
            for drag_record in drag_first_slider(page, notebook.stem, k):
                record["drags"].append({"explorer": k, **drag_record})
        record["drags_s"] = round(time.perf_counter() - start, 1)
    except Exception:
        with contextlib.suppress(Exception):  # the failure itself matters more
            page.screenshot(path=OUT / f"{notebook.stem}-failed.png", full_page=True)
        raise
    finally:
        page.evaluate(CLOSE)


def drag_first_slider(page, stem: str, k: int):
    """Drag the first slider of the notebook's explorer ``k`` DRAGS times, alternately
    towards either end, checking each drag changes the value and the figure; yield a
    record of each drag with its latency."""
    name = f"{stem}-{k}"
    root = page.locator(f'[data-alr-explorer="{k}"] .jp-OutputArea-output '
                        '> .jupyter-widgets').first
    slider = root.locator(".widget-slider").first
    handle, track = slider.locator(".noUi-handle").first, slider.locator(".noUi-base")
    readout = slider.locator(".widget-readout")
    handle.wait_for(state="visible", timeout=60_000)
    root.locator("img").first.wait_for(state="visible", timeout=60_000)
    label = slider.locator(".widget-label").inner_text()
    direction = first_direction(handle, track)
    root.screenshot(path=OUT / f"{name}-before.png")
    for i in range(DRAGS):
        value = readout.inner_text()
        page.evaluate(WATCH, root.element_handle())
        drag(page, handle, track, direction)
        try:
            page.wait_for_function("() => window.alrDrag.changed !== null",
                                   timeout=UPDATE_S * 1000, polling="raf")
        except Exception as error:
            raise AssertionError(f"{name}: no new figure {UPDATE_S} s after dragging "
                                 f"{label!r} from {value} to {readout.inner_text()}") from error
        state, new_value = page.evaluate("() => window.alrDrag"), readout.inner_text()
        assert new_value != value, f"{name}: dragging {label!r} left it at {value}"
        assert state["changed"], (f"{name}: the figure is the same PNG after {label!r} went "
                                  f"from {value} to {new_value}")
        if i == 0:
            root.screenshot(path=OUT / f"{name}-after.png")
        direction = -direction
        kernel_ms = (None if state["kernelFigure"] is None
                     else state["kernelFigure"] - state["kernelBusy"])
        yield {"slider": label, "from": value, "to": new_value,
               "figure_ms": round(state["figure"] - state["released"], 1),
               "decoded_ms": round(state["decoded"] - state["released"], 1),
               "kernel_ms": kernel_ms}
