"""The `foilog` command line: each command parses options, calls one function, prints a summary."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path

import click
import yaml

from pipelines import BadInput, FoilogError

DEFAULT_DB = "data/foilog.db"
DEFAULT_SOURCES = "sources.yml"  # in the working folder; else the one shipped with foilog (the real logs)
DATA_DIR_HELP = "Where downloaded files are kept (default: the one recorded with the database; files/ beside a new one)."


def _setup_logging(verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:  # cron and CI: plain, timestamped lines
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class FoilogGroup(click.Group):
    """Turns every error into one line and an exit code, never a traceback (`--verbose` adds it)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except FoilogError as exc:
            _fail(ctx, f"Error: {exc}", exc.exit_code)
        except sqlite3.DatabaseError as exc:  # a locked, full or corrupt database fails the run as a whole
            _fail(ctx, f"Error: database: {exc}", 1)
        except OSError as exc:  # the disk, a folder that cannot be written
            _fail(ctx, f"Error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), 1)
        except Exception as exc:  # a bug of foilog's: still one line, and the traceback on request
            _fail(ctx, f"Error: unexpected {type(exc).__name__}: {exc} (run with --verbose for the traceback)", 1)
        return None


def _fail(ctx: click.Context, message: str, code: int) -> None:
    if ctx.meta.get("foilog.verbose"):
        traceback.print_exc()
    click.echo(message.splitlines()[0] if message else "Error", err=True)
    sys.exit(code)


@click.group(cls=FoilogGroup)
@click.version_option(package_name="foilog")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail, and print the traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """foilog: a searchable archive of the Norfolk and Suffolk FOI disclosure logs."""
    ctx.meta["foilog.verbose"] = verbose
    _setup_logging(verbose)
    # SIGTERM (systemd stopping the job, a timeout) unwinds like an error: the run is recorded
    # as failed and the browser, the workers and the lock are released on the way out.
    signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit("Error: stopped by SIGTERM")


def sources_path(given: str | None) -> str:
    """The sources file: as given, else sources.yml in the working folder, else the one shipped with foilog."""
    if given:
        return given
    if Path(DEFAULT_SOURCES).is_file():
        return DEFAULT_SOURCES
    from importlib.resources import files

    return str(files("scraper") / "sources.yml")


def _existing_db(db_path: str) -> None:
    if not Path(db_path).is_file():
        raise BadInput(f"database not found: {db_path} (run 'foilog run' or 'foilog demo' first)")


def _crawl_options(func):  # type: ignore[no-untyped-def]
    func = click.option("--data-dir", default=None, help=DATA_DIR_HELP)(func)
    func = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")(func)
    func = click.option("--source", "names", multiple=True, help="Only this source (repeatable).")(func)
    func = click.option("--sources", "sources_file", default=None,
                        help=f"Sources file (YAML; default: {DEFAULT_SOURCES} here, else the shipped one).")(func)
    return func


def _load(sources_file: str | None, names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from scraper.sources import SourcesError, load_sources

    try:
        return load_sources(sources_path(sources_file), names)
    except SourcesError as exc:
        raise BadInput(str(exc)) from None


def _report(summary) -> None:  # type: ignore[no-untyped-def]
    """The run's summary line and warnings; a run in which every document failed fails as a whole."""
    click.echo(summary.line())
    for problem in summary.crawl.problems:
        click.echo(f"warning: {problem}", err=True)
    if summary.all_failed:
        raise FoilogError(f"run {summary.run_id}: {summary.all_failed}")


def _run(command: str, sources_file: str | None, names: tuple[str, ...], db_path: str, data_dir: str | None,
         corrections_file: str | None = None) -> None:
    from pipelines.corrections import resolve
    from pipelines.run import run

    _report(run(db_path, data_dir, _load(sources_file, names), command=command,
                corrections=resolve(corrections_file, sources_file)))


CORRECTIONS_HELP = ("Corrections by hand (YAML; default: corrections.yml beside the sources file, "
                    "else the one recorded with the database).")


@cli.command()
@_crawl_options
def crawl(sources_file: str | None, names: tuple[str, ...], db_path: str, data_dir: str | None) -> None:
    """Fetch listing pages, detail pages and documents; record every fetch."""
    _run("crawl", sources_file, names, db_path, data_dir)


@cli.command()
@_crawl_options
@click.option("--corrections", "corrections_file", default=None, help=CORRECTIONS_HELP)
def run(sources_file: str | None, names: tuple[str, ...], db_path: str, data_dir: str | None, corrections_file: str | None) -> None:
    """Crawl, parse and index: the nightly job."""
    _run("run", sources_file, names, db_path, data_dir, corrections_file)


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--data-dir", default=None, help=DATA_DIR_HELP)
@click.option("--reparse", is_flag=True, help="Parse every stored document again.")
@click.option("--corrections", "corrections_file", default=None, help=CORRECTIONS_HELP)
def parse(db_path: str, data_dir: str | None, reparse: bool, corrections_file: str | None) -> None:
    """Parse fetched documents not yet parsed by the current parser version."""
    from pipelines.corrections import resolve
    from pipelines.run import parse_and_index

    _existing_db(db_path)
    _report(parse_and_index(db_path, data_dir, reparse=reparse, corrections=resolve(corrections_file, None)))


@cli.command()
@click.argument("target", metavar="REFERENCE-OR-URL")
@click.option("--outcome", type=click.Choice(["disclosed", "partially_disclosed", "refused", "not_held", "neither_confirm_nor_deny"]))
@click.option("--exemptions", multiple=True, help="Codes relied on, such as s12(1) (repeatable, or comma-separated; 'none' for none).")
@click.option("--letter-date", help="YYYY-MM-DD, or 'null'.")
@click.option("--received-date", help="YYYY-MM-DD, or 'null'.")
@click.option("--note", default="", help="Why: shown on the response's page beside 'corrected by hand'.")
@click.option("--corrections", "corrections_file", default=None, help=CORRECTIONS_HELP)
@click.option("--sources", "sources_file", default=None, help="The sources file whose corrections.yml to write (default as for run).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database (re-indexed when it exists).")
def correct(target: str, outcome: str | None, exemptions: tuple[str, ...], letter_date: str | None, received_date: str | None,
            note: str, corrections_file: str | None, sources_file: str | None, db_path: str) -> None:
    """Correct a misread response by hand: write its entry to corrections.yml and re-index."""
    from parsers.references import as_reference
    from pipelines import corrections as hand
    from pipelines.db import open_db
    from pipelines.index import build_disclosures
    from pipelines.lock import run_lock

    reference = as_reference(target)
    if reference is None and not target.startswith(("http://", "https://")):
        raise BadInput(f"{target!r} is neither a reference (NNNNNN/YY) nor an http(s) URL")
    entry: dict[str, object] = {"reference": reference} if reference else {"url": target}
    if outcome:
        entry["outcome"] = outcome
    if exemptions:
        codes = [c.strip() for e in exemptions for c in e.split(",") if c.strip()]
        entry["exemptions"] = [] if codes == ["none"] else codes
    for name, value in (("letter_date", letter_date), ("received_date", received_date)):
        if value is not None:
            entry[name] = None if value.lower() in ("null", "none", "") else value
    if note:
        entry["note"] = note
    db = open_db(db_path) if Path(db_path).is_file() else None
    path = hand.resolve(corrections_file, sources_file) or (db and hand.recorded_path(db)) or Path(hand.FILENAME)
    hand.append(path, entry)
    click.echo(f"wrote the correction of {reference or target} to {path}")
    if db is None:
        click.echo("no database yet: it applies on the first index build")
        return
    with run_lock(db_path):
        hand.remember(db, path)
        build_disclosures(db, hand.load(path))
    applied = db.execute("select count(*) from disclosures where corrected = 1 and (reference = ? or url = ?)",
                         [reference, target]).fetchone()[0]
    click.echo("applied to the response" if applied else "no response matches it yet: it applies once one is indexed")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per response, one per line.")
@click.option("--limit", default=50, show_default=True, help="How many to list (0 for all).")
def review(db_path: str, as_json: bool, limit: int) -> None:
    """The responses whose reading did not add up, worst first: the ones to check and correct."""
    from pipelines.db import open_db

    _existing_db(db_path)
    db = open_db(db_path)
    rows = list(db.query(
        "select id, reference, title, force, outcome, url, review_reasons from disclosures where needs_review = 1 "
        "order by json_array_length(review_reasons) desc, letter_date desc, id" + (" limit ?" if limit else ""),
        [limit] if limit else []))
    total = db.execute("select count(*) from disclosures where needs_review = 1").fetchone()[0]
    for row in rows:
        reasons = json.loads(row["review_reasons"] or "[]")
        if as_json:
            click.echo(json.dumps({**{k: row[k] for k in ("id", "reference", "title", "force", "outcome", "url")},
                                   "review_reasons": reasons}, ensure_ascii=False))
        else:
            click.echo(f"{row['reference'] or 'no reference'} ({row['force'] or 'force unknown'}, {row['outcome'] or 'no outcome'}): "
                       f"{'; '.join(reasons)}\n    {row['url']}")
    if not as_json:
        click.echo(f"{total} response(s) need review" + (f"; the worst {len(rows)} shown" if len(rows) < total else "")
                   + ("; fix one with 'foilog correct REFERENCE --outcome ...'" if total else ""))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def extract(files: tuple[str, ...]) -> None:
    """Parse local files (PDF or saved detail page); print one JSON object per line."""
    from pipelines.parse import extract_files

    _print_records(extract_files(files), len(files))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def audit(files: tuple[str, ...]) -> None:
    """Look inside attachments (XLSX, ODS, DOCX, ODT, CSV) for content a reader cannot see; one JSON object per line."""
    from pipelines.parse import audit_files

    _print_records(audit_files(files), len(files))


def _print_records(records, files: int) -> None:  # type: ignore[no-untyped-def]
    """One JSON line per file, each error also on stderr; exit 2 only when no file could be read."""
    failed = 0
    for record in records:
        if "error" in record:
            failed += 1
            click.echo(f"error: {record['file']}: {record['error']}", err=True)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed == files:
        sys.exit(2)


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--verbose", "verbose", is_flag=True, help="List what each failing file got wrong.")
@click.option("--reader", type=click.Choice(["auto", "pdfplumber"]), default="auto", show_default=True,
              help="How PDFs are read: PDFium with pdfplumber for the pages it is unsure of, or pdfplumber alone.")
def evaluate(folder: str, as_json: bool, verbose: bool, reader: str) -> None:
    """Per-field accuracy of the parser over files that each have an expected NAME.json beside them."""
    from pipelines.evaluate import evaluate as run_evaluation
    from pipelines.evaluate import format_report

    report = run_evaluation(Path(folder), reader=reader)  # type: ignore[arg-type]
    if report.letters + report.broken == 0:
        raise BadInput(f"no file with an expected JSON beside it in {folder}")
    click.echo(json.dumps(report.summary(), indent=1) if as_json else format_report(report, verbose))


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--immutable", is_flag=True, help="A published copy that nothing writes to: opened immutable, not just read-only.")
def serve(db_path: str, host: str, port: int, immutable: bool) -> None:
    """Serve the database read-only with Datasette, metadata.yml and foilog's templates."""
    from pipelines.db import open_db
    from pipelines.web.serve import serve as serve_datasette

    _existing_db(db_path)
    if not immutable:
        open_db(db_path).close()  # an older database gains this version's columns before pages ask for them
    click.echo(f"Serving {db_path}")
    serve_datasette(db_path, host, port, immutable=immutable)


@cli.command()
@click.option("--db", "db_path", default="data/demo/foilog.db", show_default=True, help="Demo database (rebuilt).")
@click.option("--data-dir", default="data/demo/files", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option("--no-serve", is_flag=True, help="Stop after indexing, without serving Datasette.")
def demo(db_path: str, data_dir: str, port: int, no_serve: bool) -> None:
    """The whole pipeline on the bundled sample, offline: mirror, crawl over HTTP, parse, index, serve."""
    from pipelines.demo import SAMPLE_SITE
    from pipelines.demo.mirror import mirror_sources, serve_mirror
    from pipelines.run import run as run_pipeline

    if not SAMPLE_SITE.is_dir():
        raise BadInput(f"bundled sample not found at {SAMPLE_SITE}")
    for path in (Path(db_path), Path(db_path + "-wal"), Path(db_path + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    with serve_mirror(SAMPLE_SITE) as origin, tempfile.TemporaryDirectory() as tmp:
        click.echo(f"Serving the bundled sample mirror at {origin}/")
        sources_file = Path(tmp) / "sources.yml"
        sources_file.write_text(yaml.safe_dump({"sources": mirror_sources(origin)}, sort_keys=False))
        summary = run_pipeline(db_path, data_dir, _load(str(sources_file), ()), command="demo")
    _report(summary)
    if no_serve:
        return
    from pipelines.web.serve import serve as serve_datasette

    serve_datasette(db_path, "127.0.0.1", port)


@cli.command()
@click.option("--cron", is_flag=True, help="A cron line instead of a systemd service and timer.")
@click.option("--install", is_flag=True, help="Install it (systemd: write the units and start the timer).")
@click.option("--unit-dir", type=click.Path(file_okay=False), help="Where to write the systemd units (and do not call systemctl).")
@click.option("--sources", "sources_file", default=None, help="Sources file (YAML; default as for run).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--data-dir", default=None, help=DATA_DIR_HELP)
def schedule(cron: bool, install: bool, unit_dir: str | None, sources_file: str | None, db_path: str,
             data_dir: str | None) -> None:
    """Print (or install) a nightly `foilog run`: a systemd timer, or a cron line."""
    import os

    from pipelines import schedule as plan

    workdir = Path.cwd()
    sources_file = sources_path(sources_file)
    if cron:
        line = plan.cron_line(workdir, sources_file, db_path, data_dir)
        click.echo(plan.install_cron(line) if install else line)
        return
    units = plan.units(workdir, sources_file, db_path, data_dir)
    if not install:
        for name, text in units.items():
            click.echo(f"# {name}\n{text}")
        return
    default = Path("/etc/systemd/system") if os.geteuid() == 0 else Path.home() / ".config" / "systemd" / "user"
    for line in plan.install_units(Path(unit_dir) if unit_dir else default, units, enable=unit_dir is None):
        click.echo(line)


@cli.command()
@click.argument("target")
@click.option("--reason", default="", help="Why (recorded with the withdrawal; never the content).")
@click.option("--undo", is_flag=True, help="Reverse an earlier withdrawal: the next crawl fetches it again.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--data-dir", default=None, help=DATA_DIR_HELP)
def withdraw(target: str, reason: str, undo: bool, db_path: str, data_dir: str | None) -> None:
    """Remove a document (by REFERENCE or URL) everywhere: files, rows, search index; record why."""
    from pipelines.db import open_db
    from pipelines.files import bind_store
    from pipelines.lock import run_lock
    from pipelines.withdraw import reinstate
    from pipelines.withdraw import withdraw as withdraw_document

    _existing_db(db_path)
    with run_lock(db_path):
        db = open_db(db_path)
        if undo:
            click.echo(f"reinstated {reinstate(db, target)} URL(s): the next crawl fetches them again")
            return
        done = withdraw_document(db, bind_store(db, db_path, data_dir), target, reason or "no reason given")
    click.echo(f"withdrew {len(done.urls)} URL(s) and {done.files} file(s); they will not be fetched again")


@cli.command()
@click.argument("target", metavar="SHA256-OR-URL")
@click.option("--reason", required=True, help="Why it may be served (recorded with who decided).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
def release(target: str, reason: str, db_path: str) -> None:
    """Serve an attachment that the audit held back, recording who decided and why."""
    import getpass

    from pipelines.db import now, open_db
    from pipelines.index import build_disclosures
    from pipelines.lock import run_lock

    _existing_db(db_path)
    with run_lock(db_path):
        db = open_db(db_path)
        found = list(db.query("select distinct d.sha256, d.url from documents d left join document_urls u on u.document_id = d.id "
                              "where d.status = 'held' and (d.sha256 = ? or d.url = ? or u.url = ?)", [target, target, target]))
        if not found:
            raise BadInput(f"no held attachment matches {target}")
        for row in found:
            db.table("releases").upsert({"sha256": row["sha256"], "url": row["url"], "reason": reason,
                                         "released_by": getpass.getuser(), "released_at": now()}, pk="sha256")
            db.execute("update documents set status = 'parsed' where sha256 = ? and status = 'held'", [row["sha256"]])
        build_disclosures(db)
    click.echo(f"released {len(found)} attachment(s): served from now on; the decision is recorded in releases")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option("--limit", default=10, show_default=True, help="How many runs to show.")
@click.option("--failed-runs", default=3, show_default=True, help="Runs in a row with no listing page fetched that make a source broken.")
@click.option("--quiet-days", default=30, show_default=True, help="Days with no new entry that make a source look broken.")
def status(db_path: str, as_json: bool, limit: int, failed_runs: int, quiet_days: int) -> None:
    """The last runs and any source that looks broken (then the exit code is 1, so cron mails you)."""
    from pipelines.status import held_documents, last_runs, source_health

    _existing_db(db_path)
    runs = last_runs(db_path, limit)
    health = source_health(db_path, failed_runs=failed_runs, quiet_days=quiet_days)
    broken = [h for h in health if not h["ok"]]
    held = held_documents(db_path)
    if as_json:
        click.echo(json.dumps({"runs": runs, "sources": health, "held": held, "ok": not broken and not held}, indent=1))
    else:
        if not runs:
            click.echo("no runs yet")
        for r in runs:
            click.echo(f"#{r['id']} {r['started_at']} {r['command'] or ''} {r['status']}: {r['duration_s'] or 0:.1f}s, "
                       f"{r['pages'] or 0} pages, {r['new'] or 0} new, {r['changed'] or 0} changed, "
                       f"{r['unchanged'] or 0} unchanged, {r['failed'] or 0} failed"
                       + (f" - {r['error']}" if r["error"] else ""))
        for h in health:
            failing = (f"; {h['failing_urls']} URL(s) failing, asked again after 1, 2, 4 ... days "
                       f"(longest streak {h['longest_failing_streak']} checks, oldest last checked {h['failing_since']})"
                       if h["failing_urls"] else "")
            click.echo(f"source {h['source']}: " + ("ok" if h["ok"] else "BROKEN: " + "; ".join(h["problems"])) + failing)
        for d in held:
            audit = json.loads(str(d["audit"] or "{}"))
            said = "; ".join(f"{f['kind']} in {f['where']}: {f['detail']}" for f in audit.get("findings", [])) or audit.get("error", "")
            click.echo(f"HELD {d['sha256']} {d['url']}: {said} (foilog release SHA256 --reason ..., or foilog withdraw)")
    if broken or held:  # cron mails you until someone decides
        sys.exit(1)
