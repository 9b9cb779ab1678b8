"""Batch pages: the list and new-run form, a run's page and results, its actions and downloads."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from batches import exports, selectors, services, tasks
from batches.forms import RunForm
from batches.models import Run

RUN_OPTIONS = ("configs", "json_schema", "concurrency", "store", "reuse")
DOWNLOADS = {
    "csv": (exports.results_csv, "text/csv; charset=utf-8"),
    "jsonl": (exports.results_jsonl, "application/x-ndjson; charset=utf-8"),
}


def _run_or_404(request: HttpRequest, run_id: uuid.UUID) -> Run:
    try:
        return selectors.run_get(owner=request.user, run_id=run_id)
    except Run.DoesNotExist as exc:
        raise Http404("No such run.") from exc


def batch_index(request: HttpRequest) -> HttpResponse:
    """The user's runs and the new-run form (Preview shows the request count and cost)."""
    form = RunForm(request.POST or None, request.FILES or None)
    preview, status = None, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = selectors.run_estimate(prompts=data["prompt_set"], configs=data["configs"])
        elif exceeded := selectors.run_start_limit_exceeded(owner_id=request.user.pk):
            form.add_error(
                None, _refusal(exceeded.message, uploaded="prompt_file" in request.FILES)
            )
            status = 429
        else:
            run = tasks.run_submit(
                owner=request.user,
                name=data["name"] or f"{len(data['prompt_set'])} prompts",
                prompts=data["prompt_set"],
                **{key: data[key] for key in RUN_OPTIONS},
            )
            return redirect("batch_detail", run_id=run.pk)
    context = {
        "form": form,
        "preview": preview,
        "runs": selectors.run_list(owner=request.user),
        "paused": selectors.run_pause_reason(owner_id=request.user.pk),
    }
    status = 400 if status == 200 and form.errors else status
    return render(request, "batches/index.html", context, status=status)


def _refusal(message: str, *, uploaded: bool) -> str:
    """The limit's sentence, and what the form kept (a browser cannot refill a file field)."""
    kept = "choose the prompt file again" if uploaded else "your prompts are kept below"
    return f"No run was started. {message} Your settings are kept; {kept}."


def _results_context(request: HttpRequest, run: Run) -> dict[str, object]:
    failures_only = request.GET.get("failures") == "1"
    page, rows = selectors.results_page(
        run=run, page=request.GET.get("page", 1), failures_only=failures_only
    )
    return {
        "run": run,
        "columns": selectors.config_columns(run=run),
        "page": page,
        "rows": rows,
        "failures_only": failures_only,
    }


def batch_detail(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """A run: live progress, per-configuration summary and charts, and the results table."""
    run = _run_or_404(request, run_id)
    stats = selectors.config_stats(run=run)
    context = {
        **_results_context(request, run),
        "progress": selectors.run_progress(run=run),
        "stats": stats,
        "chart_data": [
            {
                "label": s["label"],
                "p50": s["latency_p50"],
                "p95": s["latency_p95"],
                "cost": float(s["cost"]),
            }
            for s in stats
        ],
    }
    return render(request, "batches/detail.html", context)


def batch_results(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """The results table alone (the run page reloads it as items finish)."""
    run = _run_or_404(request, run_id)
    return render(request, "batches/_results.html", _results_context(request, run))


@require_POST
def batch_cancel(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """Cancel run: queued items stop; workers cancel their in-flight responses."""
    run = _run_or_404(request, run_id)
    count = services.run_cancel(run=run)
    messages.info(request, f"Run cancelled ({count} unfinished items).")
    return redirect("batch_detail", run_id=run.pk)


@require_POST
def batch_retry(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """Retry failed items: just those run again."""
    run = _run_or_404(request, run_id)
    count = tasks.run_retry(run=run)
    messages.info(request, f"{count} failed items queued again.")
    return redirect("batch_detail", run_id=run.pk)


def batch_download(request: HttpRequest, run_id: uuid.UUID, fmt: str) -> StreamingHttpResponse:
    """The results as CSV or JSONL, streamed row by row."""
    run = _run_or_404(request, run_id)
    if fmt not in DOWNLOADS:
        raise Http404("No such format.")
    produce, content_type = DOWNLOADS[fmt]
    response = StreamingHttpResponse(produce(run=run), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="batch-{run.pk}.{fmt}"'
    return response
