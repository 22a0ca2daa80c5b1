"""Copies cards/ and gunicorn.conf.py into the built package, so a wheel can serve on its own.

cards/ stays at the top of the repository, where clinicians edit it; a source checkout reads it
there (cds_service.runtime.default_cards_dir) and the wheel gets a copy in cds_service/_cards.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithCards(build_py):
    """build_py, plus the card files and gunicorn settings inside the package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "cds_service"
        cards = target / "_cards"
        cards.mkdir(parents=True, exist_ok=True)
        for path in sorted((HERE / "cards").glob("*.toml")):
            shutil.copy2(path, cards / path.name)
        shutil.copy2(HERE / "gunicorn.conf.py", target / "_gunicorn.conf.py")


setup(cmdclass={"build_py": BuildWithCards})
