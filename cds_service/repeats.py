"""Alert fatigue: order-sign does not repeat an info card that the same, unchanged draft order
already got at order-select (clinical-rules.md, "Alert fatigue is a safety issue too").

At order-select the keys of the info cards shown are remembered; at order-sign an info finding
whose draft orders were all shown that advice recently is turned into a Silent decision. A key
is an HMAC (with a per-database random secret) of patient id, draft order id, rule id and a
fingerprint of the order's clinical content, so no patient data is stored and any change to
the order (drug, dose, site, timing, quantity, reason) shows the card again. Warnings and
critical cards always repeat. If the database fails the card simply shows again.

Some reminders are about the patient, not the order (`PER_PATIENT`, clinical-rules §5.5): they
are shown at most once per patient in their window, on any hook, keyed by an HMAC of patient
id and rule id alone. A reminder that triage will not show (beside a critical card, say) is not
remembered, so the next chance to show it is not lost; and a retry of the call that showed it
(same `hookInstance`, within `RETRY_WINDOW`) gets the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Engine, bindparam, delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from cds_service.picture import MedicationOrder
from cds_service.rules import SELECT, SIGN, Decision, Finding, Rule, Silent
from cds_service.tables import advice_shown, service_secret
from cds_service.triage import neighbour_veto

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=12)
# A call with the hookInstance of the one that showed a reminder is its retry (same answer)
# only this soon after: some clients send one constant hookInstance for every call.
RETRY_WINDOW = timedelta(minutes=10)
PER_PATIENT = {
    "emollient-not-prescribed": timedelta(days=90),
    "eczema-action-plan": timedelta(days=180),
}
FINGERPRINT_FIELDS = (
    "medicationCodeableConcept",
    "medicationReference",
    "dosageInstruction",
    "dispenseRequest",
    "reasonCode",
    "reasonReference",
)


def fingerprint(order: MedicationOrder) -> str:
    """A digest of what the order asks for; unchanged when only status or dates move."""
    content = {k: order.raw.get(k) for k in FINGERPRINT_FIELDS if k in order.raw}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


class RepeatGuard:
    """Remembers info advice shown at order-select and mutes its repeat at order-sign."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._secret: bytes | None = None
        dialect = engine.dialect
        # SQLite: the hot SELECT goes to the pooled DBAPI connection (see `_seen_raw`), its
        # time bound as SQLAlchemy binds it (`DateTime` stores a fixed-width string there).
        self._bind_since = (
            advice_shown.c.shown_at.type.dialect_impl(dialect).bind_processor(dialect)
            if dialect.name == "sqlite" and dialect.paramstyle == "qmark"
            else None
        )

    def _key_secret(self) -> bytes:
        if self._secret is None:
            with self.engine.begin() as conn:
                found = conn.execute(
                    select(service_secret.c.value).where(service_secret.c.name == "advice-key")
                ).scalar()
            if found is None:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(
                            insert(service_secret),
                            {"name": "advice-key", "value": secrets.token_hex(32)},
                        )
                except IntegrityError:
                    pass  # another worker created it first
                return self._key_secret()
            self._secret = bytes.fromhex(found)
        return self._secret

    def keys(self, patient_id: str, rule_id: str, orders: Iterable[MedicationOrder]) -> list[str]:
        """One key per draft order the finding is about (none for orders without an id)."""
        secret = self._key_secret()
        return [
            hmac.new(
                secret,
                # JSON may carry lone surrogates ("\ud800"): hashed as they are, never a 500
                f"{patient_id}\x1f{o.id}\x1f{rule_id}\x1f{fingerprint(o)}".encode(
                    "utf-8", "surrogatepass"
                ),
                "sha256",
            ).hexdigest()
            for o in orders
            if o.id and o.in_scope
        ]

    def patient_key(self, patient_id: str, rule_id: str, instance: str = "") -> str:
        """The key of a once-per-patient reminder (or of the call that showed it)."""
        message = f"patient\x1f{patient_id}\x1f{rule_id}\x1f{instance}".encode(
            "utf-8", "surrogatepass"
        )
        return hmac.new(self._key_secret(), message, "sha256").hexdigest()

    def apply(
        self,
        hook: str,
        patient_id: str | None,
        decisions: Sequence[tuple[Rule, Decision]],
        indicator: Callable[[Rule, Finding], str],
        now: datetime,
        instance: str | None = None,
    ) -> list[tuple[Rule, Decision]]:
        """Mute once-per-patient reminders shown recently; mute repeated info findings at
        order-sign and remember shown ones at order-select. `instance` is the hookInstance."""
        if not patient_id:
            return list(decisions)
        try:
            decisions = self._per_patient(patient_id, decisions, indicator, now, instance)
        except SQLAlchemyError as exc:
            log.warning("repeat guard unavailable", extra={"error": type(exc).__name__})
        if hook not in (SELECT, SIGN):
            return list(decisions)
        try:
            info = {
                rule.id: self.keys(patient_id, rule.id, d.orders)
                for rule, d in decisions
                if isinstance(d, Finding) and indicator(rule, d) == "info"
            }
            info = {rule_id: keys for rule_id, keys in info.items() if keys}
            if not info:
                return list(decisions)
            if hook == SELECT:
                self._remember([k for keys in info.values() for k in keys], now)
                return list(decisions)
            seen = self._seen([k for keys in info.values() for k in keys], now - WINDOW)
        except SQLAlchemyError as exc:
            log.warning("repeat guard unavailable", extra={"error": type(exc).__name__})
            return list(decisions)
        return [
            (rule, Silent("already shown at order-select for the same unchanged draft order"))
            if rule.id in info and set(info[rule.id]) <= seen
            else (rule, d)
            for rule, d in decisions
        ]

    def _per_patient(
        self,
        patient_id: str,
        decisions: Sequence[tuple[Rule, Decision]],
        indicator: Callable[[Rule, Finding], str],
        now: datetime,
        instance: str | None,
    ) -> list[tuple[Rule, Decision]]:
        found = [(r, d, indicator(r, d)) for r, d in decisions if isinstance(d, Finding)]
        keys: dict[str, str] = {}
        for rule, _d, level in found:
            others = [lv for r, _f, lv in found if r.id != rule.id]
            if rule.id in PER_PATIENT and not neighbour_veto(rule.id, level, others):
                keys[rule.id] = self.patient_key(patient_id, rule.id)
        if not keys:
            return list(decisions)
        calls = {r: self.patient_key(patient_id, r, instance) for r in keys if instance}
        seen, retried = set(), set()
        for rule_id, key in keys.items():
            call = calls.get(rule_id)
            shown = self._seen([key, call] if call else [key], now - PER_PATIENT[rule_id])
            if call in shown and self._seen([call], now - RETRY_WINDOW):
                retried.add(rule_id)  # a retry of the call that showed it: show it again,
                continue  # remembered as shown then (a retry does not move the window)
            if key in shown:
                seen.add(key)
        new = [r for r, k in keys.items() if k not in seen and r not in retried]
        if new:
            self._remember([keys[r] for r in new] + [calls[r] for r in new if r in calls], now)
        return [
            (rule, Silent(f"shown for this patient in the last {PER_PATIENT[rule.id].days} days"))
            if keys.get(rule.id) in seen
            else (rule, d)
            for rule, d in decisions
        ]

    def _remember(self, keys: list[str], now: datetime) -> None:
        unique = list(dict.fromkeys(keys))
        with self.engine.begin() as conn:
            conn.execute(_FORGET, {"keys": unique})
            conn.execute(_REMEMBER, [{"advice_key": k, "shown_at": now} for k in unique])

    def _seen(self, keys: list[str], since: datetime) -> set[str]:
        unique = list(dict.fromkeys(keys))
        if self._bind_since is not None:
            return self._seen_raw(unique, self._bind_since(since))
        with self.engine.connect() as conn:
            found = conn.execute(_SEEN, {"keys": unique, "since": since})
            return {r[0] for r in found}

    def _seen_raw(self, keys: list[str], since: object) -> set[str]:
        """`_SEEN` on SQLite through the pool's DBAPI connection: ~15 us, where Core spends
        ~70 us on the connection wrapper and on expanding the IN list each time. A DBAPI
        error is raised as SQLAlchemy's (what `apply` catches), as Core would."""
        sql = _SEEN_SQLITE.format(",".join("?" * len(keys)))
        params = (*keys, since)
        error = self.engine.dialect.loaded_dbapi.Error
        try:
            conn = self.engine.raw_connection()
            try:
                cursor = conn.cursor()
                try:
                    return {row[0] for row in cursor.execute(sql, params).fetchall()}
                finally:
                    cursor.close()
            finally:
                conn.close()  # back to the pool, rolled back as Core's would be
        except error as exc:
            raise DBAPIError.instance(sql, params, exc, error, hide_parameters=True) from exc


# The statements on the response path, built once: building a Core statement costs ~90 us
# (expression and cache key), executing a built one ~50 us on SQLite.
_KEYS: BindParameter[list[str]] = bindparam("keys", expanding=True)
_SEEN = select(advice_shown.c.advice_key).where(
    advice_shown.c.advice_key.in_(_KEYS), advice_shown.c.shown_at >= bindparam("since")
)
# The same statement as SQLite text, for `_seen_raw` (tests/test_repeats.py compares the two).
_SEEN_SQLITE = "SELECT advice_key FROM advice_shown WHERE advice_key IN ({}) AND shown_at >= ?"
_FORGET = delete(advice_shown).where(advice_shown.c.advice_key.in_(_KEYS))
_REMEMBER = insert(advice_shown)
