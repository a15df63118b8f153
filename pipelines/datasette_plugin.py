"""foilog's Datasette plugin: search snippets shown with their matches highlighted, safely.

The search query marks matches with two private-use characters (U+E000, U+E001) that no
letter contains; here every cell is escaped first and only then are those marks turned
into <mark> tags, so text from a scraped document can never inject markup.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

OPEN, CLOSE = "\ue000", "\ue001"


@hookimpl
def render_cell(value: object) -> Markup | None:
    if isinstance(value, str) and OPEN in value:
        return Markup(str(escape(value)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
    return None
