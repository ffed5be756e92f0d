"""Deployment (issue 13, item 7): `check --deploy` is clean with the documented production
settings, every page carries a CSP without inline script, HSTS follows the setting behind a
TLS proxy, and no template holds an inline script or an on* attribute."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

DOCS = settings.PROJECT_DIR / "docs" / "deploying.md"


def documented_production_settings() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- production-settings -->", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0]
    return dict(re.findall(r"^export (KEYHOLDER_\w+)=(\S+)$", block, re.M))


@pytest.mark.slow
def test_check_deploy_prints_no_warning_with_the_documented_settings(tmp_path: Path) -> None:
    documented = documented_production_settings()
    assert documented["KEYHOLDER_HSTS_SECONDS"] == "31536000"
    secret = tmp_path / "secret-key"
    secret.write_text(secrets.token_urlsafe(50))
    documented["KEYHOLDER_SECRET_KEY_FILE"] = str(secret)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "keyholder.settings",
        "KEYHOLDER_VAR_DIR": str(tmp_path),
        **documented,
    }

    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_pages_carry_a_csp_without_inline_script(client: Client) -> None:
    page = client.get("/signin/")
    docs = client.get("/api/v1/docs")

    for answer in (page, docs):
        policy = answer["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert "frame-ancestors 'none'" in policy
    assert docs.status_code == 200
    # The API's docs page is served from keyholder's own static files, not a CDN.
    assert "cdn." not in docs.content.decode()


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_hsts_is_sent_over_https_behind_the_proxy(client: Client) -> None:
    secure = client.get("/signin/", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/signin/")

    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in plain


def test_no_template_holds_an_inline_script_or_an_event_attribute() -> None:
    inline = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(str(path))
    assert offenders == []
