"""Command line (`cds-service` or `python -m cds_service`): serve, migrate the database, explain
a hook request, report feedback per rule, build the card gallery; in a source checkout, write
the fixtures and scaffold a rule (`ops/authoring.py`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from cds_service import migrate
from cds_service.cards import load_card_files
from cds_service.ops import authoring, dbcli, devtoken, doctor, gallery, purge, rules_table, serve
from cds_service.ops import explain as ex
from cds_service.ops.governance import build_governance
from cds_service.ops.report import build_report, render_text
from cds_service.ops.report_html import period_words, render_html
from cds_service.ops.seed import seed_bundle
from cds_service.rules import load_rules
from cds_service.runtime import REPO_CARDS, default_cards_dir
from cds_service.settings import Settings
from cds_service.storage import FeedbackStore, make_engine

REPO_FIXTURES = REPO_CARDS.parent / "fixtures"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cds-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the service under gunicorn (the packaged settings)")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--migrate", action="store_true", help="run `db upgrade` first (one replica)")
    dbcli.add_parser(sub)
    p = sub.add_parser("doctor", help="would a client at URL, from page ORIGIN, get through?")
    p.add_argument("--url", default="http://127.0.0.1:8080", help="base URL the client calls")
    p.add_argument("--origin", help="the browser page's origin (e.g. the Sandbox's)")
    p.add_argument("--token", help="a token the client sent (aud and iss are compared)")
    p = sub.add_parser("dev-token", help="a local test EHR: init DIR, or mint a token")
    p.add_argument("action", choices=["init", "mint"])
    p.add_argument("--dir", type=Path, default=Path("instance/dev-ehr"))
    p.add_argument("--aud", default="http://127.0.0.1:8080/cds-services/eczema-order-sign")
    p = sub.add_parser("explain", help="why each rule fired or stayed silent for a request")
    p.add_argument("file", type=Path, help="a hook request (JSON), e.g. a fixture")
    p.add_argument("--now", help="pin the time, e.g. 2026-11-22T12:00Z (fixtures need it)")
    p.add_argument("--service", help="explain this service id (default: all for the hook)")
    p.add_argument("--fetch", action="store_true", help="use fhirServer (network) if given")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p = sub.add_parser("feedback-report", help="cards shown, accepted, overridden per rule")
    p.add_argument("--database-url", help="default: CDS_DATABASE_URL or the SQLite default")
    p.add_argument("--since", help="start date/time (inclusive), e.g. 2026-11-01")
    p.add_argument("--until", help="end date/time (exclusive)")
    p.add_argument("--days", type=int, help="the last N days (instead of --since)")
    p.add_argument(
        "--html", type=Path, metavar="FILE", help="also write the committee's report (HTML)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p = sub.add_parser("gallery", help="render every -in fixture's cards to one HTML page")
    p.add_argument("--out", type=Path, default=Path("build/gallery.html"))
    p.add_argument("--fixtures", type=Path, default=REPO_FIXTURES)
    p.add_argument("--now", default=gallery.FIXTURE_NOW, help="default: the fixtures' day")
    p = sub.add_parser("purge", help="remove issued-card, replay and repeat rows past their use")
    p.add_argument(
        "--older-than", help="issued cards older than this, e.g. 90d (default: CDS_RETENTION_DAYS)"
    )
    p.add_argument(
        "--feedback-older-than",
        help="also feedback older than this, e.g. 730d "
        "(default: CDS_FEEDBACK_RETENTION_DAYS; 0 keeps feedback)",
    )
    p.add_argument("--database-url", help="default: CDS_DATABASE_URL or the SQLite default")
    p.add_argument("--batch-size", type=int, default=purge.BATCH_SIZE, help="rows per commit")
    p.add_argument("--dry-run", action="store_true", help="count what would go, remove nothing")
    p = sub.add_parser("rules-table", help="the README rule table from rules and card files")
    p.add_argument("--write", type=Path, metavar="README", help="replace the table in this file")
    p = sub.add_parser("seed-bundle", help="a fixture's prefetch as a FHIR transaction Bundle")
    p.add_argument("file", type=Path, help="a hook request (JSON), e.g. a fixture")
    authoring.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when the command cannot do its job, 2 on bad usage."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            if args.migrate and (failed := dbcli.upgrade_configured()):
                return failed
            return serve.run(args.host, args.port)
        if args.command == "db":
            return dbcli.run(args)
        if args.command == "doctor":
            return _doctor(args)
        if args.command == "dev-token":
            return _dev_token(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "feedback-report":
            return _report(args)
        if args.command == "purge":
            return _purge(args)
        if args.command == "rules-table":
            return _rules_table(args)
        if args.command in authoring.COMMANDS:
            return authoring.run(args)
        if args.command == "seed-bundle":
            request = json.loads(args.file.read_text(encoding="utf-8"))
            print(json.dumps(seed_bundle(request), indent=2, ensure_ascii=False))
            return 0
        return _gallery(args)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # purge, feedback-report...: the kind only, as `db` does
        print(f"error: database unavailable ({type(exc).__name__})", file=sys.stderr)
        return 1


def _explain(args: argparse.Namespace) -> int:
    body = json.loads(args.file.read_text(encoding="utf-8"))
    now = ex.parse_now(args.now) or datetime.now(UTC)
    rt = ex.start_runtime(Settings.from_env(), now)
    items = ex.explain(rt, body, service_id=args.service, fetch=args.fetch)
    if args.json:
        print(json.dumps([i.as_json() for i in items], indent=2, ensure_ascii=False))
    else:
        print(ex.render_text(items, version=rt.version, now=now, offline=not args.fetch), end="")
    return 1 if any(i.error for i in items) else 0


def _report(args: argparse.Namespace) -> int:
    url = args.database_url or Settings.from_env().database_url
    until = ex.parse_now(args.until)
    since = ex.parse_now(args.since)
    if args.days is not None:
        since = (until or datetime.now(UTC)) - timedelta(days=args.days)
    period = f"{since.isoformat() if since else 'start'} to {until.isoformat() if until else 'now'}"
    store = FeedbackStore(make_engine(url))
    try:
        problem = migrate.prepare(store.engine)  # SQLite: upgraded; others: checked
        if problem is not None:
            raise ValueError(problem)
        rows = build_report(store.engine, since, until)
        if args.html:
            cards = load_card_files(_cards_dir(), load_rules())
            summary = build_governance(store.engine, cards, since, until)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps({"period": period, "rules": [r.as_json() for r in rows]}, indent=2))
    else:
        print(render_text(rows, period), end="")
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(summary, period_words(since, until)), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    older = purge.parse_age(args.older_than or str(settings.retention_days))
    feedback_age = args.feedback_older_than or str(settings.feedback_retention_days)
    feedback_older = purge.parse_age(feedback_age) or None  # 0 keeps feedback
    if not older:
        raise ValueError("--older-than must be more than 0 (it would remove every issued card)")
    engine = make_engine(args.database_url or settings.database_url)
    try:
        counts = purge.purge(
            engine,
            older_than=older,
            feedback_older_than=feedback_older,
            batch_size=args.batch_size,
            dry_run=args.dry_run,
        )
    finally:
        engine.dispose()
    verb = "would remove" if args.dry_run else "removed"
    done = ", ".join(f"{n} {what}" for what, n in counts.items()) or "nothing (no tables)"
    kept = "" if feedback_older else "; feedback kept"
    print(f"{verb} {done}{kept}")
    return 0


def _rules_table(args: argparse.Namespace) -> int:
    rules = load_rules()
    table = rules_table.render(rules, load_card_files(_cards_dir(), rules))
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        args.write.write_text(rules_table.replace(text, table), encoding="utf-8")
    else:
        print(table, end="")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    checks = doctor.diagnose(args.url, args.origin, Settings.from_env(), args.token)
    for check in checks:
        print(check.line())
    return 0 if all(c.ok for c in checks) else 1


def _dev_token(args: argparse.Namespace) -> int:
    if args.action == "init":
        key, issuers = devtoken.init(args.dir)
        print(f"wrote {key} (private: keep it out of git) and {issuers}", file=sys.stderr)
        print(f"serve with: CDS_AUTH_MODE=jwt CDS_TRUSTED_ISSUERS={issuers} make serve")
        return 0
    print(devtoken.mint(args.dir / devtoken.KEY_FILE, args.aud))
    return 0


def _cards_dir() -> Path:
    configured = Settings.from_env().cards_dir
    return Path(configured) if configured else default_cards_dir()


def _gallery(args: argparse.Namespace) -> int:
    now = ex.parse_now(args.now) or datetime.now(UTC)
    rt = ex.start_runtime(Settings.from_env(), now)
    paths = gallery.in_fixtures(args.fixtures)
    if not paths:
        raise ValueError(f"no *-in.json fixtures under {args.fixtures}")
    entries = gallery.collect(rt, paths)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        gallery.render_page(entries, version=rt.version, now=now, templates=dict(rt.cards)), "utf-8"
    )
    print(f"wrote {args.out}: the cards of {len(entries)} fixtures", file=sys.stderr)
    failed = [e.name for e in entries if e.error]
    for name in failed:
        print(f"error in fixture {name}", file=sys.stderr)
    return 1 if failed else 0
