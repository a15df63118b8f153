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


MAX_HTML_BYTES = 8 * 1024 * 1024  # a listing or detail page is well under 1 MB
MAX_DEPTH = 512  # real pages nest a few dozen deep; lexbor's cost grows with the square of the depth
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
# What browsers read these labels as (the WHATWG encoding standard): the same, with the 0x80-0x9f range.
_AS_WINDOWS_1252 = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def html_problem(body: bytes) -> str | None:
    """Why a page is refused before it is parsed: too large, or nested too deep; None when fine.

    >>> html_problem(b"<div>" * 600), html_problem(b"<p>fine</p>")
    ('nested more than 512 elements deep', None)
    """
    if len(body) > MAX_HTML_BYTES:
        return f"page larger than {MAX_HTML_BYTES // (1024 * 1024)} MB"
    depth = 0
    for match in _TAG.finditer(body):
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} elements deep"
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """An HTML body as text, and how its encoding was found: BOM, the HTTP header, a meta tag,
    UTF-8 by trial, or else windows-1252 as a recorded fallback.

    >>> decode_html("Café £100".encode("cp1252"), "text/html; charset=windows-1252")
    ('Café £100', 'header')
    >>> decode_html("<p>Café</p>".encode("cp1252"))
    ('<p>Café</p>', 'fallback')
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(encoding, errors="replace"), "bom"
    declared = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    for how, name in (("header", declared.group(1) if declared else None),
                      ("meta", meta.group(1).decode("ascii", "replace") if meta else None)):
        if name:
            name = _AS_WINDOWS_1252.get(name.lower(), name)
            try:
                return body.decode(name, errors="replace"), how
            except LookupError:  # a charset Python does not know: try the next clue
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "fallback"


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
