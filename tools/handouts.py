"""Offline handouts: every course notebook as one self-contained HTML page and a PDF.

Run from the repository root::

    python -m tools.handouts                 # -> build/handouts/attendee/
    python -m tools.handouts --instructor    # -> build/handouts/instructor/
    python -m tools.handouts notebooks/05_adam.ipynb --out /tmp/adam

The attendee pack holds ``notebooks/``, ``exercises/`` and the notation table
(``docs/notation.md``); the instructor pack adds ``solutions/``. Each source becomes
``<folder>/<name>.html`` and ``<folder>/<name>.pdf`` in the pack, next to ``index.html``,
the course map: every notebook with its number, title, time estimate and the handouts of
its exercises (and solutions).

How one page is made, and why it needs nothing from outside itself:

1. nbconvert's ``lab`` template turns the notebook into HTML with its images embedded as
   data URIs. The template blocks that would fetch scripts from a CDN (require.js, the
   widget manager, MathJax, mermaid) are left empty; a widget, which needs a running
   kernel and would show as its Python repr, becomes a short note; an external
   stylesheet in an output (matplotlib's animations link Font Awesome for their buttons)
   is dropped, and the page's own CSS draws the animation buttons instead.
2. Links to other notebooks (``05_adam.ipynb``) and to ``docs/notation.md`` point to their
   handouts; a link to a folder points to the course map; a link to anything that is not
   in the pack (the solutions, in the attendee pack) keeps its text and loses its target.
3. Headless Chromium loads the page with a local MathJax 3 (shipped by the PyPI package
   ``django-static-mathjax``), which typesets every formula as inline SVG. The notebook's
   own scripts are kept inert meanwhile, so the page is serialised as it was written. The
   serialised page without MathJax is the handout: formulas are pictures, animations
   still play, and it loads nothing.
4. Chromium prints that page to PDF.

Chromium runs with a fresh profile, with its background networking off, no proxy and
every host name resolving to nothing, so a build cannot reach the network even on a
connected machine. Every finished page is scanned for ``src``, ``href`` or CSS ``url()``
that would load something from outside it, and for links that lead nowhere in the pack
(links to the web, such as a cited paper, are kept: they load nothing); either fails the
build.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from alr_teach._validation import _fail, whole

ATTENDEE_FOLDERS = ("notebooks", "exercises")
INSTRUCTOR_FOLDERS = (*ATTENDEE_FOLDERS, "solutions")
REFERENCE_PAGES = ("docs/notation.md",)  # Markdown pages the notebooks link to
OUT = Path("build/handouts")  # relative to the repository root
INDEX = "index.html"
TIMED_FOLDERS = ATTENDEE_FOLDERS  # the course map gives their time; solutions take the exercises'

BROWSER_ENV = "ALR_TEACH_CHROMIUM"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MACOS_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
INSTALL_BROWSER = (
    "no Chromium or Google Chrome found to render the handouts. Install one "
    "(Debian/Ubuntu: `sudo apt install chromium`; macOS: install Google Chrome), "
    f"or set {BROWSER_ENV}=/path/to/chromium"
)
INSTALL_MATHJAX = (
    "no local MathJax found: install it with `pip install django-static-mathjax` "
    "(it comes with `pip install -e '.[dev]'`)"
)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    # Chromium itself still tries a few Google services (clock, updates, accounts) even so:
    # with no proxy and no host name resolving, neither it nor a page reaches the network.
    "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
)
MATH_BUDGET_MS = 30_000  # virtual time for MathJax; idle time is skipped, not waited for
PRINT_BUDGET_MS = 3_000  # lets a page's own timers (an animation's first frame) run
BROWSER_TIMEOUT_S = 600.0  # wall-clock limit for one Chromium run

MATH_DONE = "data-alr-teach-math"
INERT = "text/x-alr-teach-inert"
MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
        displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
        processEscapes: true, processEnvironments: true, tags: "ams",
        packages: {"[-]": ["noundefined"]}},  // an unknown macro is an error, not red text
  svg: {fontCache: "local"},
  options: {enableMenu: false},
  startup: {pageReady: () => MathJax.startup.defaultPageReady().then(
    () => document.body.setAttribute("MATH_DONE", "done"))}
};""".replace("MATH_DONE", MATH_DONE)

