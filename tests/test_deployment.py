"""The deployment files: checked here, since Docker cannot run on these machines."""

import re
from pathlib import Path, PurePosixPath

import yaml

from iro_service.dbroles import OWNER_ROLE, RUNTIME_ROLE

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_the_six_services():
    assert set(SERVICES) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_web_worker_and_beat_share_one_image_built_here():
    builds = {
        name: (SERVICES[name].get("build"), SERVICES[name].get("image"))
        for name in ("migrate", "web", "worker", "beat")
    }
    assert set(builds.values()) == {(".", "iro-service:latest")}


def test_commands():
    assert _command("web").startswith("gunicorn iro_service.wsgi:application")
    # Migrations run once, as the owner, before anything else starts; then the ONS postcode table
    # is loaded (placement distances read it), and last the grants, which then cover that table.
    assert "migrate" not in _command("web")
    assert _command("migrate") == (
        "sh -c python manage.py migrate --noinput && python manage.py load_postcodes && python manage.py db_grant"
    )
    steps = _command("migrate").removeprefix("sh -c ").split(" && ")
    assert steps.index("python manage.py load_postcodes") == 1, (
        "the postcodes are loaded after migrate, before db_grant"
    )
    assert _command("worker").startswith("celery -A iro_service worker")
    assert _command("beat").startswith("celery -A iro_service beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in _command("beat")


def test_redis_never_evicts_queued_tasks():
    assert "--maxmemory-policy noeviction" in _command("redis")


def test_settings_come_from_the_environment_and_no_secret_is_written_in_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("migrate", "web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "iro_service.settings.production"
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    # Every value that names a secret is a ${VARIABLE} reference, never a literal.
    keys = re.findall(r"^\s*[A-Z_]*(?:SECRET|PASSWORD)[A-Z_]*:\s*(\S.*)$", text, re.MULTILINE)
    assert len(keys) >= 5
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


def _database_user(service: str) -> tuple[str, str]:
    url = SERVICES[service]["environment"]["DATABASE_URL"]
    match = re.fullmatch(r"postgres://(\w+):\$\{(\w+):\?[^}]*\}@postgres:5432/iro", url)
    assert match, url
    return match.group(1), match.group(2)


def test_migrations_run_as_the_owner_and_everything_else_as_the_runtime_role():
    assert _database_user("migrate") == (OWNER_ROLE, "IRO_DB_OWNER_PASSWORD")
    assert SERVICES["migrate"]["environment"]["IRO_DB_RUNTIME_ROLE"] == RUNTIME_ROLE
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert _database_user(name) == (RUNTIME_ROLE, "IRO_DB_APP_PASSWORD"), name
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    # The application never uses the superuser; the superuser's password is only the database's.
    assert SERVICES["postgres"]["environment"]["POSTGRES_USER"] == "postgres"


def test_the_database_creates_both_roles_on_first_start():
    assert "./scripts/postgres-init:/docker-entrypoint-initdb.d:ro" in SERVICES["postgres"]["volumes"]
    environment = SERVICES["postgres"]["environment"]
    assert environment["IRO_DB_OWNER_PASSWORD"].startswith("${IRO_DB_OWNER_PASSWORD:?")
    assert environment["IRO_DB_APP_PASSWORD"].startswith("${IRO_DB_APP_PASSWORD:?")
    init = (ROOT / "scripts" / "postgres-init" / "10-iro-roles.sh").read_text()
    assert "ON_ERROR_STOP=1" in init
    for statement in (
        "CREATE ROLE iro_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        "CREATE ROLE iro_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        "OWNER TO iro_owner",
        "ALTER SCHEMA public OWNER TO iro_owner",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT USAGE ON SCHEMA public TO iro_app",
    ):
        assert statement in init, statement
    assert "PASSWORD :'owner_password'" in init
    assert "PASSWORD :'app_password'" in init


def _mounts(service: str) -> dict[str, str]:
    return dict(volume.split(":")[:2][::-1] for volume in SERVICES[service].get("volumes", []))


def test_the_documents_are_one_named_volume_shared_by_web_and_worker():
    root = SERVICES["web"]["environment"]["IRO_PRIVATE_DOCUMENTS_ROOT"]
    assert PurePosixPath(root).is_absolute()
    for name in ("web", "worker", "migrate"):
        assert SERVICES[name]["environment"]["IRO_PRIVATE_DOCUMENTS_ROOT"] == root, name
        assert _mounts(name)[root] == "documents", name
    assert "documents" in COMPOSE["volumes"]
    assert "backups" in COMPOSE["volumes"]
    backups = SERVICES["migrate"]["environment"]["IRO_BACKUP_DIR"]
    assert _mounts("migrate")[backups] == "backups"
    # A new named volume takes the ownership of the image's folder: it must exist, owned by the app's user.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"mkdir -p {root} {backups} && chown -R iro /app", dockerfile)


def test_the_image_has_the_postgresql_client_of_the_servers_version():
    server = SERVICES["postgres"]["image"]
    major = re.fullmatch(r"postgres:(\d+)", server).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"postgresql-client-{major}" in dockerfile
    # bookworm's postgresql-client-15 is in its own archive; another base image would need the PGDG one.
    assert "bookworm" in dockerfile
