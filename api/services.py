"""Making API clients and checking their credentials."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from ipaddress import ip_address, ip_network

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User

from .models import ApiClient
from .scopes import Scope

KEY_PREFIX = "iro_"


@dataclass(frozen=True)
class Credential:
    client: ApiClient
    token: str  # "<key_id>.<secret>": shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(client: ApiClient) -> str:
    secret = secrets.token_urlsafe(32)  # 256 bits
    client.secret_hash = _hash(secret)
    return f"{client.key_id}.{secret}"


def scopes_clean(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"scopes": f"Not a scope: {', '.join(unknown)}. The scopes are {', '.join(Scope.values)}."}
        )
    return sorted(set(scopes))


def networks_clean(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            ip_network(line, strict=False)
        except ValueError:
            raise ValidationError(
                {"allowed_networks": f"Line {number}, '{line}', is not an address or a range such as 10.1.0.0/16."}
            ) from None
    return "\n".join(lines)


@transaction.atomic
def api_client_create(
    *, name: str, scopes: list[str], allowed_networks: str = "", is_active: bool = True, by: User | None = None
) -> Credential:
    """A client with a user of its own (no role, no usable password) and a new secret."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the client a name."})
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a client called '{name}'."})
    user = User(
        username=f"api.{slugify(name)[:100]}.{secrets.token_hex(3)}",
        first_name=name[:150],
        last_name="(API client)",
    )
    user.set_unusable_password()
    user.save()
    client = ApiClient(
        name=name,
        key_id=KEY_PREFIX + secrets.token_hex(8),
        scopes=scopes_clean(scopes),
        allowed_networks=networks_clean(allowed_networks),
        user=user,
        is_active=is_active,
        created_by=by,
    )
    token = _new_secret(client)
    client.save()
    return Credential(client=client, token=token)


@transaction.atomic
def api_client_rotate_secret(*, client: ApiClient) -> Credential:
    """A new secret; the old one stops working at once."""
    token = _new_secret(client)
    client.secret_rotated_at = timezone.now()
    client.save(update_fields=["secret_hash", "secret_rotated_at"])
    return Credential(client=client, token=token)


def api_client_for_token(token: str) -> ApiClient | None:
    """The active client whose credential this is, or None (the same answer for an unknown key
    and a wrong secret)."""
    key_id, _, secret = token.partition(".")
    if not key_id.startswith(KEY_PREFIX) or not secret:
        return None
    client = ApiClient.objects.select_related("user").filter(key_id=key_id, is_active=True).first()
    expected = client.secret_hash if client else _hash("")
    if not hmac.compare_digest(expected, _hash(secret)) or client is None:
        return None
    return client


def address_allowed(client: ApiClient, address: str | None) -> bool:
    networks = client.networks()
    if not networks:
        return True
    if address is None:
        return False
    where = ip_address(address)
    return any(where in ip_network(network, strict=False) for network in networks)