# Icons for the buttons of matplotlib's JavaScript animations (16 x 16 SVG paths), drawn
# by CSS so that the Font Awesome stylesheet the animation links to is not needed.
_ICONS = {
    "play": "M4 2l10 6-10 6z",
    "pause": "M3 2h4v12H3zM9 2h4v12H9z",
    "step-forward": "M2 2l9 6-9 6zM11 2h3v12h-3z",
    "step-backward": "M2 2l9 6-9 6zM11 2h3v12h-3z",
    "fast-forward": "M0 2l7 6-7 6zM7 2l7 6-7 6zM14 2h2v12h-2z",
    "fast-backward": "M0 2l7 6-7 6zM7 2l7 6-7 6zM14 2h2v12h-2z",
    "minus": "M2 7h12v2H2z",
    "plus": "M7 2h2v5h5v2H9v5H7V9H2V7h5z",
}
_MIRRORED = (".fa-step-backward", ".fa-fast-backward", ".fa-flip-horizontal")


def _icon_css() -> str:
    rules = [".anim-buttons .fa {display: inline-block; width: 1em; height: 1em; "
             "vertical-align: -0.125em; background-repeat: no-repeat; "
             "background-position: center; background-size: contain;}",
             f"{', '.join(_MIRRORED)} {{transform: scaleX(-1);}}"]
    for name, path in _ICONS.items():
        svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
               f"<path d='{path}'/></svg>")
        rules.append(f'.fa-{name} {{background-image: url("data:image/svg+xml,{quote(svg)}");}}')
    return "\n".join(rules)


HANDOUT_CSS = """
@page { size: A4; margin: 14mm 12mm; }
/* a formula keeps its size (JupyterLab's rule for pictures would shrink it to fit) */
.jp-RenderedHTMLCommon mjx-container > svg { max-width: none; }
.alr-teach-widget {
  margin: 0.3em 0; padding: 0.4em 0.8em; border: 1px dashed #999; color: #555; font-style: italic;
}
@media print {
  .jp-InputPrompt, .jp-OutputPrompt { display: none; }  /* room for the code */
  .jp-InputArea-editor pre, .jp-OutputArea-output pre {
    white-space: pre-wrap; overflow-wrap: anywhere;
  }
  .jp-OutputArea-output img, mjx-container[display="true"], tr { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
  .anim-controls { display: none; }
}
""" + _icon_css()

WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<div class="alr-teach-widget">Interactive widget: it needs a running notebook. Open '
    "this notebook in JupyterLab (<code>make lab</code>) to use it.</div>"
)

