"""Telegram on the pages: the "Connect Telegram" link and QR code of the notification page,
and the webhook that receives what people send to the bot."""

from __future__ import annotations

import hmac
import json
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from keyholder.accounts.models import Channel, User
from keyholder.notify.telegram_binding import connect_url, do_create_telegram_link, link_is_usable
from keyholder.notify.telegram_updates import handle_update

# The token shown to this session, so that reloading the page does not make a new one each time.
SESSION_KEY = "notify:telegram-link"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_connect(request: HttpRequest, user: User) -> dict[str, Any]:
    """What the notification page shows about Telegram: ``{"telegram": None}`` when this server
    has no bot, else the one-time link, its QR code (inline SVG) and when it expires."""
    if not (settings.TELEGRAM_BOT_TOKEN or settings.TELEGRAM_BOT_USERNAME):
        return {"telegram": None}
    stored = request.session.get(SESSION_KEY)
    token, expires_at = None, None
    if isinstance(stored, dict) and stored.get("user") == user.pk:
        token = str(stored.get("token", ""))
        expires_at = parse_datetime(str(stored.get("expires_at", "")))
        if expires_at is None or not link_is_usable(token):
            token = None
    if token is None or expires_at is None:
        token, expires_at = do_create_telegram_link(user)
        request.session[SESSION_KEY] = {
            "user": user.pk,
            "token": token,
            "expires_at": expires_at.isoformat(),
        }
    url = connect_url(token)
    if not url:
        return {"telegram": None}
    # segno writes the SVG itself from the URL (letters, digits, "_" and "-"): nothing to escape.
    qr_svg = segno.make_qr(url, error="m").svg_inline(scale=4, title="Telegram")
    return {
        "telegram": {
            "url": url,
            "qr_svg": mark_safe(qr_svg),
            "expires_at": timezone.localtime(expires_at),
            "connected": user.channel == Channel.TELEGRAM and bool(user.telegram_chat_id),
        }
    }


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest, secret: str) -> HttpResponse:
    """Telegram posts each update here when a webhook is set (``keyholder telegram_webhook``).

    The secret is in the path and in Telegram's header; a wrong one, or no webhook configured,
    is not found. The answer is quick: the update is recorded and its effect queued.
    """
    expected = settings.TELEGRAM_WEBHOOK_SECRET.encode()
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not expected or not (
        hmac.compare_digest(secret.encode(), expected) and hmac.compare_digest(given, expected)
    ):
        raise Http404
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(update, dict):
        return HttpResponse(status=400)
    reply = handle_update(update)
    if reply is None:
        return HttpResponse(status=200)
    return JsonResponse(reply.as_webhook_answer())
