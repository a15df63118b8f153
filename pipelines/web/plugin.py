"""foilog's Datasette plugin: highlighted snippets, links to responses, and the disclosure page's data.

Search queries mark matches with two private-use characters (U+E000, U+E001) that no letter
contains; every cell is escaped first and only then are those marks turned into <mark>
tags, so text from a scraped document can never inject markup. Templates are autoescaped
by Datasette, and only http(s) URLs ever become links.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from typing import Any

import datasette.handle_exception
from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

from parsers.attachments import preview
from parsers.catalogue import CATALOGUE
from pipelines.web import NAME

OPEN, CLOSE = "\ue000", "\ue001"
MAX_VALUE_BYTES = 10_000_000  # a string or blob a served query may make: randomblob(200000000) took 2.35 GB
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger("foilog.serve")
# Datasette prints every error it handles with rich, local variables included: 48 KB a malformed
# query. With rich out of its sight it prints no such thing, and handle_exception below logs one line.
datasette.handle_exception.rich = None


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


@hookimpl
def asgi_wrapper() -> Any:
    """The archive is served read-only: any method but GET, HEAD and OPTIONS gets 405, before Datasette sees it."""
    def wrap(app: Any) -> Any:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"allow", b"GET, HEAD, OPTIONS"), (b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"This archive is read-only: only GET and HEAD are served.\n"})
                return
            await app(scope, receive, send)
        return read_only
    return wrap


@hookimpl
def handle_exception(request: Any, exception: Exception) -> None:
    """One log line per error; a sort by a column that does not exist is the asker's error (400), not ours (500)."""
    if isinstance(exception, DatasetteError) and exception.message.startswith("Cannot sort table by"):
        exception.status = 400
    status = getattr(exception, "status", 500)
    message = " ".join(str(exception).split())[:300]
    log.warning("%s %s%s -> %s %s: %s", request.method, request.path, f"?{request.query_string}" if request.query_string else "",
                status, type(exception).__name__, message)
    # Datasette renders the error page (foilog's templates and JSON shape stay Datasette's own).


@hookimpl(wrapper=True)
def register_output_renderer(datasette: Any) -> Any:
    # datasette-atom's feed, which fails on a query with no rows: a search nobody has answered yet.
    renderers = yield
    return [dict(r, render=_feed_even_if_empty(r["render"])) if isinstance(r, dict) and r.get("extension") == "atom" else r
            for r in renderers]


def _feed_even_if_empty(render: Any) -> Any:
    def render_feed(datasette: Any, request: Any, sql: str, columns: list[str], rows: list[Any], database: str,
                    table: str | None, query_name: str | None, view_name: str, data: dict[str, Any]) -> Any:
        if rows:
            return render(datasette, request, sql, columns, rows, database, table, query_name, view_name, data)
        from feedgen.feed import FeedGenerator

        feed = FeedGenerator()
        feed.id(request.url)
        feed.link(href=request.url, rel="self")
        feed.updated(dt.datetime.now(dt.UTC))
        title = ((datasette.metadata(database=database) or {}).get("queries", {}).get(query_name or "", {}).get("title")
                 or request.args.get("_feed_title") or "foilog")
        feed.title(title)
        return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)
    return render_feed