# The handout's template: nbconvert's "lab" page with nothing fetched from outside.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">{{ resources.alr_teach_css | safe }}</style>
{%- endblock html_head_css -%}
{#- The course's own notebooks: highlighted code needs no second sanitising pass, which
    is most of the export time of a long notebook. -#}
{%- block input -%}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
<div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
</div>
</div>
{%- endblock input -%}
"""


class BrowserNotFound(RuntimeError):
    """Neither Chromium nor Google Chrome is installed (or ``ALR_TEACH_CHROMIUM`` is wrong)."""


@dataclass(frozen=True)
class Handout:
    """One built page: its source (a repository path), its heading and what it produced."""

    source: str
    title: str
    minutes: int | None
    pdf_pages: int
    seconds: float
    links: tuple[str, ...] = ()  # relative links in the page, checked once all are built

    @property
    def html(self) -> str:
        return Path(self.source).with_suffix(".html").as_posix()

    @property
    def pdf(self) -> str:
        return Path(self.source).with_suffix(".pdf").as_posix()

    @property
    def number(self) -> str | None:
        """The course number that starts the file name (``"05"``), or None."""
        match = re.match(r"(\d+)_", Path(self.source).name)
        return match.group(1) if match else None


# --- finding the tools -------------------------------------------------------------------


def find_browser() -> str:
    """The Chromium or Chrome executable: ``$ALR_TEACH_CHROMIUM``, else the first on PATH."""
    chosen = os.environ.get(BROWSER_ENV)
    if chosen:
        found = shutil.which(chosen)
        if not found:
            raise BrowserNotFound(str(_fail(BROWSER_ENV, chosen,
                                            "must name a Chromium or Chrome executable")))
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "darwin" and os.access(MACOS_CHROME, os.X_OK):
        return MACOS_CHROME
    raise BrowserNotFound(INSTALL_BROWSER)


def mathjax_script() -> Path:
    """MathJax 3's single-file TeX-to-SVG build, from the ``django-static-mathjax`` package."""
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(INSTALL_MATHJAX)
    for folder in spec.submodule_search_locations:
        script = Path(folder) / "static" / "mathjax" / "es5" / "tex-svg-full.js"
        if script.is_file():
            return script
    raise RuntimeError(INSTALL_MATHJAX)


def _run_browser(browser: str, scratch: Path, *arguments: str) -> str:
    """Run headless Chromium once, with a fresh profile in ``scratch``; return its stdout."""
    with tempfile.TemporaryDirectory(dir=scratch, prefix="profile-",
                                     ignore_cleanup_errors=True) as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
        try:
            done = subprocess.run(command, capture_output=True, encoding="utf-8",
                                  errors="replace", stdin=subprocess.DEVNULL,
                                  timeout=BROWSER_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{browser} did not finish within {BROWSER_TIMEOUT_S:g} s: "
                               f"{' '.join(arguments)}") from None
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if "dbus" not in line][-8:]
        raise RuntimeError(f"{browser} failed (exit {done.returncode}): "
                           + "\n".join(said))
    return done.stdout


# --- reading a notebook's header ------------------------------------------------------------

_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
_TIME = re.compile(r"\*\*Time:\*\*\s+about\s+(\d+)\s+minutes")


def title(markdown: str, fallback: str) -> str:
    """The text of the first level-1 heading in ``markdown``, else ``fallback``.

    >>> title("# 05 · Adam: momentum plus RMSProp\\n\\nSome text.", "05_adam")
    '05 · Adam: momentum plus RMSProp'
    >>> title("No heading here.", "notes")
    'notes'
    """
    match = _HEADING.search(markdown)
    return match.group(1) if match else fallback


def minutes(markdown: str) -> int | None:
    """The time estimate a header states as ``**Time:** about N minutes`` (None if absent).

    >>> minutes("Prerequisites: notebook 02. **Time:** about\\n50 minutes. Notation: ...")
    50
    >>> minutes("No estimate.") is None
    True
    """
    match = _TIME.search(markdown)
    return int(match.group(1)) if match else None


def _read(root: Path, source: str):
    """``source`` as an nbformat notebook (a Markdown file becomes one markdown cell)."""
    import nbformat  # installed with jupyterlab; imported here so alr_teach needs numpy only

    path = root / source
    if path.suffix == ".md":
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(path.read_text(encoding="utf-8")))
        return nb
    return nbformat.read(path, as_version=4)


# --- links and references ------------------------------------------------------------------

_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_WEB_LINK = re.compile(r"^(?:https?:|mailto:)", re.I)


