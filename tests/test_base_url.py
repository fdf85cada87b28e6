"""Links in e-mails point where `make run` serves: BASE_URL when it is set, else 127.0.0.1 on PORT."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "BASE_URL": "https://endorsements.example.org/"}, "https://endorsements.example.org"),
        ({"PORT": "", "BASE_URL": ""}, "http://127.0.0.1:5000"),
    ],
)
def test_base_url_follows_port_unless_set(env, expected):
    clean = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT")}
    # A fresh interpreter: the settings are read from the environment when config.py is imported.
    result = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.BASE_URL)"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected
