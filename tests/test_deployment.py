"""The deployment files: checked here, since Docker cannot run on these machines."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_the_five_services():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_worker_and_beat_share_one_image_built_here():
    builds = {name: (SERVICES[name].get("build"), SERVICES[name].get("image")) for name in ("web", "worker", "beat")}
    assert set(builds.values()) == {(".", "iro-service:latest")}


def test_commands():
    assert "gunicorn iro_service.wsgi:application" in _command("web")
    assert "migrate" in _command("web")
    assert _command("worker").startswith("celery -A iro_service worker")
    assert _command("beat").startswith("celery -A iro_service beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in _command("beat")


def test_redis_never_evicts_queued_tasks():
    assert "--maxmemory-policy noeviction" in _command("redis")


def test_settings_come_from_the_environment_and_no_secret_is_written_in_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "iro_service.settings.production"
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    # Every value that names a secret is a ${VARIABLE} reference, never a literal.
    keys = re.findall(r"^\s*[A-Z_]*(?:SECRET|PASSWORD)[A-Z_]*:\s*(\S.*)$", text, re.MULTILINE)
    assert len(keys) >= 3
    for value in keys:
        assert value.startswith("${"), value
    assert not re.search(r"://[^:/\s]+:[^$@\s][^@\s]*@", text), "a literal password in a URL"


def test_the_web_service_is_checked_through_healthz():
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_the_dockerfile_installs_from_requirements_txt():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.txt" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "gunicorn" in (ROOT / "requirements.txt").read_text()
    assert "whitenoise" in (ROOT / "requirements.txt").read_text()
    assert re.search(r"^USER (?!root)", dockerfile, re.MULTILINE), "the image does not run as root"