def handout_link(target: str, page: str, pages: Iterable[str]) -> str | None:
    """Where a link written in the source ``page`` should point in a pack of ``pages``.

    ``page`` and ``pages`` are repository paths of sources. A link to one of them is
    rewritten to its handout, relative to ``page``'s handout; a link to a folder that holds
    one of them goes to the course map; absolute URLs and ``#anchors`` are kept; anything
    else is not in the pack, and the answer is None.

    >>> pack = {"notebooks/02_momentum.ipynb", "notebooks/05_adam.ipynb", "docs/notation.md"}
    >>> handout_link("02_momentum.ipynb#9.-Momentum", "notebooks/05_adam.ipynb", pack)
    '02_momentum.html#9.-Momentum'
    >>> handout_link("../docs/notation.md", "notebooks/05_adam.ipynb", pack)
    '../docs/notation.html'
    >>> handout_link("../notebooks/", "docs/notation.md", pack)
    '../index.html'
    >>> handout_link("../solutions/05_adam.ipynb", "notebooks/05_adam.ipynb", pack) is None
    True
    >>> handout_link("#2.-Two-memories", "notebooks/05_adam.ipynb", pack)
    '#2.-Two-memories'
    """
    if not target or target.startswith("#") or _SCHEME.match(target):
        return target
    path, hash_, fragment = target.partition("#")
    here = posixpath.dirname(page)
    resolved = posixpath.normpath(posixpath.join(here, path))
    pages = set(pages)
    if resolved in pages:
        handout = posixpath.splitext(resolved)[0] + ".html"
    elif any(posixpath.dirname(p) == resolved for p in pages):
        handout, hash_, fragment = INDEX, "", ""
    else:
        return None
    return posixpath.relpath(handout, here or ".") + hash_ + fragment


_A_HREF = re.compile(r'(<a\b[^>]*?)\bhref="([^"]*)"', re.I)


def _rewrite_links(page_html: str, page: str, pages: set[str]) -> str:
    def rewrite(match: re.Match) -> str:
        target = html.unescape(match.group(2))
        new = handout_link(target, page, pages)
        if new is None:  # keep the text, drop the target
            return f'{match.group(1)}data-not-in-pack="{html.escape(target)}"'
        return f'{match.group(1)}href="{html.escape(new)}"'

    return _A_HREF.sub(rewrite, page_html)


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)


def _drop_external_stylesheets(page_html: str) -> str:
    """Remove ``<link rel=stylesheet>`` tags that would fetch CSS from another host."""

    def keep(match: re.Match) -> str:
        tag = match.group()
        external = re.search(r"""\bhref\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", tag, re.I)
        return "" if external and "stylesheet" in tag.lower() else tag

    return _LINK_TAG.sub(keep, page_html)


_CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)|@import\s+(["'])(.*?)\3""", re.I | re.S)
_RESOURCE_ATTRIBUTES = {"src", "poster", "data", "background", "href", "xlink:href"}


