"""Webhook delivery: address checks, the CloudEvents body, the signature and one attempt.

A receiver gets ``POST`` with ``Content-Type: application/cloudevents+json`` (CloudEvents 1.0,
structured mode) and the headers ``Webhook-Id`` (the event id: deliveries may repeat, so a
receiver uses it to ignore one it has seen) and ``Webhook-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body with the subscription's secret. Any 2xx counts as delivered;
anything else (another status, a redirect, a timeout, a refused connection) is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from notifications.models import Delivery, Event

SIGNATURE_HEADER = "Webhook-Signature"
ID_HEADER = "Webhook-Id"
CONTENT_TYPE = "application/cloudevents+json"


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def validate_webhook_url(url: str, *, resolve: bool = True) -> None:
    """Refuse addresses that would let a subscription probe the internal network.

    https only unless ``WEBHOOK_ALLOW_HTTP``; no loopback, private, link-local or reserved
    address unless ``WEBHOOK_ALLOW_PRIVATE`` (host names are resolved and every address
    checked).
    """
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        raise ValidationError(_("Alleen https-adressen zijn toegestaan."), code="scheme")
    if not parts.hostname or parts.username or parts.password:
        raise ValidationError(_("Geef een volledig adres zonder gebruikersnaam."), code="host")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        addresses = [parts.hostname] if _is_ip(parts.hostname) else []
        if not addresses and resolve:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
            addresses = [info[4][0] for info in infos]
    except (OSError, ValueError, UnicodeError) as exc:
        raise ValidationError(_("Dit adres is niet te vinden."), code="unresolvable") from exc
    if any(_is_private(address) for address in addresses) or parts.hostname == "localhost":
        raise ValidationError(
            _("Adressen in een intern of lokaal netwerk zijn niet toegestaan."), code="private"
        )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def event_data(event: Event, base_url: str) -> dict:
    """An event as the API and the webhooks show it."""
    return {
        "id": str(event.uuid),
        "cursor": event.cursor,
        "tijdstip": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "soort": event.kind,
        "bron": event.resource,
        "bronId": event.object_id,
        "bronUrl": base_url.rstrip("/") + event.path if event.path else None,
        "omschrijving": event.label,
        "veiligheidshuis": event.house_code or None,
        "eenheid": event.unit_code or None,
        "gebruiker": event.username or None,
    }


def cloud_event(event: Event) -> dict:
    base_url = settings.SITE_URL
    return {
        "specversion": "1.0",
        "id": str(event.uuid),
        "source": base_url.rstrip("/") + "/api/v1/gebeurtenissen",
        "type": f"nl.politie.veiligheidshuizen.{event.resource}.{event.kind}",
        "subject": event.path or event.object_id,
        "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": event_data(event, base_url),
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is answered as an error and retried later


_opener = urllib.request.build_opener(_NoRedirects)


def attempt(delivery: Delivery) -> tuple[bool, int | None, str]:
    """POST the event once: (delivered, HTTP status, error)."""
    subscription = delivery.subscription
    try:
        validate_webhook_url(subscription.url)
    except ValidationError as exc:
        return False, None, " ".join(exc.messages)
    body = json.dumps(cloud_event(delivery.event), separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": CONTENT_TYPE,
            ID_HEADER: str(delivery.event.uuid),
            SIGNATURE_HEADER: sign(subscription.secret, body),
            "User-Agent": "register-veiligheidshuizen-webhooks/1",
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return 200 <= response.status < 300, response.status, ""
    except urllib.error.HTTPError as exc:
        return False, exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # timeouts, refused or dropped connections
        return False, None, f"{type(exc).__name__}: {exc}"[:500]
