"""`cds-service db ...`, start-up racing on one SQLite file, /readyz with a schema behind, and
the pool settings reaching the engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from cds_service import create_app, migrate
from cds_service.dbengine import make_engine, sqlite_file
from cds_service.ops import serve
from cds_service.ops.cli import main
from cds_service.settings import Settings
from tests.conftest import load_fixture, make_settings, pinned_clock

SELECT = "tcs-incomplete-prescription/order-select-incomplete-selected-in.json"


def test_db_upgrade_current_and_downgrade(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["db", "current", "--database-url", url]) == 1  # behind: never migrated
    assert capsys.readouterr().out == f"none (head {migrate.head()})\n"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert capsys.readouterr().out == f"database schema: none -> {migrate.head()}\n"
    assert main(["db", "current", "--database-url", url]) == 0
    assert main(["db", "downgrade", "--database-url", url]) == 1  # a target is required
    assert "--revision" in capsys.readouterr().err
    assert main(["db", "downgrade", "--revision", "base", "--database-url", url, "--yes"]) == 0
    assert capsys.readouterr().out.endswith(f"{migrate.head()} -> none\n")


@pytest.mark.parametrize("revision", ["base", "0001"])
def test_a_downgrade_without_yes_is_refused_and_touches_nothing(
    revision: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'keep.sqlite3'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    capsys.readouterr()
    assert main(["db", "downgrade", "--revision", revision, "--database-url", url]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: downgrade to ")
    assert err.endswith("rows included: add --yes to confirm\n")
    assert ("every table" in err) == (revision == "base")
    engine = make_engine(url)
    assert migrate.current(engine) == migrate.head()  # nothing dropped
    engine.dispose()


def test_db_current_on_a_later_releases_schema_is_ahead_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A rollback after the next release's migration: /readyz says ready, so does the CLI."""
    url = f"sqlite:///{tmp_path / 'ahead.sqlite3'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_later'"))
    engine.dispose()
    capsys.readouterr()
    assert main(["db", "current", "--database-url", url]) == 0
    ahead = "ahead, a later release's schema (newer than this code)"
    assert capsys.readouterr().out == f"ffff_later (head {migrate.head()}): {ahead}\n"


