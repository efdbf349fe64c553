"""Offline handouts: built for real with headless Chromium, then read back.

The build covers notebooks 00 (a widget, a few formulas) and 05 (hundreds of formulas),
the notation page, and a small notebook with a matplotlib animation. Without Chromium
the build tests are skipped, unless CI=true or ALR_TEACH_REQUIRE_BROWSER=1 make it a
failure. The checks below parse the pages their own way, not with tools.handouts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tools import handouts

ROOT = Path(__file__).resolve().parents[2]
SMALL, MATHS = "notebooks/00_start_here.ipynb", "notebooks/05_adam.ipynb"
ANIMATION = "notebooks/98_animation.ipynb"
NOTATION = "docs/notation.md"

# A reference that would make the page load something: an absolute or protocol-relative
# URL in an attribute that loads, or in CSS. (Links to the web, <a href="https://...">, load
# nothing and are allowed; file: and protocol-relative links would not work from a handout.)
OUTSIDE_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])(?:src|srcset|poster|action|data|xlink:href)\s*=\s*["']?\s*"""
    r"""((?:https?:|file:|ftp:|//)[^"'\s>]*)""", re.I)
OUTSIDE_CSS = re.compile(r"""url\(\s*["']?\s*((?:https?:|file:|//)[^"')]*)|@import""", re.I)
BROKEN_LINK = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']?\s*(file:|ftp:|//)""", re.I)


def _browser_or_skip() -> str:
    try:
        return handouts.find_browser()
    except handouts.BrowserNotFound as missing:
        required = (os.environ.get("CI") == "true"
                    or os.environ.get("ALR_TEACH_REQUIRE_BROWSER") == "1")
        if required:
            pytest.fail(f"the handouts need a browser here: {missing}")
        pytest.skip(f"{missing} (ALR_TEACH_REQUIRE_BROWSER=1 makes this a failure)")


def _animation_notebook() -> dict:
    """A notebook with one formula and the HTML of a 4-frame matplotlib animation."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 0])
    # repeat=False: the page plays once and stops on the last frame, so what the probe below
    # reads does not depend on exactly when it looks (a loop's frame does: CI once read 0)
    animation = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=4, interval=50,
                              repeat=False)
    page = animation.to_jshtml()
    plt.close(fig)
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "head", "metadata": {},
             "source": "# 98 · An animation\n\nThe rate $\\eta$ moves. **Time:** about 5 minutes."},
            {"cell_type": "code", "id": "anim", "metadata": {}, "execution_count": 1,
             "source": "HTML(animation.to_jshtml())",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"text/html": page, "text/plain": "<HTML object>"}}]},
        ],
    }


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """Build the attendee pack of the four pages; return its folder."""
    browser = _browser_or_skip()
    root = tmp_path_factory.mktemp("course")
    for source in (SMALL, MATHS, NOTATION):
        (root / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / source, root / source)
    (root / ANIMATION).write_text(json.dumps(_animation_notebook()))
    out = tmp_path_factory.mktemp("handouts")
    built = handouts.build(root, out, sources=[SMALL, MATHS, ANIMATION], jobs=2,
                           browser=browser, say=lambda line: None)
    assert sorted(h.source for h in built) == sorted([SMALL, MATHS, ANIMATION, NOTATION])
    return out


def _page(out: Path, source: str) -> str:
    return (out / Path(source).with_suffix(".html")).read_text(encoding="utf-8")


def _pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*.html"))}


def _markdown(source: str) -> str:
    cells = json.loads((ROOT / source).read_text())["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _formulas(markdown: str) -> list[str]:
    """$...$ and $$...$$ outside code spans and fences (what MathJax will typeset)."""
    prose = re.sub(r"```.*?```|`[^`\n]*`", "", markdown, flags=re.S)
    return re.findall(r"\$\$.+?\$\$|(?<!\\)\$[^$]+?(?<!\\)\$", prose, flags=re.S)


def _visible_text(page: str) -> str:
    """The page's text outside code, scripts, styles and typeset formulas."""
    hidden = r"<(pre|code|script|style|svg|mjx-container)\b.*?</\1>"
    return re.sub(r"<[^>]+>", " ", re.sub(hidden, " ", page, flags=re.S | re.I))


def _pdf_pages(pdf: bytes) -> tuple[int, int]:
    """(number of /Type /Page objects, the page tree's largest /Count)."""
    leaves = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    return leaves, max(counts, default=0)


# --- the built pack -------------------------------------------------------------------------


