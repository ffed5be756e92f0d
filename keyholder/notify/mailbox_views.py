"""The demo's mailbox pages: administrators only; anyone else gets 404."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from keyholder.core.pages import or_404
from keyholder.notify.mailbox import get_mailbox_message, mailbox_for

PAGE_SIZE = 200


@login_required
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    messages = or_404(mailbox_for, request.user).defer("body")[:PAGE_SIZE]
    return render(request, "notify/mailbox.html", {"mail": messages})


@login_required
@require_GET
def mailbox_message(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = or_404(get_mailbox_message, request.user, message_id)
    attachments = list(message.attachments.defer("content"))
    return render(
        request, "notify/mailbox_message.html", {"message": message, "attachments": attachments}
    )


@login_required
@require_GET
def mailbox_attachment(request: HttpRequest, message_id: uuid.UUID, index: int) -> HttpResponse:
    message = or_404(get_mailbox_message, request.user, message_id)
    attachments = list(message.attachments.all())
    if not 0 <= index < len(attachments):
        raise Http404
    attachment = attachments[index]
    response = HttpResponse(bytes(attachment.content), content_type=attachment.mimetype)
    response["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
    return response