def test_db_upgrade_reads_the_service_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("CDS_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(url)
    assert migrate.current(engine) == migrate.head()
    engine.dispose()


def test_serve_migrate_upgrades_before_gunicorn_and_stops_if_it_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = []
    monkeypatch.setattr(serve, "run", lambda host, port: served.append(host) or 0)
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    monkeypatch.setenv("CDS_DATABASE_URL", url)
    assert main(["serve", "--migrate"]) == 0
    assert served == ["127.0.0.1"] and migrate.current(make_engine(url)) == migrate.head()
    monkeypatch.setenv("CDS_DATABASE_URL", "postgresql+psycopg://cds@127.0.0.1:1/cds")
    assert main(["serve", "--migrate"]) == 1
    assert served == ["127.0.0.1"]  # gunicorn never started on an unmigrated database


def test_db_upgrade_failure_names_no_password(capsys: pytest.CaptureFixture) -> None:
    url = "postgresql+psycopg://cds:s3cret-pw@127.0.0.1:1/cds"  # nothing listens on port 1
    assert main(["db", "upgrade", "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "database unavailable (OperationalError)" in err and "s3cret-pw" not in err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://cds:p@ss:w0rd-s3cret@db.example/cds",  # '@' and ':' unencoded
        "postgresql+psycopg://cds@db.example:s3cret-pw/cds",  # the password where the port goes
        "cds:s3cret-pw@db.example/cds",  # no scheme
    ],
)
def test_malformed_url_names_no_part_of_it(url: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["db", "upgrade", "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "database URL is malformed" in err and "s3cret" not in err
    with pytest.raises(ValueError) as raised:  # the service's start-up: the same error
        make_engine(url)
    assert "s3cret" not in str(raised.value) and raised.value.__cause__ is None


@pytest.mark.parametrize("action", ["upgrade", "downgrade"])
def test_an_unknown_revision_is_an_error_line(
    action: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'rev.sqlite3'}"
    assert main(["db", action, "--revision", "nosuch", "--database-url", url, "--yes"]) == 1
    assert capsys.readouterr().err == ("error: Can't locate revision identified by 'nosuch'\n")


def test_purge_with_the_database_down_is_an_error_line(capsys: pytest.CaptureFixture) -> None:
    url = "postgresql+psycopg://cds:s3cret-pw@127.0.0.1:1/cds"  # nothing listens on port 1
    assert main(["purge", "--database-url", url]) == 1
    assert capsys.readouterr().err == "error: database unavailable (OperationalError)\n"


def test_db_upgrade_leaves_a_later_releases_schema_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'later.sqlite3'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_later'"))
    capsys.readouterr()
    assert main(["db", "upgrade", "--database-url", url]) == 0  # serve --migrate on a rollback
    assert "ffff_later, a later release's revision" in capsys.readouterr().out
    assert migrate.current(engine) == "ffff_later"
    engine.dispose()


def test_unknown_dialect_is_an_error_line_not_a_traceback(capsys: pytest.CaptureFixture) -> None:
    assert main(["db", "current", "--database-url", "nosuchdb://cds:s3cret-pw@h/cds"]) == 1
    err = capsys.readouterr().err
    assert err == "error: no database driver for this URL (NoSuchModuleError)\n"


def test_start_up_tolerates_another_process_migrating_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    real = migrate.upgrade

    def lost_the_race(eng: object, revision: str = "head") -> None:
        real(engine)  # the other worker's migration wins...
        raise OperationalError("CREATE TABLE", {}, Exception("table feedback already exists"))

    monkeypatch.setattr(migrate, "upgrade", lost_the_race)
    assert migrate.prepare(engine) is None
    assert migrate.current(engine) == migrate.head()


def test_db_upgrade_losing_a_race_on_sqlite_tries_once_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    real, calls = migrate.upgrade, []

    def lost_the_race(eng: Engine, revision: str = "head") -> None:
        calls.append(revision)
        if len(calls) == 1:
            real(make_engine(url))  # another `db upgrade` commits first...
            raise OperationalError("UPDATE alembic_version", {}, Exception("database is locked"))
        real(eng, revision)

    monkeypatch.setattr(migrate, "upgrade", lost_the_race)
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert calls == ["head", "head"]
    assert capsys.readouterr().out == f"database schema: none -> {migrate.head()}\n"


def test_db_upgrade_that_keeps_failing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    calls = []

    def broken(eng: object, revision: str = "head") -> None:
        calls.append(revision)
        raise OperationalError("CREATE TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(migrate, "upgrade", broken)
    assert main(["db", "upgrade", "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}"]) == 1
    assert len(calls) == 2 and "OperationalError" in capsys.readouterr().err


def test_start_up_fails_when_the_migration_keeps_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}")
    calls = []

    def broken(eng: object, revision: str = "head") -> None:
        calls.append(revision)
        raise OperationalError("CREATE TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(migrate, "upgrade", broken)
    with pytest.raises(OperationalError):
        migrate.prepare(engine)
    assert len(calls) == 2  # one retry, then the error


def test_readyz_is_503_while_the_schema_is_behind(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), clock=pinned_clock)
    store = app.extensions["cds_runtime"].store
    try:
        migrate.downgrade(store.engine, "base")  # as if the Job had not run yet
        client = app.test_client()
        response = client.get("/readyz")
        assert response.status_code == 503 and response.get_json()["status"] == "not ready"
        hook = client.post("/cds-services/eczema-order-select", json=load_fixture(SELECT))
        assert hook.status_code == 200  # hook calls still answer (without the repeat guard)
        migrate.upgrade(store.engine)
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        store.dispose()


def pool(engine: object) -> tuple[int, int]:
    return engine.pool.size(), engine.pool._max_overflow  # type: ignore[attr-defined]


def test_pool_settings_reach_postgresql_and_sqlite_file_engines(tmp_path: Path) -> None:
    pg = make_engine("postgresql+psycopg://cds@db.invalid/cds", pool_size=3, max_overflow=7)
    assert pool(pg) == (3, 7)  # no connection is made to build it
    assert pool(make_engine("postgresql+psycopg://cds@db.invalid/cds")) == (5, 10)
    assert pool(make_engine(f"sqlite:///{tmp_path / 'f.sqlite3'}", pool_size=2)) == (2, 10)


def test_the_service_builds_its_engines_from_the_pool_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, db_pool_size=4, db_max_overflow=1)
    app: Flask = create_app(settings, clock=pinned_clock)
    store = app.extensions["cds_runtime"].store
    try:
        assert pool(store.engine) == (4, 1) and pool(store.log_engine) == (4, 1)
    finally:
        store.dispose()


@pytest.mark.parametrize(
    "env", [{"CDS_DB_POOL_SIZE": "0"}, {"CDS_DB_POOL_SIZE": "-1"}, {"CDS_DB_MAX_OVERFLOW": "-5"}]
)
def test_pool_settings_that_sqlalchemy_reads_as_unbounded_stop_start_up(
    env: dict[str, str],
) -> None:
    with pytest.raises(ValueError, match="CDS_DB_POOL_SIZE must be at least 1"):
        Settings.from_env(env)
    assert (
        Settings.from_env({"CDS_DB_POOL_SIZE": "1", "CDS_DB_MAX_OVERFLOW": "0"}).db_pool_size == 1
    )


def test_a_sqlite_file_uri_names_its_file_not_a_directory_called_file() -> None:
    url = make_url("sqlite:///file:/srv/db/cds.sqlite3?mode=ro&uri=true")
    assert sqlite_file(url) == Path("/srv/db/cds.sqlite3")
    assert sqlite_file(make_url("sqlite:///file:m?mode=memory&cache=shared&uri=true")) is None
    assert sqlite_file(make_url("sqlite:///instance/cds.sqlite3")) == Path("instance/cds.sqlite3")
    assert sqlite_file(make_url("sqlite://")) is None