def test_pages_reference_nothing_outside_themselves(pack):
    pages = _pages(pack)
    assert set(pages) == {"index.html", "notebooks/00_start_here.html", "notebooks/05_adam.html",
                          "notebooks/98_animation.html", "docs/notation.html"}
    for name, page in pages.items():
        assert OUTSIDE_ATTRIBUTE.findall(page) == [], name
        assert OUTSIDE_CSS.findall(page) == [], name
        assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I), name
        assert not re.search(r"<link\b[^>]*stylesheet", page, re.I), name
        assert not re.search(r"<link\b[^>]*href\s*=\s*[\"']?\s*(?!data:)", page, re.I), name
        assert BROKEN_LINK.findall(page) == [], name
        assert "font-awesome" not in page and "cdnjs" not in page, name


def test_links_lead_to_handouts_in_the_pack(pack):
    for name, page in _pages(pack).items():
        targets = re.findall(r'<a\b[^>]*\bhref="([^"#]+)', page)
        for target in targets:
            assert not target.endswith((".ipynb", ".md")), (name, target)
            assert (pack / Path(name).parent / target).is_file(), (name, target)
    adam = _page(pack, MATHS)
    assert 'href="../docs/notation.html"' in adam
    # 05 links to 04, which is not in this pack: the text stays, the link goes
    assert 'data-not-in-pack="04_rmsprop.ipynb"' in adam


def test_every_formula_is_typeset_as_svg(pack):
    for source in (SMALL, MATHS):
        page = _page(pack, source)
        containers = re.findall(r"<mjx-container\b[^>]*>\s*<svg\b", page)
        assert len(containers) == len(_formulas(_markdown(source))) > 0, source
        assert "<mjx-merror" not in page, source
        text = _visible_text(page)
        assert not re.search(r"\$[^$\s][^$]*\$", text), source
        assert "\\eta" not in text and "\\beta" not in text, source
        assert "MathJax.startup" not in page and "tex-svg" not in page, source


def test_images_are_embedded(pack):
    for source in (SMALL, MATHS):
        page = _page(pack, source)
        images = re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', page)
        assert all(src.startswith("data:image/") for src in images), source
        cells = json.loads((ROOT / source).read_text())["cells"]
        plots = sum("image/png" in o.get("data", {})
                    for c in cells for o in c.get("outputs", []))
        assert len(images) >= plots > 0, source


def test_widgets_become_a_note(pack):
    page = _page(pack, SMALL)
    assert "VBox(children=" not in page
    assert page.count('class="alr-teach-widget"') == 1


def test_every_page_has_a_pdf_with_pages(pack):
    counts = {}
    for source in (SMALL, MATHS, ANIMATION, NOTATION):
        pdf = (pack / Path(source).with_suffix(".pdf")).read_bytes()
        assert pdf.startswith(b"%PDF-"), source
        leaves, count = _pdf_pages(pdf)
        assert leaves == count >= 1, source
        counts[source] = leaves
    assert counts[MATHS] > counts[SMALL]  # 05 is several times longer than 00


def test_the_index_maps_the_course(pack):
    index = (pack / "index.html").read_text()
    for source in (SMALL, MATHS, ANIMATION, NOTATION):
        stem = Path(source).with_suffix("").as_posix()
        assert f'href="{stem}.html"' in index and f'href="{stem}.pdf"' in index, source
    rows = {number: row for number, row in
            re.findall(r'<tr><td class="number">(\d+)</td>(.*?)</tr>', index)}
    assert sorted(rows) == ["00", "05", "98"]
    assert "Adam: momentum plus RMSProp, with bias correction" in rows["05"]
    assert re.search(r">5 min<", rows["98"])
    minutes = [int(m) for m in re.findall(r"\*\*Time:\*\*\s+about\s+(\d+)", _markdown(MATHS))]
    assert f">{minutes[0]} min<" in rows["05"]


def test_the_animation_is_kept_and_plays(pack):
    page = _page(pack, ANIMATION)
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,', page)
    assert len(frames) == 4
    assert "new Animation(" in page and 'class="fa fa-play"' in page
    # click Play, then read the slider: played once through, it rests on the last frame (3)
    probe = ("<script>setTimeout(() => document.querySelector('button[title=Play]').click(), 100);"
             "setTimeout(() => document.body.setAttribute('data-probe', "
             "document.querySelector('.anim-slider').value), 1000);</script>")
    at = page.rfind("</body>")
    probed = pack / "notebooks" / "probe.html"
    probed.write_text(page[:at] + probe + page[at:])
    dom = handouts._run_browser(handouts.find_browser(), pack, "--dump-dom",
                                "--virtual-time-budget=3000", probed.as_uri())
    probed.unlink()
    frame = re.search(r'data-probe="(\d+)"', dom)
    assert frame and int(frame.group(1)) == len(frames) - 1


