"""PLACEHOLDER: being written now; every function below is replaced by its real view."""

from django.http import Http404


def detail(request, *args, **kwargs):
    raise Http404


def confirm(request, *args, **kwargs):
    raise Http404


def submit(request, *args, **kwargs):
    raise Http404


def withdraw(request, *args, **kwargs):
    raise Http404


def receipt(request, *args, **kwargs):
    raise Http404


def submission_pdf(request, *args, **kwargs):
    raise Http404


def official_calls(request, *args, **kwargs):
    raise Http404


def official_list(request, *args, **kwargs):
    raise Http404
