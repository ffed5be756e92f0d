"""Uploading a registry file on a page: dry run row by row, apply as a job, result = preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keyholder.accounts.models import AuditLog
from keyholder.registry.models import ImportJob
from keyholder.registry.tests.clerkfiles import V01, clerk_rows, clerk_text
from keyholder.registry.tests.importfiles import registry_counts
from keyholder.testing import Cast, signed_in, without_tokens

UPLOAD = "/registry/upload/"
PLURAL = {"house": "houses", "household": "households", "person": "persons", "event": "events"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def russian_clerk_file() -> SimpleUploadedFile:
    """cp1251, ";" separated, a title row, dd.mm.yyyy dates, 8-9xx phones, м/ж."""
    text = clerk_text(clerk_rows(), ";", title=True)
    for tajik, russian in [
        ("Рудакӣ", "Рудаки"),
        ("Каримовҳо", "Каримовы"),
        ("чормағз", "орех"),
        ("рафт", "уехал"),
        ("Қазоқистон", "Казахстан"),
        ("Реестри деҳаи V01, соли 2024", "Реестр села V01 за 2024 год"),
    ]:
        text = text.replace(tajik, russian)
    return SimpleUploadedFile("реестр.csv", text.encode("cp1251"), "text/csv")


def test_it_imports_a_clerks_file_after_a_dry_run_whose_preview_is_the_result(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(cast.enumerator)
    assert client.get(UPLOAD).status_code == 200
    before = registry_counts()

    with django_capture_on_commit_callbacks() as checks:
        response = client.post(UPLOAD, {"file": russian_clerk_file()})

    # The request read the file; its dry run is a job, whose page shows a progress bar.
    assert response.status_code == 302
    job = ImportJob.objects.get(created_by=cast.enumerator)
    assert response["Location"] == f"/registry/upload/{job.pk}/"
    assert job.status == "checking" and job.rows_total == 7
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="progress" value="0" max="7">' in page
    for callback in checks:
        callback()
    job.refresh_from_db()
    assert job.status == "checked"
    # The dry run changed nothing and shows every row as new, in Tajik (the default language).
    assert registry_counts() == before
    page = client.get(response["Location"]).content.decode()
    assert "Санҷида шуд" in page
    assert page.count('data-outcome="create"') == 7
    # Each row says what it is in Tajik too, not the file's English word.
    assert page.count("· хонавода ·") == 1 and page.count("· шахс ·") == 2
    assert "· household ·" not in page
    plan = job.plan
    assert plan["created"] == {"house": 1, "household": 1, "person": 2, "event": 3}

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/registry/upload/{job.pk}/apply/")
    assert response.status_code == 302
    # Queued, not yet run: the page shows a progress bar that refreshes itself.
    page = client.get(f"/registry/upload/{job.pk}/").content.decode()
    assert '<progress id="progress" value="0" max="7">' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert client.get(f"/registry/upload/{job.pk}/status/").json() == {
        "status": "queued",
        "rows_done": 0,
        "rows_total": 7,
    }
    # A second apply is refused: the job is already queued.
    assert client.post(f"/registry/upload/{job.pk}/apply/").status_code == 409

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == "done"
    assert job.result["created"] == plan["created"]
    assert job.result["existing"] == plan["existing"]
    assert job.result["lines"] == plan["lines"]
    after = registry_counts()
    for record, count in plan["created"].items():
        assert after[PLURAL[record]] - before[PLURAL[record]] == count
    assert client.get(f"/registry/upload/{job.pk}/status/").json()["rows_done"] == 7
    page = client.get(f"/registry/upload/{job.pk}/").content.decode()
    assert "<progress" not in page and "Ворид шуд" in page
    assert AuditLog.objects.filter(
        user=cast.enumerator, action="import", object_type="registry_file"
    ).exists()

    # The same file again: everything already exists, nothing would be created.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": russian_clerk_file()})
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert again.plan["created"] == {"house": 0, "household": 0, "person": 0, "event": 0}
    assert sum(again.plan["existing"].values()) == 7


def test_it_answers_a_broken_file_with_one_tajik_message(cast: Cast) -> None:
    client = signed_in(cast.enumerator)

    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("реестр.xlsx", b"PK\x03\x04broken", "text/csv")}
    )

    assert response.status_code == 400
    page = response.content.decode()
    message = "Файлро хондан ғайриимкон аст."
    assert page.count(message) == 1
    bare = without_tokens(page).lower()
    assert "zip" not in bare and "codec" not in bare
    assert not ImportJob.objects.exists()


def test_it_refuses_rows_outside_the_area_and_shows_uploads_to_their_uploader_only(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    text = (
        "record,village,street,number\n"
        f"house,{V01},Сино,1\n"
        f"house,{cast.other_village.code},Сино,2\n"
    )
    enumerator = signed_in(cast.enumerator)
    with django_capture_on_commit_callbacks(execute=True):
        enumerator.post(
            UPLOAD,
            {"file": SimpleUploadedFile("a.csv", text.encode(), "text/csv")},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    job = ImportJob.objects.get()
    assert job.status == "refused"
    outcomes = {line["row"]: line["outcome"] for line in job.plan["lines"]}
    assert outcomes == {2: "create", 3: "refused"}
    assert job.plan["lines"][1]["errors"][0]["code"] == "out_of_scope"
    assert enumerator.post(f"/registry/upload/{job.pk}/apply/").status_code == 409
    assert registry_counts()["houses"] == 2  # the cast's two households' houses only

    for other in (cast.outsider, cast.officer, cast.admin):
        answer = signed_in(other).get(f"/registry/upload/{job.pk}/")
        assert answer.status_code == 404
        assert signed_in(other).get(f"/registry/upload/{job.pk}/status/").status_code == 404
    assert signed_in(cast.keyholder).get(UPLOAD).status_code == 403
    assert client.get(UPLOAD).status_code == 302


def test_an_officer_checks_and_imports_within_their_area_only(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    officer = signed_in(cast.officer)
    # A row in another district is refused with the code an enumerator gets.
    outside = f"record,village,street,number\nhouse,{cast.other_village.code},Сино,2\n"
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(UPLOAD, {"file": SimpleUploadedFile("b.csv", outside.encode(), "text/csv")})
    refused = ImportJob.objects.get(created_by=cast.officer)
    assert refused.status == "refused"
    assert refused.plan["lines"][0]["errors"][0]["code"] == "out_of_scope"

    before = registry_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(UPLOAD, {"file": russian_clerk_file()})
    job = ImportJob.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == f"/registry/upload/{job.pk}/"
    job.refresh_from_db()
    # Every row of the district's village passes the dry run: houses, households, persons and
    # events alike.
    assert job.status == "checked", job.plan
    assert job.plan["created"] == {"house": 1, "household": 1, "person": 2, "event": 3}
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(f"/registry/upload/{job.pk}/apply/").status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    after = registry_counts()
    for record, count in job.plan["created"].items():
        assert after[PLURAL[record]] - before[PLURAL[record]] == count
    assert AuditLog.objects.filter(
        user=cast.officer, action="import", object_type="registry_file"
    ).exists()
    # Outside an import the officer still writes nothing: the household form is refused.
    answer = officer.post(f"/registry/villages/{V01}/households/new/", {"name": "Сафаров"})
    assert answer.status_code == 403
    assert registry_counts() == after


def test_the_upload_page_says_that_cp1251_cannot_hold_the_tajik_letters(cast: Cast) -> None:
    client = signed_in(cast.enumerator)
    said = {
        "tg": "ҳарфҳои тоҷикии ҳ ӣ ӯ қ ғ ҷ-ро нигоҳ дошта наметавонад",
        "ru": "не может содержать таджикские буквы ҳ ӣ ӯ қ ғ ҷ",
        "en": "cannot hold the Tajik letters ҳ ӣ ӯ қ ғ ҷ",
    }
    for language, words in said.items():
        client.post("/i18n/setlang/", {"language": language, "next": UPLOAD})
        body = client.get(UPLOAD).content.decode()
        assert words in body, language
        assert "UTF-8" in body
