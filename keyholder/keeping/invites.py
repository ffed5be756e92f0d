"""Owners in the loop from the start: a keyholder invites a household's owner to their house.

``do_invite_owner`` makes (or reuses) an owner account tied to a household of the house, with
no usable password, and a one-time link: sent by email through the notify outbox in the
invitee's language, or shown to the keyholder (with a QR code) to pass on by hand when only a
phone number is known; SMS is not sent. ``do_accept_invite`` lets the owner set a password
(Django's validators) and choose how they receive messages, and adds them to the agreement's
owners. The token is random, stored only as its SHA-256, used once and valid for 7 days.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from keyholder.accounts.models import AuditLog, Channel, Role, User, hash_token
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.keeping.access import can_keep, owners_of_house
from keyholder.keeping.models import AgreementStatus, KeepingAgreement, OwnerInvite
from keyholder.notify.services import LANGUAGES, do_queue_message, do_update_notification_settings
from keyholder.registry.models import Household

INVITE_LIFETIME = dt.timedelta(days=7)


@dataclass
class Invitation:
    invite: OwnerInvite
    # The raw link, shown once: the database keeps only the token's hash.
    link: str
    # Whether a message carries it (email), or the keyholder passes it on by hand (phone).
    sent: bool


def households_of(agreement: KeepingAgreement) -> list[Household]:
    """The households of the registry living in the agreement's house: whom an invite may name."""
    return list(Household.objects.filter(house_id=agreement.house_id).order_by("name", "id"))


def _household(agreement: KeepingAgreement, household_id: object) -> Household:
    households = households_of(agreement)
    if not households:
        raise ServiceError(Code.KEEPING_INVITE_NO_HOUSEHOLD)
    if household_id in (None, ""):
        return households[0]
    for household in households:
        if str(household.pk) == str(household_id):
            return household
    raise ServiceError(Code.INVALID_FIELD, field="household", detail=str(household_id))


def _owner_account(household: Household, email: str, phone: str, language: str) -> User:
    """The owner account of ``household`` with this address, or a new one that cannot sign in."""
    house_owners = owners_of_house(household.house).filter(household=household)  # type: ignore[arg-type]
    found = (
        house_owners.filter(email__iexact=email).first()
        if email
        else house_owners.filter(phone=phone).first()
    )
    if found is not None and found.has_usable_password():
        # The owner chose their own settings already: the invitation follows them.
        return found
    user = found or User(
        username=f"owner-{secrets.token_hex(4)}", role=Role.OWNER, household=household
    )
    # An account nobody has claimed yet takes what the keyholder knows of the owner.
    user.language = language
    if email:
        user.email = email
        user.channel = Channel.EMAIL
    else:
        user.phone = phone
        if not user.email:
            user.channel = Channel.NONE
    if found is None:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def do_invite_owner(
    *,
    actor: User,
    agreement: KeepingAgreement,
    email: str = "",
    phone: str = "",
    language: str = "tg",
    household_id: object = None,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite an owner of the house by email or phone; ``link_for(token)`` makes the full URL."""
    if not can_keep(actor, agreement):
        raise ServiceError(Code.AUTH_FORBIDDEN)
    if agreement.status == AgreementStatus.ENDED:
        raise ServiceError(Code.KEEPING_BAD_TRANSITION, kind="invite", status=agreement.status)
    email, phone = email.strip(), "".join(phone.split())
    if bool(email) == bool(phone):
        raise ServiceError(Code.KEEPING_INVITE_NEEDS_ADDRESS, field="email")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError(Code.NOTIFY_INVALID_EMAIL, field="email", value=email) from exc
    if language not in LANGUAGES:
        raise ServiceError(Code.INVALID_FIELD, field="language", detail=language)
    household = _household(agreement, household_id)
    user = _owner_account(household, email, phone, language)
    now = timezone.now()
    # A new link replaces the ones this person was sent before for this house.
    OwnerInvite.objects.filter(agreement=agreement, user=user, used_at__isnull=True).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    invite = OwnerInvite.objects.create(
        agreement=agreement,
        user=user,
        invited_by=actor,
        via=OwnerInvite.Via.EMAIL if email else OwnerInvite.Via.PHONE,
        address=email or phone,
        token_hash=hash_token(token),
        expires_at=now + INVITE_LIFETIME,
    )
    link = link_for(token)
    sent = False
    if email:
        message = do_queue_message(
            recipient=user,
            template="owner_invite",
            context={
                "house": str(agreement.house),
                "village": agreement.house.village.name,
                "keyholder": agreement.keyholder.get_full_name() or agreement.keyholder.username,
                "username": user.username,
                "link": link,
                "expires": timezone.localtime(invite.expires_at),
            },
            dedupe_key=f"owner-invite:{invite.pk}",
        )
        sent = message is not None
    audit(
        actor,
        AuditLog.Action.CREATE,
        "owner_invite",
        invite.pk,
        agreement=str(agreement.pk),
        owner=user.pk,
        via=invite.via,
    )
    return Invitation(invite=invite, link=link, sent=sent)


def invite_by_token(token: str) -> OwnerInvite:
    """The invitation a link names, if it is unused and unexpired; otherwise one refusal."""
    invite = (
        OwnerInvite.objects.select_related("user", "agreement", "agreement__house")
        .filter(token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invite is None or not invite.user.is_active:
        raise ServiceError(Code.KEEPING_INVITE_NOT_VALID)
    return invite


@transaction.atomic
def do_accept_invite(
    *,
    token: str,
    password: str,
    channel: str,
    language: str,
    email: str = "",
    telegram_chat_id: str = "",
) -> User:
    """Set the invited owner's password and settings and make them an owner of the agreement."""
    invite = invite_by_token(token)
    user = invite.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(
            Code.KEEPING_INVITE_WEAK_PASSWORD, field="password", detail=" ".join(exc.messages)
        ) from exc
    # Used once: of two requests with the same link, only one marks it used.
    claimed = OwnerInvite.objects.filter(pk=invite.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if claimed != 1:
        raise ServiceError(Code.KEEPING_INVITE_NOT_VALID)
    do_update_notification_settings(
        user, channel=channel, language=language, email=email, telegram_chat_id=telegram_chat_id
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    agreement = invite.agreement
    # The agreement takes only owners whose household lives in its house (see access).
    if not owners_of_house(agreement.house).filter(pk=user.pk).exists():
        raise ServiceError(Code.KEEPING_INVITE_NOT_VALID)
    agreement.owners.add(user)
    audit(user, AuditLog.Action.UPDATE, "owner_invite", invite.pk, accepted=True)
    return user
