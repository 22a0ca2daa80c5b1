"""The built wheel serves on its own: cards, schemas, terminology and gunicorn settings inside it.

The wheel is built offline from a copy of the checkout's files, tracked or new but not
git-ignored (a rule just scaffolded is in it before it is committed; no build isolation: the dev
environment has setuptools and wheel) and unpacked into a directory that is put first on the
path of a child interpreter started in an empty working directory, so neither `cards/` nor
`gunicorn.conf.py` of the checkout can be found by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

FIXTURE = FIXTURES / "tcs-potent-on-sensitive-site/clobetasol-eyelid-coded-age-30-in.json"

CHILD = """
import json, sys
from pathlib import Path
import cds_service
from cds_service import create_app, migrate
from cds_service.ops import serve
from cds_service.runtime import default_cards_dir
from cds_service.settings import Settings

assert not Path(cds_service.__file__).is_relative_to(Path(sys.argv[1])), cds_service.__file__
app = create_app(Settings(database_url=sys.argv[2], auth_mode="off", bind_host="127.0.0.1"))
client = app.test_client()
services = client.get("/cds-services").get_json()["services"]
body = json.loads(Path(sys.argv[3]).read_text())
cards = client.post("/cds-services/eczema-order-sign", json=body).get_json()["cards"]
print(json.dumps({
    "services": sorted(s["id"] for s in services),
    "rules": [c["source"]["topic"]["code"] for c in cards],
    "cards_dir": str(default_cards_dir()),
    "gunicorn_conf": str(serve.config_path()),
    "migrations": str(migrate.MIGRATIONS),
    "schema": migrate.current(app.extensions["cds_runtime"].store.engine),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from the checkout's files (tracked, or new and not ignored)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        path = Path(name.decode())
        if (ROOT / path).is_file():
            (source / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, source / path)
    out = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("cds_service-*.whl")
    return found


def test_wheel_carries_cards_gunicorn_settings_and_a_console_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    cards = {p.name for p in (ROOT / "cards").glob("*.toml")}
    assert {f"cds_service/_cards/{name}" for name in cards} <= names
    assert "cds_service/_gunicorn.conf.py" in names
    assert "cds_service/schemas/hook-request.schema.json" in names
    assert any(n.startswith("cds_service/terminology/data/valuesets/") for n in names)
    assert "cds-service = cds_service.ops.cli:main" in scripts
    migrations = {"env.py", "script.py.mako", "versions/0001_baseline.py"}
    assert {f"cds_service/migrations/{name}" for name in migrations} <= names


def test_installed_wheel_lists_three_services_and_answers_a_fixture(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("CDS_CARDS_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), f"sqlite:///{tmp_path / 'w.db'}", str(FIXTURE)],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["services"] == [
        "eczema-order-select",
        "eczema-order-sign",
        "eczema-patient-view",
    ]
    assert "tcs-potent-on-sensitive-site" in answer["rules"]
    assert answer["cards_dir"] == str(site / "cds_service" / "_cards")
    assert answer["gunicorn_conf"] == str(site / "cds_service" / "_gunicorn.conf.py")
    # The new database was migrated by the wheel's own migrations.
    assert answer["migrations"] == str(site / "cds_service" / "migrations")
    assert answer["schema"] == "0001"
