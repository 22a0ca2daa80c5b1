"""Everything loaded once at start-up and shared by every request."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cds_service import migrate, schemas
from cds_service.cards import CardFileError, CardTemplate, catalogue_version, load_card_files
from cds_service.fhir.allow import ServerPolicy
from cds_service.fhir.pool import SessionPool
from cds_service.repeats import RepeatGuard
from cds_service.rules import Rule, load_rules
from cds_service.services import ServiceDefinition, build_services
from cds_service.settings import Settings
from cds_service.storage import FeedbackStore, make_engine
from cds_service.suggestions import Builder, load_builders
from cds_service.terminology import Terminology
from cds_service.vocabulary import check_terminology

log = logging.getLogger(__name__)

REPO_CARDS = Path(__file__).resolve().parent.parent / "cards"
# A wheel carries a copy of cards/ here (setup.py); a source checkout reads cards/ itself, so
# the card files clinicians edit stay the ones the service serves.
PACKAGED_CARDS = Path(__file__).resolve().parent / "_cards"


def default_cards_dir() -> Path:
    """cards/ of a source checkout, else the copy packaged in the wheel."""
    if (REPO_CARDS / "catalogue.toml").is_file():
        return REPO_CARDS
    return PACKAGED_CARDS


def utc_now() -> datetime:
    """The wall clock (the only place the service reads it)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """Start-up products: settings, terminology, rules, services, card templates, storage."""

    settings: Settings
    terminology: Terminology
    rules: Mapping[str, Rule]
    services: Mapping[str, ServiceDefinition]
    cards: Mapping[str, CardTemplate]
    builders: Mapping[str, Builder]
    version: str
    store: FeedbackStore
    repeats: RepeatGuard
    clock: Callable[[], datetime]
    fhir_sessions: SessionPool  # kept-alive FHIR connections, per fhirServer (fhir/pool.py)

    @classmethod
    def start(cls, settings: Settings, clock: Callable[[], datetime] = utc_now) -> Runtime:
        """Load and check everything; raise with the file name when something is wrong."""
        schemas.load_all()
        terminology = Terminology.load()
        check_terminology(terminology)
        rules = load_rules()
        cards_dir = Path(settings.cards_dir) if settings.cards_dir else default_cards_dir()
        cards = load_card_files(cards_dir, rules)
        builders = load_builders(cards_dir)  # and cards_dir/_suggestions.toml, checked
        for template in cards.values():
            for suggestion in template.data.get("suggestions", []):
                if suggestion["key"] not in builders:
                    raise CardFileError(
                        f"{template.path}: suggestion key {suggestion['key']!r} has no builder"
                    )
        busy = settings.db_busy_timeout_seconds
        pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
        engine = make_engine(
            settings.database_url,
            busy_timeout=busy,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        store = FeedbackStore(engine, busy, pool)
        problem = migrate.prepare(store.engine)  # SQLite: upgraded here; others: checked
        if problem is not None:
            log.warning(migrate.startup_warning(problem), extra={"reason": problem})
        return cls(
            settings=settings,
            terminology=terminology,
            rules=rules,
            services=build_services(rules),
            cards=cards,
            builders=builders,
            version=catalogue_version(cards_dir),
            store=store,
            repeats=RepeatGuard(store.log_engine),
            clock=clock,
            fhir_sessions=SessionPool(
                ServerPolicy(settings.fhir_server_allow), settings.fhir_max_workers
            ),
        )
