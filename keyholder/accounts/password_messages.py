"""The messages of Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), listed so
that our catalogues carry them.

Django's own Tajik catalogue leaves them untranslated, so a Tajik page refused a password in
English ("This password is too short..."). The catalogues under LOCALE_PATHS take precedence
over Django's, but ``makemessages`` extracts only what our code names: the msgids are named
here, exactly as ``django.contrib.auth.password_validation`` (Django 5.2) spells them, marked
for extraction without being translated here. Django looks them up itself when it validates.
Nothing imports this module; a msgid changed by a Django upgrade shows as an English message
again (``web/tests/test_password_messages_in_tajik.py`` would fail).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # MinimumLengthValidator: the error ("%d", as Django formats it) and the help text.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    # UserAttributeSimilarityValidator.
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    # CommonPasswordValidator.
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    # NumericPasswordValidator.
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
)
