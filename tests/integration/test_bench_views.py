"""The load benchmark's bare insert view: routed only with KUNTADIGI_BENCH_VIEWS=1, and it inserts one row."""

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from kuntadigi.core import bench_views
from kuntadigi.core.models import BenchInsert
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_bench_view_is_not_routed_by_default(client):
    assert client.post("/bench/insert/", {"payload": "x"}).status_code == 404
    assert not BenchInsert.objects.exists()


def test_the_bench_view_inserts_one_row(django_assert_num_queries):
    request = RequestFactory().post("/bench/insert/", {"payload": "rush"})
    with django_assert_num_queries(1):
        response = bench_views.insert(request)
    assert response.status_code == 200
    assert list(BenchInsert.objects.values_list("payload", flat=True)) == ["rush"]


def test_the_bench_view_answers_only_post():
    assert bench_views.insert(RequestFactory().get("/bench/insert/")).status_code == 405


def test_the_signed_in_bench_view_reads_the_session_and_the_user_then_inserts(client, django_assert_num_queries):
    user = factories.user()
    request = RequestFactory().post("/bench/insert-signed-in/", {"payload": "rush"})
    request.user = AnonymousUser()
    assert bench_views.insert_signed_in(request).status_code == 401
    assert not BenchInsert.objects.exists()
    client.force_login(user)
    request = RequestFactory().post("/bench/insert-signed-in/", {"payload": "rush"})
    request.session = client.session
    request.user = SimpleLazyObject(lambda: get_user(request))
    with django_assert_num_queries(3):  # the session, the user, the insert
        response = bench_views.insert_signed_in(request)
    assert response.status_code == 200
    assert list(BenchInsert.objects.values_list("payload", flat=True)) == ["rush"]
