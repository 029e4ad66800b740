"""PLACEHOLDER: being written now; every function below is replaced by its real view."""

from django.http import Http404


def my_applications(request, *args, **kwargs):
    raise Http404


def start(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def autosave(request, *args, **kwargs):
    raise Http404


def partners(request, *args, **kwargs):
    raise Http404


def budget(request, *args, **kwargs):
    raise Http404


def attachments(request, *args, **kwargs):
    raise Http404


def attachment_download(request, *args, **kwargs):
    raise Http404


def attachment_delete(request, *args, **kwargs):
    raise Http404
