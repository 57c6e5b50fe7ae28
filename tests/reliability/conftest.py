"""One short load run per test session, shared by the load checks and the log scan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reliability import load


@pytest.fixture(scope="session")
def short_load(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The CI-sized load run against the real server: 10 numbers x 5 messages plus 3 Alexa users x 5 turns."""
    workdir: Path = tmp_path_factory.mktemp("load")
    return load.run(workdir, **load.SHORT)
