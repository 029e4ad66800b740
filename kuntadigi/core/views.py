from django.shortcuts import render

from kuntadigi import clock
from kuntadigi.calls.models import Call


def home(request):
    calls = [call for call in Call.objects.filter(is_published=True) if call.phase(clock.now()) != "closed"]
    return render(request, "core/home.html", {"calls": calls})
