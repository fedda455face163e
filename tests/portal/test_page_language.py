"""Pages are in Vietnamese unless the visitor chooses English with the switch: a browser's
Accept-Language is not a choice (many computers in Vietnam run in English). The API follows
Accept-Language, as its contract says."""

from __future__ import annotations

from django.urls import reverse


def test_a_page_is_in_vietnamese_whatever_the_browser_asks(client, db):
    page = client.get(reverse("procedure-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.content.decode()


def test_the_switch_chooses_english_for_every_page_after_it(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("procedure-list"), HTTP_ACCEPT_LANGUAGE="vi")
    assert '<html lang="en">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = client.get(reverse("procedure-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="vi">' in page.content.decode()


def test_an_unknown_language_in_the_cookie_gives_vietnamese(client, db):
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("procedure-list"))
    assert '<html lang="vi">' in page.content.decode()


def test_the_api_answers_in_the_language_asked_for(client, db):
    english = client.get("/api/v1/dossiers/KHONG-CO/status/", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/v1/dossiers/KHONG-CO/status/")
    assert english.status_code == vietnamese.status_code == 400
    assert english.json()["detail"] != vietnamese.json()["detail"]
    assert english["Content-Language"] == "en"
    assert vietnamese["Content-Language"] == "vi"
