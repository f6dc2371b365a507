"""A fixture news site on 127.0.0.1 serving realistic pages built from the seed articles.

Each page wraps the seed (its reporting and the debris it carries) in the chrome real
news sites have: navigation, a cookie banner, newsletter and donation boxes, related
links and a comment section; some pages carry JSON-LD NewsArticle metadata.
"""

from __future__ import annotations

import dataclasses
import html
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Page chrome that must never reach the clean text.
CHROME_SNIPPETS = (
    "We use cookies to improve your experience",
    "Sign up for our morning briefing",
    "Support independent journalism",
    "Most read this week",
    "Great reporting, thank you",
    "All rights reserved",
)

SITES = ("Daily Ledger", "Morning Wire", "The Courier", "Global Report", "Evening Post")
DATES = ("2024-08-06", "2024-09-03", "2024-05-22", "2024-05-27", "2024-07-12")


@dataclass(frozen=True)
class SeedPage:
    slug: str
    title: str
    body_lines: list[str]
    site: str
    published: str
    json_ld: bool


def seed_page(path: Path, index: int, title: str) -> SeedPage:
    """The seed as a page: ``title`` in the <h1>, every other line (debris too) in the body."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    if title in lines:
        lines.remove(title)  # the first copy becomes the <h1>; later copies stay as debris
    return SeedPage(
        slug=f"world/{path.stem}",
        title=title,
        body_lines=lines,
        site=SITES[index % len(SITES)],
        published=DATES[index % len(DATES)],
        json_ld=index % 2 == 0,
    )


def distinct_seed_pages(n: int, seeds: list[Path], titles: dict[str, str]) -> list[SeedPage]:
    """``n`` different pages: the seeds in turn, paragraphs rotated so texts differ (so the
    cleaner's near-duplicate check does not fold them into one article)."""
    pages = []
    for i in range(n):
        path = seeds[i % len(seeds)]
        page = seed_page(path, i, titles[path.name])
        shift = i // len(seeds)
        lines = page.body_lines[shift:] + page.body_lines[:shift]
        pages.append(dataclasses.replace(page, slug=f"{page.slug}-{i}", body_lines=lines))
    return pages


def render(page: SeedPage) -> str:
    esc = html.escape
    json_ld = ""
    if page.json_ld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": f"{page.published}T09:30:00Z",
            "author": [{"@type": "Person", "name": "Staff Reporter"}],
            "publisher": {"@type": "Organization", "name": page.site},
        }
        json_ld = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    paragraphs = "\n".join(f"<p>{esc(line)}</p>" for line in page.body_lines)
    nav = "".join(
        f'<li><a href="/section/{s.lower()}">{s}</a></li>'
        for s in ("World", "Politics", "Business", "Opinion", "Sport", "Culture")
    )
    related = "".join(
        f'<li><a href="/world/related-{i}">Related story number {i} about the war</a></li>'
        for i in range(1, 6)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(page.title)} | {esc(page.site)}</title>
<meta property="og:title" content="{esc(page.title)}">
<meta property="og:site_name" content="{esc(page.site)}">
<meta property="article:published_time" content="{page.published}T09:30:00Z">
{json_ld}
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience
on our site. By continuing you agree to our cookie policy.</p><button>Accept</button></div>
<header><a href="/" class="logo">{esc(page.site)}</a><nav><ul>{nav}</ul></nav></header>
<main>
<article>
<h1>{esc(page.title)}</h1>
<div class="byline">By Staff Reporter · <time datetime="{page.published}">{page.published}</time>
</div>
<div class="article-body">
{paragraphs}
</div>
</article>
<aside class="newsletter"><h3>Sign up for our morning briefing</h3>
<p>Get the day's top stories in your inbox.</p><form><input type="email"><button>Subscribe
</button></form></aside>
<aside class="donate"><p>Support independent journalism. Donate today and help us keep our
reporting free for everyone.</p></aside>
<section class="related"><h3>Most read this week</h3><ul>{related}</ul></section>
<section id="comments" class="comments"><h3>3 comments</h3>
<div class="comment"><p>Great reporting, thank you for keeping us informed.</p></div>
<div class="comment"><p>I disagree with the premise of this piece entirely.</p></div>
</section>
</main>
<footer><p>© 2024 {esc(page.site)}. All rights reserved.</p><a href="/privacy">Privacy</a>
</footer></body></html>"""


class NewsSite:
    """Serves the pages on a free port of 127.0.0.1 from a background thread."""

    def __init__(self, pages: list[SeedPage]) -> None:
        self.pages = {f"/{p.slug}": p for p in pages}
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0].split("#")[0]
                if len(path) > 1:  # like most sites: /story/ is /story
                    path = path.rstrip("/")
                site.hits[path] = site.hits.get(path, 0) + 1
                page = site.pages.get(path)
                if page is None:
                    self.send_error(404)
                    return
                body = render(page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, page: SeedPage) -> str:
        return f"{self.base_url}/{page.slug}"

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
