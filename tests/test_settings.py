"""Settings come from the environment; production refuses to start without its own secret."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django_setup(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    clean_env.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE, settings.USE_TZ)"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _django_setup("iro_service.settings.production", DJANGO_ALLOWED_HOSTS="iro.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_its_environment():
    result = _django_setup(
        "iro_service.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="iro.example.org",
        DATABASE_URL="postgres://iro@db:5432/iro",
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_local_settings_need_no_environment_and_use_sqlite_in_london_time():
    result = _django_setup("iro_service.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Europe/London", "True"]


def test_each_iro_setting_has_the_name_of_its_environment_variable():
    # One name for one setting: IRO_AUTHORITY_NAME in the environment is IRO_AUTHORITY_NAME in
    # django.conf.settings (Django's own settings keep theirs: DJANGO_DEBUG is DEBUG).
    source = (ROOT / "iro_service" / "settings" / "base.py").read_text()
    pairs = re.findall(r'^(\w+) = env(?:\.\w+)?\(\s*"(IRO_\w+)"', source, flags=re.MULTILINE)
    assert len(pairs) >= 10
    assert [name for name, variable in pairs if name != variable] == []
