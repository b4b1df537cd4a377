"""Production settings must refuse DEBUG and default secrets; checked in a fresh interpreter each time."""

import os
import subprocess
import sys

import pytest


def _import_production(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_") and k != "DJANGO_SETTINGS_MODULE"}
    environ.update({"CHUHAI_DATA_DIR": str(tmp_path), **env})
    code = "import chuhai.settings.production"
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)


def test_production_refuses_debug(tmp_path):
    result = _import_production(tmp_path, CHUHAI_DEBUG="1")
    assert result.returncode != 0 and "CHUHAI_DEBUG" in result.stderr


@pytest.mark.parametrize("secret", ["change-me", "short", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789"])
def test_production_refuses_default_or_short_secret(tmp_path, secret):
    result = _import_production(tmp_path, CHUHAI_SECRET_KEY=secret)
    assert result.returncode != 0 and "CHUHAI_SECRET_KEY" in result.stderr


def test_production_generates_and_keeps_a_secret(tmp_path):
    assert _import_production(tmp_path).returncode == 0
    first = (tmp_path / "secret_key").read_text()
    assert len(first) >= 50 and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert _import_production(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == first
