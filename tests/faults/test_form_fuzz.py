"""Fuzzing every form, the short version (bench/fuzz_forms.py posts 10,000): hypothesis draws
hostile and plausible submissions for each POST form found on the pages of every kind of user;
no answer may be a server error and nothing may be left half-written."""

from __future__ import annotations

import os

import pytest

from tests.faults.form_fuzz import build_world, consistency_problems, discover, fuzz, media_root, relax_limits

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

POSTS = int(os.environ.get("FUZZ_POSTS", "300"))


def test_posts_to_every_form_never_give_a_server_error_nor_half_written_data(settings, reference_data):
    relax_limits(settings)
    clients, pages = build_world()
    forms = discover(clients, pages)
    actions = {form.action for form in forms}
    # The forms the brief names are all found: a page that lost its form would silently shrink the fuzz.
    for expected in (
        "/connexion/",
        "/mot-de-passe-oublie/",
        "/inscription/etape-1/",
        "/inscription/identite/",
        "/inscription/code/",
        "/contact/",
        "/mon-compte/mot-de-passe/",
        "/back-office/connexion/",
    ):
        assert expected in actions, sorted(actions)
    assert any("/etapes/documents/" in action for action in actions)  # the loan request's uploads
    assert any(action.startswith("/administration/utilisateurs/") for action in actions)
    assert len(forms) >= 30, sorted(form.key for form in forms)
    report = fuzz(clients, forms, posts=POSTS, seed=0)
    assert report.posts == POSTS
    assert report.server_errors == [], report.server_errors[:10]
    assert consistency_problems(media_root()) == []
    assert len(report.per_form) == len(forms)  # every form got its share