def test_a_tex_error_stops_the_build(tmp_path):
    browser = _browser_or_skip()
    page = ("<!DOCTYPE html><html><head><title>t</title></head><body><p>fine: $\\eta$</p>"
            "<p>bad: $x^^2$</p><p>unknown: $\\nosuchmacro x$</p></body></html>")
    with pytest.raises(RuntimeError, match=r"2 formula.*Undefined control sequence \\nosuch"):
        handouts.typeset_math(page, browser, tmp_path, "probe")


# --- the parts, without a browser ---------------------------------------------------------------


def test_links_to_solutions_live_only_in_the_instructor_pack():
    attendee = {"notebooks/00_start_here.ipynb", "exercises/01_fixed_learning_rate.ipynb"}
    instructor = attendee | {"solutions/01_fixed_learning_rate.ipynb"}
    for target in ("../solutions/", "../solutions/01_fixed_learning_rate.ipynb"):
        assert handouts.handout_link(target, SMALL, attendee) is None
    assert handouts.handout_link("../solutions/", SMALL, instructor) == "../index.html"
    assert (handouts.handout_link("../solutions/01_fixed_learning_rate.ipynb", SMALL, instructor)
            == "../solutions/01_fixed_learning_rate.html")
    assert handouts.handout_link("https://example.org/x", SMALL, attendee) == "https://example.org/x"


@pytest.mark.parametrize("page, found", [
    ('<link rel="stylesheet" href="https://cdn.example/a.css">', "https://cdn.example/a.css"),
    ('<script src="file:///usr/share/x.js"></script>', "file:///usr/share/x.js"),
    ('<img src="figures/loss.png">', "figures/loss.png"),
    ('<img srcset="data:image/png;base64,AA== 1x, //cdn.example/b.png 2x">', "//cdn.example/b.png"),
    ("<style>@import 'https://fonts.example/f.css';</style>", "https://fonts.example/f.css"),
    ('<div style="background:url(&quot;http://x.example/bg.png&quot;)"></div>', "http://x.example"),
    ('<a href="file:///home/me/notes.html">notes</a>', "file:///home/me/notes.html"),
])
def test_outside_references_are_found(page, found):
    references = handouts.outside_references(f"<html><body>{page}</body></html>")
    assert len(references) == 1 and found in references[0]


def test_embedded_and_internal_references_are_fine():
    page = ('<style>.a{background:url("data:image/svg+xml,%3Csvg%3E")}</style>'
            '<img src="data:image/png;base64,AA=="><svg><use xlink:href="#glyph"/></svg>'
            '<a href="#top">top</a><a href="../docs/notation.html">notation</a>'
            '<a href="https://arxiv.org/abs/1412.6980">a cited paper</a>')
    assert handouts.outside_references(page) == []


def test_external_stylesheets_are_dropped_and_others_kept():
    page = ('<link rel="stylesheet"\nhref="https://maxcdn.example/font-awesome.min.css">'
            '<link rel="icon" href="data:image/png;base64,AA==">'
            '<link rel="stylesheet" href="//cdn.example/x.css">')
    assert handouts._drop_external_stylesheets(page) == (
        '<link rel="icon" href="data:image/png;base64,AA==">')


def test_scripts_made_inert_come_back_unchanged():
    page = ('<script>var a = "<b>";</script><p>x</p><script type="module" src="m.js">'
            "</script><SCRIPT language='javascript'>f()</SCRIPT>")
    inert, tags = handouts._inert_scripts(page)
    assert len(tags) == 3 and "javascript'>" not in inert and 'type="module"' not in inert
    assert handouts._restore_scripts(inert, tags) == page
    with pytest.raises(RuntimeError, match="inert"):
        handouts._restore_scripts(inert.replace(handouts.INERT, "text/javascript", 1), tags)


def test_a_missing_browser_says_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.delenv(handouts.BROWSER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(handouts, "MACOS_CHROME", str(tmp_path / "none"))
    with pytest.raises(handouts.BrowserNotFound, match="apt install chromium") as missing:
        handouts.find_browser()
    assert handouts.BROWSER_ENV in str(missing.value)
    monkeypatch.setenv(handouts.BROWSER_ENV, str(tmp_path / "no-such-chrome"))
    with pytest.raises(handouts.BrowserNotFound, match=f"Invalid {handouts.BROWSER_ENV}"):
        handouts.find_browser()


@pytest.mark.parametrize("source", ["../notebooks/00_start_here.ipynb", "README.txt",
                                    "notebooks/no_such.ipynb", str(ROOT / SMALL)])
def test_build_rejects_sources_outside_the_course(source, tmp_path):
    with pytest.raises(ValueError, match="Invalid source"):
        handouts.build(ROOT, tmp_path, sources=[source], browser="unused", say=lambda _: None)
