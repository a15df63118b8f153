"""Platform detail pages: the response body as text, without the site's chrome."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "noscript", "form", "button",
              "svg", "template", "iframe", "h1", "time", "-comment"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h2", "h3", "h4", "h5", "h6",
               "ul", "ol", "li", "table", "tr", "blockquote", "br", "dl", "dt", "dd",
               "address", "figure", "pre", "hr", "tbody", "thead"}
# Chrome every platform page carries: found by class or id, and by what it says.
_CHROME_ATTR = re.compile(r"cookie|consent|banner|beta|quick-?exit|leave-?site|skip-?link|"
                          r"breadcrumb|site-?nav|menu|share|feedback", re.I)
_CHROME_TEXT = re.compile(r"^\s*(leave this site|we use (some )?(essential )?cookies|beta\b|"
                          r"this is a (new|beta) (service|website)|skip to (main )?content)", re.I)
_DATE_LINE = re.compile(r"^(published|date published|first published|last updated|updated)\b", re.I)


def extract_text(html: str) -> str:
    """Return the response body of a detail page as plain text, one block a line.

    Numbered lists keep their numbers ("1. ..."), bulleted lists get "- ", table rows
    become cells joined by " | ". The title and published date are not body text.
    """
    tree = LexborHTMLParser(html)
    root = (tree.css_first("main") or tree.css_first("[role=main]") or tree.css_first("article")
            or tree.body)
    if root is None:
        return ""
    out: list[str] = []
    _render(root, out)
    lines = [" ".join(line.split()) for line in "".join(out).splitlines()]
    kept = [line for line in lines if not _DATE_LINE.match(line) and not _CHROME_TEXT.match(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def parse_html(html: str | LexborHTMLParser) -> LexborHTMLParser:
    """A parsed page: callers that read several things from one page parse it once."""
    return html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html)


def extract_title(html: str | LexborHTMLParser) -> str | None:
    """The page's <h1>, else its <title>."""
    tree = parse_html(html)
    node = tree.css_first("h1") or tree.css_first("title")
    text = " ".join(node.text().split()) if node else ""
    return text or None


def extract_published_text(html: str | LexborHTMLParser) -> str | None:
    """The page's published date as printed (a <time datetime> wins), for the date reader."""
    tree = parse_html(html)
    for node in tree.css("time"):
        value = node.attributes.get("datetime") or node.text()
        if value:
            return value.strip()
    for line in tree.body.text(separator="\n").splitlines() if tree.body else []:
        if _DATE_LINE.match(line.strip()):
            return line.strip()
    return None


def _is_chrome(node: LexborNode) -> bool:
    attrs = " ".join(f"{node.attributes.get(k) or ''}" for k in ("class", "id", "role", "aria-label"))
    if node.attributes.get("role") in ("navigation", "banner", "contentinfo"):
        return True
    if _CHROME_ATTR.search(attrs):
        return True
    return bool(_CHROME_TEXT.match(node.text(deep=True)[:80]))


def _render(node: LexborNode, out: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append(child.text(deep=False))
            continue
        if tag in _SKIP_TAGS or _is_chrome(child):
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag in ("ol", "ul"):
            _render_list(child, out)
            continue
        if tag == "tr":
            cells = [" ".join(c.text(separator=" ").split()) for c in child.iter() if c.tag in ("td", "th")]
            out.append("\n" + " | ".join(cells) + "\n")
            continue
        block = tag in _BLOCK_TAGS
        if block:
            out.append("\n")
        _render(child, out)
        if block:
            out.append("\n")


def _render_list(node: LexborNode, out: list[str]) -> None:
    ordered = node.tag == "ol"
    start = (node.attributes.get("start") or "1").strip()
    number = int(start) if start.isdigit() else 1
    for item in node.iter():
        if item.tag != "li":
            continue
        out.append(f"\n{number}. " if ordered else "\n- ")
        number += 1
        _render(item, out)
        out.append("\n")
