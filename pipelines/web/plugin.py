"""foilog's Datasette plugin: highlighted snippets, links to responses, and the disclosure page's data.

Search queries mark matches with two private-use characters (U+E000, U+E001) that no letter
contains; every cell is escaped first and only then are those marks turned into <mark>
tags, so text from a scraped document can never inject markup. Templates are autoescaped
by Datasette, and only http(s) URLs ever become links.
"""

from __future__ import annotations

import json
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from parsers.catalogue import CATALOGUE
from pipelines.web import NAME

OPEN, CLOSE = "\ue000", "\ue001"


@hookimpl
def render_cell(row: Any, value: object, column: str, table: str | None, database: str, datasette: Any) -> Markup | None:
    if isinstance(value, str) and OPEN in value:
        return Markup(str(escape(value)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
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


SECTION_FACETS = ("exemption_sections", "code")  # facets whose values are sections of the Act (s31)
SECTION_NAMES = {f"s{section}": name for section, (name, _) in CATALOGUE.items()}  # what the exemptions table holds


def section_name(facet: str, value: object) -> str:
    """What follows a section facet's value in its list ("s31" -> " Law enforcement"); empty for other facets."""
    name = SECTION_NAMES.get(value) if facet in SECTION_FACETS and isinstance(value, str) else None
    return f" {name}" if name else ""


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any, datasette: Any) -> Any:
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
        select id, kind, content_type, bytes, sha256, first_seen_at, fetched_at, status, error, removed_at
        from documents where disclosure_id = ? order by id""")
    links = await rows("""
        select u.document_id, u.url, u.source, u.force, u.entry_url, u.last_seen_at, u.removed_at from document_urls u
        join documents d on d.id = u.document_id where d.disclosure_id = ? order by u.first_seen_at, u.url""")
    versions = await rows("""
        select v.document_id, v.sha256, v.fetched_at, v.replaced_at, v.diff from document_versions v
        join documents d on d.id = v.document_id where d.disclosure_id = ? order by v.replaced_at""")
    for document in documents:
        document["urls"] = [{**u, "href": safe_url(u["url"])} for u in links if u["document_id"] == document["id"]]
        document["versions"] = [v for v in versions if v["document_id"] == document["id"]]
    disclosure = found[0]
    disclosure["href"] = safe_url(disclosure["url"])
    return {"disclosure": disclosure, "questions": questions, "citations": citations, "documents": documents}