@hookimpl
def render_cell(row: Any, value: object, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    if isinstance(value, str) and OPEN in value:
        return Markup(str(escape(value)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
    # A document's address is shown, never linked, in the tables: a held attachment's file must not be one click away.
    if table in ("documents", "document_urls", "fetches") and column.endswith("url") and isinstance(value, str):
        return Markup(str(escape(value)))
    # A round-robin's number links to its responses side by side.
    if database == NAME and table is None and column == "cluster" and isinstance(value, int):
        return Markup(f'<a href="{escape(datasette.urls.database(database))}/cluster?cluster={value}">{value}</a>')
    # In a query's results, a response's reference links to its page when the query selected its id.
    if database == NAME and table is None and column == "reference" and value and "id" in row.keys() and isinstance(row["id"], int):
        href = datasette.urls.row(database, "disclosures", str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


@hookimpl(wrapper=True)
def register_facet_classes() -> Any:
    # Datasette's own column and array facets, with foilog's default facets counted in one pass.
    from pipelines.web.facets import REPLACING

    return [[REPLACING.get(kind, kind) for kind in kinds] for kinds in (yield)]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    # No filter of its own: the first point where a table page's rows are known, before it reads them.
    from pipelines.web.facets import start_counting

    async def start() -> None:
        await start_counting(request, database, table, datasette)

    return start


SECTION_FACETS = ("exemption_sections", "code")  # facets whose values are sections of the Act (s31)
SECTION_NAMES = {f"s{section}": name for section, (name, _) in CATALOGUE.items()}  # what the exemptions table holds


def section_name(facet: str, value: object) -> str:
    """What follows a section facet's value in its list ("s31" -> " Law enforcement"); empty for other facets."""
    name = SECTION_NAMES.get(value) if facet in SECTION_FACETS and isinstance(value, str) else None
    return f" {name}" if name else ""


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any, datasette: Any) -> Any:
    if view_name == "page" and request is not None and request.path.rstrip("/") == "/charts" and NAME in datasette.databases:
        from pipelines.web.charts import chart_data

        async def charts_page() -> dict[str, Any]:
            return {"charts": await chart_data(datasette.get_database(NAME)), "foilog_database": NAME}

        return charts_page
    if database != NAME:  # this plugin serves foilog's database; leave any other alone
        return None
    if view_name == "table":
        return {"section_name": section_name}
    if view_name != "row" or table != "disclosures" or request is None:
        return None

    async def disclosure_page() -> dict[str, Any]:
        return await _disclosure(datasette.get_database(database), request.url_vars["pks"])

    return disclosure_page


def safe_url(url: str | None) -> str | None:
    """The URL when it may be a link (http or https), else None."""
    return url if url and url.split(":", 1)[0].lower() in ("http", "https") else None


async def _disclosure(db: Any, pk: str) -> dict[str, Any]:
    """Everything the disclosure page shows beside the row itself."""
    async def rows(sql: str) -> list[dict[str, Any]]:
        return [dict(r) for r in (await db.execute(sql, [pk])).rows]

    found = await rows("select * from disclosures where id = ?")
    if not found:
        return {}
    questions = await rows("select number, question, answer, outcome from questions where disclosure_id = ? order by position")
    citations = await rows("""
        select e.code, e.cited_as, e.questions, x.name, x.kind, x.url from disclosure_exemptions e
        left join exemptions x on x.code = e.code where e.disclosure_id = ?
        order by length(e.code), e.code, e.cited_as""")
    for citation in citations:
        citation["questions"] = json.loads(citation["questions"] or "[]")
        citation["url"] = safe_url(citation["url"])
    documents = await rows("""
        select d.id, d.kind, d.content_type, d.bytes, d.sha256, d.first_seen_at, d.fetched_at, d.status, d.error, d.removed_at,
               p.audit, p.text from documents d left join parses p on p.sha256 = d.sha256 where d.disclosure_id = ? order by d.id""")
    links = await rows("""
        select u.document_id, u.url, u.source, u.force, u.entry_url, u.last_seen_at, u.removed_at from document_urls u
        join documents d on d.id = u.document_id where d.disclosure_id = ? order by u.first_seen_at, u.url""")
    versions = await rows("""
        select v.document_id, v.sha256, v.fetched_at, v.replaced_at, v.diff from document_versions v
        join documents d on d.id = v.document_id where d.disclosure_id = ? order by v.replaced_at""")
    for document in documents:
        held = document["status"] == "held"  # the audit flagged it: no link to its file until someone releases it
        document["urls"] = [{**u, "href": None if held else safe_url(u["url"])} for u in links if u["document_id"] == document["id"]]
        audit = json.loads(document.pop("audit") or "{}")
        document["findings"] = audit.get("findings", [])  # a served file's are what the audit noted (its authors)
        document["kind"] = audit.get("kind") or document["kind"]  # xlsx, not the zip it is packed in
        # An attachment's first rows, sheet by sheet; a held file shows nothing of itself but what the audit found.
        text = document.pop("text")
        document["tables"] = [] if held else preview(text)
        document["versions"] = [v for v in versions if v["document_id"] == document["id"]]
    related = """select l.kind, l.detail, l.score, o.id, o.reference, o.title, o.force, o.outcome,
                     coalesce(o.letter_date, o.published_date) as date
                 from disclosure_links l join disclosures o on o.id = l.{other}
                 where l.{this} = ? order by date, o.id"""
    earlier = await rows(related.format(other="earlier_id", this="later_id"))
    later = await rows(related.format(other="later_id", this="earlier_id"))
    cluster = await rows("select m.cluster_id, (select count(*) from cluster_members o where o.cluster_id = m.cluster_id) as size "
                         "from cluster_members m where m.disclosure_id = ?")
    disclosure = found[0]
    disclosure["cluster"] = cluster[0] if cluster else None
    disclosure["href"] = safe_url(disclosure["url"])
    disclosure["reasons"] = json.loads(disclosure.get("review_reasons") or "[]")
    return {"disclosure": disclosure, "questions": questions, "citations": citations, "documents": documents,
            "asked_before": earlier, "asked_later": later}
