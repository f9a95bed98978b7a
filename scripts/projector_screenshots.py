"""Screenshots of every page in projector mode at 1280 × 720: docs/screenshots/projector_<page>.png.

    python scripts/projector_screenshots.py            # starts the app on a free port, then stops it
    python scripts/projector_screenshots.py --url http://127.0.0.1:8501   # an app already running

Each page is opened with ``?projector=1`` in a fresh browser context (its own session), waited on until its
charts and pictures have drawn, and captured whole (1280 pixels wide, as long as the page; a projector
shows 720 of them at a time).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser as harness  # noqa: E402

PAGES = {
    "home": ("app.py", 2, 0),
    "bayes": ("pages/1_Bayes_rule.py", 0, 2),
    "boundary": ("pages/2_Decision_boundaries.py", 2, 1),
    "loss": ("pages/3_Loss_surface.py", 0, 2),
    "gan": ("pages/4_GAN.py", 0, 2),
    "backprop": ("pages/5_Backprop.py", 0, 2),
    "nexttoken": ("pages/6_Next_token.py", 0, 2),
    "lessons": ("pages/7_Lessons.py", 0, 0),
}
"""name → (page file, server pictures to wait for, charts to wait for)."""
VIEWPORT = {"width": 1280, "height": 720}
MAX_HEIGHT = 6000
"""Pages longer than this are cut (the picture would be tens of megabytes)."""


def shrink(path: Path) -> Path:
    """Save the screenshot with a 256-colour palette (a third of the bytes; text and charts stay sharp)."""
    from PIL import Image

    with Image.open(path) as im:
        im.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    return path


def capture(chromium, base_url: str, names: list[str]) -> list[Path]:
    out = []
    server = harness.Server(process=None, port=int(base_url.rsplit(":", 1)[1].split("/")[0]), started_at=0, healthy_at=0)
    for name in names:
        page_file, pictures, charts = PAGES[name]
        context = chromium.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(60_000)
        harness.goto(page, harness.page_url(server, page_file, "projector=1"))
        if pictures:
            harness.wait_pictures(page, pictures)
        if charts:
            harness.wait_charts(page, charts)
        harness.assert_no_exception(page)
        page.wait_for_timeout(500)  # let Plotly and Vega finish their last layout pass before the picture
        # Streamlit scrolls inside its main area, not the document: grow the window to the page's length.
        tall = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(tall), MAX_HEIGHT)})
        page.wait_for_timeout(800)
        out.append(shrink(harness.screenshot(page, f"projector_{name}")))
        context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an app already running (default: start one)")
    parser.add_argument("pages", nargs="*", default=list(PAGES), help=f"some of {', '.join(PAGES)}")
    args = parser.parse_args()
    with harness.browser() as chromium:
        if args.url:
            paths = capture(chromium, args.url.rstrip("/"), args.pages)
        else:
            with harness.running_server() as server:
                paths = capture(chromium, server.url, args.pages)
    for p in paths:
        print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()
