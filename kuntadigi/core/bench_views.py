"""The load benchmark's bare view: one INSERT through the whole middleware stack, nothing else.

Routed only when settings.KUNTADIGI_BENCH_VIEWS is on (kuntadigi/urls.py), which production refuses.
bench/deadline_rush.py measures its throughput as the ceiling for requests that write to the database.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BenchInsert


@csrf_exempt  # a benchmark probe without a form; it is never routed in production
@require_POST
def insert(request):
    row = BenchInsert.objects.create(payload=request.POST.get("payload", "")[:200])
    return JsonResponse({"ok": True, "id": row.pk})


@csrf_exempt
@require_POST
def insert_signed_in(request):
    """The same insert for a signed-in user only: what knowing who asks costs (the session and the user
    read from the database), measured beside the bare insert to explain the autosave's share of it."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=401)
    row = BenchInsert.objects.create(payload=request.POST.get("payload", "")[:200])
    return JsonResponse({"ok": True, "id": row.pk})