_SRCSET_URL = re.compile(r"[\s,]*(\S+)")


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` (a data URI's own comma does not split it).

    >>> _srcset_urls("data:image/png;base64,AA== 1x, big.png 2x,small.png")
    ['data:image/png;base64,AA==', 'big.png', 'small.png']
    """
    urls, at = [], 0
    while match := _SRCSET_URL.match(srcset, at):
        url, at = match.group(1), match.end()
        if url.endswith(","):  # no descriptors
            url = url.rstrip(",")
        else:  # skip the descriptors, up to the next comma
            comma = srcset.find(",", at)
            at = len(srcset) if comma < 0 else comma + 1
        urls.append(url)
    return urls


class _References(HTMLParser):
    """What a page would load, as ``(where, value)`` pairs, and where its ``<a>`` links lead."""

    def __init__(self, page_html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._in_style = False
        self.feed(page_html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self._css(value)
            elif name == "href" and tag == "a":
                self.links.append(value)
            elif name == "srcset":
                self.loads += [(f"<{tag} srcset>", url) for url in _srcset_urls(value)]
            elif name in _RESOURCE_ATTRIBUTES:
                self.loads.append((f"<{tag} {name}>", value))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, text: str) -> None:
        for match in _CSS_URL.finditer(text):
            self.loads.append(("css url()", match.group(2) or match.group(4) or ""))


def outside_references(page_html: str) -> list[str]:
    """What ``page_html`` would load from outside itself, and links that cannot work.

    Resources (``src``, ``<link href>``, CSS ``url()``...) must be data URIs or
    ``#fragments``. An ``<a href>`` link may lead to another handout by relative path, or
    to the web (``https:``, ``mailto:``: a paper the notebook cites loads nothing until
    the reader follows it); ``file:`` and protocol-relative (``//host``) links are reported.

    >>> outside_references('<img src="data:image/png;base64,AA=="><a href="02.html">02</a>'
    ...                    '<a href="https://arxiv.org/abs/1412.6980">Adam</a>')
    []
    >>> outside_references('<script src="https://cdn.example/x.js"></script>')
    ['<script src> https://cdn.example/x.js']
    >>> outside_references('<p style="background: url(pic.png)">'
    ...                    '<a href="//example.org/paper">paper</a></p>')
    ['css url() pic.png', '<a href> //example.org/paper']
    """
    found = _References(page_html)
    loads = [f"{where} {value}" for where, value in found.loads
             if value.strip() and not value.startswith("#")
             and not value.lower().startswith("data:")]
    return loads + [f"<a href> {link}" for link in found.links
                    if _SCHEME.match(link) and not _WEB_LINK.match(link)]


def _relative_links(page_html: str) -> list[str]:
    return [link for link in _References(page_html).links
            if link and not link.startswith("#") and not _SCHEME.match(link)]


# --- typesetting and printing --------------------------------------------------------------

_SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
_INERT_TAG = re.compile(rf'<script type="{INERT}" data-alr-teach-script="(\d+)">')


def _inert_scripts(page_html: str) -> tuple[str, list[str]]:
    """The page with every ``<script>`` made inert, and the original tags to restore."""
    tags: list[str] = []

    def park(match: re.Match) -> str:
        tags.append(match.group())
        return f'<script type="{INERT}" data-alr-teach-script="{len(tags) - 1}">'

    return _SCRIPT_TAG.sub(park, page_html), tags


def _restore_scripts(page_html: str, tags: list[str]) -> str:
    restored = []

    def unpark(match: re.Match) -> str:
        restored.append(int(match.group(1)))
        return tags[int(match.group(1))]

    page_html = _INERT_TAG.sub(unpark, page_html)
    if sorted(restored) != list(range(len(tags))):
        raise RuntimeError(f"{len(tags)} scripts were made inert but {len(restored)} came back")
    return page_html


def _insert_before(page_html: str, closing_tag: str, text: str) -> str:
    at = page_html.lower().find(closing_tag)
    if at < 0:
        raise ValueError(f"the page has no {closing_tag}")
    return page_html[:at] + text + page_html[at:]


_OURS = re.compile(r'<script id="alr-teach-mathjax[^"]*"[^>]*>.*?</script>', re.S)
_LOADED = re.compile(r'<script\b[^>]*\bsrc="file:[^"]*"[^>]*>\s*</script>', re.I)
_MATH_ERROR = re.compile(r'data-mml-node="merror"[^>]*data-mjx-error="([^"]*)"')


def typeset_math(page_html: str, browser: str, scratch: Path, name: str = "page") -> str:
    """``page_html`` with every TeX formula typeset as inline SVG by MathJax in Chromium.

    The page's own scripts do not run meanwhile, and MathJax itself is gone from the
    result. Raises RuntimeError if MathJax reports a TeX error or does not finish.
    """
    inert, tags = _inert_scripts(page_html)
    mathjax = (f'<script id="alr-teach-mathjax-config">{MATHJAX_CONFIG}</script>\n'
               f'<script id="alr-teach-mathjax" src="{mathjax_script().as_uri()}"></script>\n')
    loaded = _insert_before(inert, "</head>", mathjax)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="typeset-") as folder:
        page = Path(folder) / "page.html"
        page.write_text(loaded, encoding="utf-8")
        dom = _run_browser(browser, scratch, "--dump-dom",
                           f"--virtual-time-budget={MATH_BUDGET_MS}", page.as_uri())
    if f'{MATH_DONE}="done"' not in dom:
        raise RuntimeError(f"{name}: MathJax did not finish typesetting")
    errors = [html.unescape(e) for e in _MATH_ERROR.findall(dom)]
    if errors:
        raise RuntimeError(f"{name}: MathJax could not typeset {len(errors)} formula(s): "
                           + "; ".join(errors[:5]))
    dom = _LOADED.sub("", _OURS.sub("", dom)).replace(f' {MATH_DONE}="done"', "")
    if not dom.lstrip().lower().startswith("<!doctype"):
        dom = "<!DOCTYPE html>\n" + dom
    return _restore_scripts(dom, tags)


def print_pdf(page: Path, pdf: Path, browser: str, scratch: Path) -> int:
    """Print the HTML file ``page`` to ``pdf`` with Chromium; return the number of pages."""
    _run_browser(browser, scratch, f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer",
                 f"--virtual-time-budget={PRINT_BUDGET_MS}", page.resolve().as_uri())
    data = pdf.read_bytes() if pdf.is_file() else b""
    if not data.startswith(b"%PDF"):
        raise RuntimeError(f"{browser} wrote no PDF for {page}")
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


# --- one page --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _exporter():
    import jinja2
    from nbconvert import HTMLExporter

    quiet = logging.getLogger("tools.handouts.nbconvert")
    quiet.setLevel(logging.ERROR)  # not "alternative text is missing" for every plot
    return HTMLExporter(extra_loaders=[jinja2.DictLoader({"handout.html.j2": _TEMPLATE})],
                        template_file="handout.html.j2", embed_images=True, theme="light",
                        log=quiet)


def export_html(root: Path, source: str, pages: set[str]) -> tuple[str, str, int | None]:
    """The handout HTML of ``source`` before typesetting, with its title and time estimate."""
    nb = _read(root, source)
    for cell in nb.cells:  # a widget shows as its Python repr without a kernel: say so
        for output in cell.get("outputs", []):
            if WIDGET in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    heading, estimate = title(markdown, Path(source).stem), minutes(markdown)
    resources = {"metadata": {"name": heading, "path": str((root / source).parent)},
                 "alr_teach_css": HANDOUT_CSS}
    page_html, _ = _exporter().from_notebook_node(nb, resources=resources)
    page_html = _drop_external_stylesheets(page_html)
    return _rewrite_links(page_html, source, pages), heading, estimate


def build_page(root: Path, out: Path, source: str, pages: set[str], browser: str) -> Handout:
    """Write the HTML and PDF handouts of ``source`` under ``out``."""
    start = time.perf_counter()
    page_html, heading, estimate = export_html(root, source, pages)
    scratch = Path(tempfile.mkdtemp(dir=out, prefix=".scratch-"))
    try:
        page_html = typeset_math(page_html, browser, scratch, source)
        outside = outside_references(page_html)
        if outside:
            raise RuntimeError("the handout would load from outside itself: "
                               + "; ".join(r[:120] for r in outside[:5]))
        target = out / Path(source).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html, encoding="utf-8")
        pdf_pages = print_pdf(target, target.with_suffix(".pdf"), browser, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Handout(source, heading, estimate, pdf_pages, time.perf_counter() - start,
                   tuple(_relative_links(page_html)))


def _build_page_or_say_which(arguments: tuple) -> Handout:
    source = arguments[2]
    try:
        return build_page(*arguments)
    except Exception as error:  # the pool re-raises in the parent: name the page
        said = str(error)
        raise RuntimeError(said if said.startswith(source) else f"{source}: {said}") from None


# --- the course map ----------------------------------------------------------------------------

_INDEX_CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 62em; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #ddd;
         vertical-align: top; }
th { border-bottom: 2px solid #888; }
td:not(:nth-child(2)) { white-space: nowrap; }
tfoot td { font-weight: bold; border-bottom: none; }
a.pdf { font-size: 0.9em; }
"""


def _duration(total: int | None) -> str:
    """``"45 min"``, ``"8 h 05 min"``, or an empty string when unknown.

    >>> _duration(45), _duration(485), _duration(None)
    ('45 min', '8 h 05 min', '')
    """
    if total is None:
        return ""
    hours, rest = divmod(total, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def _formats(handout: Handout | None, label: str = "HTML") -> str:
    """Links to a handout's page (showing ``label``, already HTML) and to its PDF."""
    if handout is None:
        return ""
    return (f'<a href="{html.escape(handout.html)}">{label}</a> · '
            f'<a class="pdf" href="{html.escape(handout.pdf)}">PDF</a>')


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def course_map(handouts: list[Handout], folders: tuple[str, ...]) -> str:
    """``index.html``: the numbered pages of each folder side by side, then the others."""
    by_folder: dict[str, dict[str, Handout]] = {folder: {} for folder in folders}
    others = []
    for handout in handouts:
        folder = Path(handout.source).parts[0]
        if handout.number is not None and folder in by_folder:
            by_folder[folder][handout.number] = handout
        else:
            others.append(handout)
    columns = [folder for folder in folders if by_folder[folder]]
    timed = [folder in TIMED_FOLDERS for folder in columns]
    head, foot = ["<th>#</th>"], ["<td></td>"]
    for folder, has_time in zip(columns, timed):
        head.append(f"<th>{html.escape(folder.capitalize())}</th>")
        foot.append("<td>Total</td>" if len(foot) == 1 else "<td></td>")
        if has_time:
            total = _sum([h.minutes for h in by_folder[folder].values()])
            head.append("<th>Time</th>")
            foot.append(f'<td class="time">{_duration(total)}</td>')
    rows = []
    for number in sorted({n for folder in columns for n in by_folder[folder]}, key=int):
        named = next(by_folder[f][number] for f in columns if number in by_folder[f])
        name = html.escape(re.sub(rf"^{number}\s*·\s*", "", named.title))
        cells = [f'<td class="number">{number}</td>']
        for i, (folder, has_time) in enumerate(zip(columns, timed)):
            handout = by_folder[folder].get(number)
            label = name if i == 0 else "HTML"
            shown = _formats(handout, label) if handout else (name if i == 0 else "")
            cells.append(f"<td>{shown}</td>")
            if has_time:
                cells.append(f'<td class="time">{_duration(handout and handout.minutes)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = ""
    if rows:
        table = (f'<table id="course-map"><thead><tr>{"".join(head)}</tr></thead><tbody>\n'
                 + "\n".join(rows)
                 + f'\n</tbody><tfoot><tr>{"".join(foot)}</tr></tfoot></table>')
    reference = "".join(f"<li>{_formats(h, html.escape(h.title))}</li>" for h in others)
    pack = "Instructor pack (with solutions)" if "solutions" in folders else "Attendee pack"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>alr-teach: course map</title><style>{_INDEX_CSS}</style></head>
<body><main>
<h1>Adaptive learning rates: course map</h1>
<p>{pack}. Every page here works offline: open the HTML in any browser, or print the PDF.
Sliders and other widgets need a running notebook: open the notebooks in JupyterLab
(<code>make lab</code>) to use them.</p>
{table}
{f"<h2>Reference</h2><ul>{reference}</ul>" if reference else ""}
</main></body></html>
"""


# --- the whole pack ------------------------------------------------------------------------------


def sources_in(root: Path, folders: tuple[str, ...]) -> list[str]:
    """The notebooks of ``folders`` under ``root``, as sorted repository paths."""
    return sorted(p.relative_to(root).as_posix()
                  for folder in folders for p in (root / folder).glob("*.ipynb"))


def build(root: Path | str = ".", out: Path | str | None = None, *, instructor: bool = False,
          sources: Iterable[str] | None = None, jobs: int | None = None,
          browser: str | None = None,
          say: Callable[[str], None] = print) -> list[Handout]:
    """Build a pack of handouts under ``out``; return what was built (index not included).

    ``sources`` (repository paths, e.g. ``"notebooks/05_adam.ipynb"``) defaults to every
    notebook of the pack's folders; the reference pages that exist are always added.
    ``jobs`` pages are built at once (default: one per CPU).
    """
    root = Path(root).resolve()
    folders = INSTRUCTOR_FOLDERS if instructor else ATTENDEE_FOLDERS
    if out is None:
        out = root / OUT / ("instructor" if instructor else "attendee")
    out = Path(out).resolve()  # Chromium is given file:// URLs, which must be absolute
    jobs = whole("jobs", jobs if jobs is not None else (os.cpu_count() or 1), low=1)
    chosen = list(sources) if sources is not None else sources_in(root, folders)
    for source in chosen:
        inside = not Path(source).is_absolute() and ".." not in Path(source).parts
        if not (inside and (root / source).is_file() and Path(source).suffix in (".ipynb", ".md")):
            raise _fail("source", source, f"must be a .ipynb or .md file under {root}")
    browser = browser or find_browser()
    mathjax_script()  # fail now, not in every worker, if MathJax is missing
    chosen += [p for p in REFERENCE_PAGES if (root / p).is_file() and p not in chosen]
    pages = set(chosen)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(root, out, source, pages, browser) for source in chosen]
    built: list[Handout] = []
    if jobs == 1:
        for task in tasks:
            built.append(_build_page_or_say_which(task))
            say(_built(built[-1]))
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            futures = [pool.submit(_build_page_or_say_which, task) for task in tasks]
            try:
                for future in as_completed(futures):
                    built.append(future.result())
                    say(_built(built[-1]))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    built.sort(key=lambda h: h.source)
    index = course_map(built, folders)
    if "$" in index:  # a title with a formula
        scratch = Path(tempfile.mkdtemp(dir=out, prefix=".scratch-"))
        try:
            index = typeset_math(index, browser, scratch, INDEX)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    (out / INDEX).write_text(index, encoding="utf-8")
    broken = [f"{h.html} -> {link}" for h in built for link in h.links
              if not (out / Path(h.html).parent / link.partition("#")[0]).exists()]
    broken += [f"{INDEX} -> {link}" for link in _relative_links(index)
               if not (out / link.partition("#")[0]).exists()]
    if broken:
        raise RuntimeError("links that lead nowhere in the pack: " + "; ".join(broken[:10]))
    return built


def _built(handout: Handout) -> str:
    return f"  {handout.html} + .pdf ({handout.pdf_pages} pages, {handout.seconds:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebooks to build (default: every notebook of the pack)")
    parser.add_argument("--instructor", action="store_true",
                        help="the instructor pack: add solutions/")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: build/handouts/attendee or .../instructor)")
    parser.add_argument("--jobs", type=int, default=None, help="pages built at once")
    args = parser.parse_args(argv)
    root = Path.cwd().resolve()
    out = args.out or OUT / ("instructor" if args.instructor else "attendee")
    start = time.perf_counter()
    try:
        sources = None
        if args.notebooks:
            sources = []
            for name in args.notebooks:
                path = Path(name).resolve()
                if not path.is_relative_to(root):
                    raise _fail("notebook", name, f"must be inside {root}")
                sources.append(path.relative_to(root).as_posix())
        print(f"building handouts in {out}/")
        built = build(root, out, instructor=args.instructor, sources=sources, jobs=args.jobs)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"built {len(built)} handouts in {time.perf_counter() - start:.0f} s; "
          f"open {out / INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
