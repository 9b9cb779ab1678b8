"""Pages: parse the request, authorise through owner-filtered selectors, call services."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations import outbox, search, selectors, services
from conversations.forms import ConversationSettingsForm, ImportForm, MessageForm, RenameForm
from conversations.models import Conversation, Turn
from conversations.streaming import generation
from conversations.transfer import exporting, reading
from conversations.transfer.fields import ImportedConversation, ImportFileError
from responses_client import client

logger = logging.getLogger(__name__)

MODELS_LIST_TIMEOUT_SECONDS = 5
# The sidebar lists the newest conversations; the rest are a search (or a browsed page) away,
# so a user with thousands of them gets pages as fast as a new one.
SIDEBAR_CONVERSATIONS = 50
ALL_CONVERSATIONS_PAGE = 50


def _form_data(request: HttpRequest) -> QueryDict | None:
    """The submitted fields of a POST (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _conversation_or_404(*, owner: AbstractBaseUser, conversation_id: uuid.UUID) -> Conversation:
    """The owner's conversation; another user's id is indistinguishable from a missing one."""
    try:
        return selectors.conversation_get(owner=owner, conversation_id=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise Http404("No such conversation.") from exc


def _render_page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    """Render a page beside the sidebar's list of the newest conversations."""
    newest = list(selectors.conversation_list(owner=request.user)[: SIDEBAR_CONVERSATIONS + 1])
    sidebar = {
        "conversations": newest[:SIDEBAR_CONVERSATIONS],
        "more_conversations": len(newest) > SIDEBAR_CONVERSATIONS,
    }
    return render(request, template, {**sidebar, **context}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """A new chat: the message box, waiting for the first message (no conversation yet)."""
    return _render_page(request, "conversations/new.html", {"form": MessageForm()})


def _message_valid(form: MessageForm, *, owner: AbstractBaseUser) -> bool:
    """Whether the first message is valid, within the owner's limits, with their unsent files."""
    if not form.is_valid():
        return False
    exceeded = selectors.user_limit_exceeded(user_id=owner.pk)
    if exceeded is not None:
        form.add_error(None, exceeded.message)
        return False
    ids = list(form.cleaned_data["attachments"])
    if ids and selectors.attachments_sendable_count(
        owner=owner, conversation_id=None, attachment_ids=ids
    ) != len(ids):
        form.add_error(None, "An attached file is no longer available: attach it again.")
        return False
    return True


@require_GET
def conversation_search(request: HttpRequest) -> HttpResponse:
    """Ranked matches of ?q= in the user's titles and messages, each linking to its turn;
    without a query, all the user's conversations page by page."""
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {"query": query}
    if query:
        context["hits"] = search.conversation_search(owner=request.user, query=query)
    else:
        every = Paginator(selectors.conversation_list(owner=request.user), ALL_CONVERSATIONS_PAGE)
        context["page"] = every.get_page(request.GET.get("page"))
    return _render_page(request, "conversations/search.html", context)


@require_POST
async def conversation_create(request: HttpRequest) -> HttpResponse:
    """Start a conversation with its first message and its reply, then show it.

    Default model and low reasoning effort; an empty or too long message starts nothing and is
    given back with the reason.
    """
    user = await request.auser()
    form = MessageForm(request.POST)
    if not await sync_to_async(_message_valid)(form, owner=user):
        return await sync_to_async(_render_page)(
            request, "conversations/new.html", {"form": form}, 400
        )
    turn = await sync_to_async(services.conversation_start)(
        owner=user,
        text=form.cleaned_data["text"],
        attachment_ids=form.cleaned_data["attachments"],
    )
    # The page it lands on replays the reply's stream from its start (its socket asks after=0).
    generation.generation_start(turn=turn)
    return redirect("conversation_detail", conversation_id=turn.conversation_id)


def conversation_detail(request: HttpRequest, conversation_id: uuid.UUID) -> HttpResponse:
    """The chat page: history rendered by the same script that renders live turns.

    With ?turn=<id> (a search hit), the branch through that turn is put on screen first.
    """
    conversation = _conversation_or_404(owner=request.user, conversation_id=conversation_id)
    if "turn" in request.GET:
        try:
            services.conversation_branch_open(
                conversation=conversation, turn_id=int(request.GET["turn"])
            )
        except (ValueError, Turn.DoesNotExist) as exc:
            raise Http404("No such turn in this conversation.") from exc
    turns = selectors.turn_path(conversation=conversation)
    context = {
        "conversation": conversation,
        "turns": turns,
        "chat_config": {
            "conversationId": str(conversation.pk),
            "socketPath": f"/ws/conversations/{conversation.pk}/",
            "turnsUrl": reverse("conversation_turns", kwargs={"conversation_id": conversation.pk}),
            "uploadUrl": reverse("attachment_upload"),
        },
        "rename_form": RenameForm(initial={"title": conversation.title}),
    }
    return _render_page(request, "conversations/chat.html", context)


@require_GET
def conversation_turns(request: HttpRequest, conversation_id: uuid.UUID) -> JsonResponse:
    """The active path's turns as JSON, for a page catching up after a reconnect or a branch
    change."""
    conversation = _conversation_or_404(owner=request.user, conversation_id=conversation_id)
    return JsonResponse({"turns": selectors.turn_path(conversation=conversation)})


@require_http_methods(["GET", "POST"])
def conversation_rename(request: HttpRequest, conversation_id: uuid.UUID) -> HttpResponse:
    """Rename a conversation (the page is the no-script fallback and shows errors)."""
    conversation = _conversation_or_404(owner=request.user, conversation_id=conversation_id)
    form = RenameForm(_form_data(request), initial={"title": conversation.title})
    if form.is_valid():
        services.conversation_rename(conversation=conversation, title=form.cleaned_data["title"])
        return redirect("conversation_detail", conversation_id=conversation.pk)
    status = 400 if form.is_bound else 200
    context = {"conversation": conversation, "form": form}
    return _render_page(request, "conversations/rename.html", context, status=status)


async def _conversation_or_404_async(
    request: HttpRequest, conversation_id: uuid.UUID
) -> Conversation:
    """The requesting user's conversation, from async code."""
    user = await request.auser()
    return await sync_to_async(_conversation_or_404)(owner=user, conversation_id=conversation_id)


@require_http_methods(["GET", "POST"])
async def conversation_delete(request: HttpRequest, conversation_id: uuid.UUID) -> HttpResponse:
    """Confirm, then delete a conversation and queue its provider responses for deletion."""
    conversation = await _conversation_or_404_async(request, conversation_id)
    if request.method == "GET":
        return await sync_to_async(_render_page)(
            request, "conversations/delete_confirm.html", {"conversation": conversation}
        )
    # Stop a reply still generating first, so its response is saved and queued for deletion too.
    await generation.generation_stop(conversation_id=conversation.pk)
    await sync_to_async(services.conversation_delete)(conversation=conversation)
    # Tabs still showing it (the user's other windows) say so and stop offering to send.
    await services.conversation_publish(
        conversation_id=conversation_id, message={"type": "conversation.deleted"}
    )
    outbox.outbox_flush_schedule()
    messages.success(request, f"Deleted “{conversation.title}”.")
    return redirect("index")


async def _model_ids() -> list[str]:
    """The provider's model ids; [] when it cannot say, so the form offers free text."""
    try:
        async with asyncio.timeout(MODELS_LIST_TIMEOUT_SECONDS):
            models = await client.models_list()
    except (client.ProviderError, TimeoutError) as exc:
        logger.warning("could not list the provider's models: %r", exc)
        return []
    return [model["id"] for model in models]


@require_http_methods(["GET", "POST"])
async def conversation_settings(request: HttpRequest, conversation_id: uuid.UUID) -> HttpResponse:
    """Show and change a conversation's generation settings."""
    conversation = await _conversation_or_404_async(request, conversation_id)
    form = ConversationSettingsForm(
        _form_data(request),
        initial=ConversationSettingsForm.initial_for(conversation),
        model_ids=await _model_ids(),
        mcp_labels=await sync_to_async(selectors.mcp_server_labels)(),
    )
    if form.is_valid():
        await sync_to_async(services.conversation_update_settings)(
            conversation=conversation, **form.cleaned_data
        )
        messages.success(request, "Settings saved.")
        return redirect("conversation_detail", conversation_id=conversation.pk)
    status = 400 if form.is_bound else 200
    context = {"conversation": conversation, "form": form}
    return await sync_to_async(_render_page)(
        request, "conversations/settings.html", context, status
    )


EXPORT_FORMATS = {
    "markdown": ("md", "text/markdown; charset=utf-8", exporting.conversation_markdown),
    "json": ("json", "application/json", exporting.conversation_json),
}


@require_GET
def conversation_export(
    request: HttpRequest, conversation_id: uuid.UUID, kind: str
) -> HttpResponse:
    """Download a conversation as Markdown (to read) or JSON (everything, to import again)."""
    conversation = _conversation_or_404(owner=request.user, conversation_id=conversation_id)
    if kind not in EXPORT_FORMATS:
        raise Http404("No such export format.")
    extension, content_type, write = EXPORT_FORMATS[kind]
    turns = list(selectors.turn_list(conversation=conversation))
    body = write(conversation=conversation, turns=turns)
    if not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=content_type)
    filename = f"{slugify(conversation.title, allow_unicode=True) or 'conversation'}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class ImportSizeLimit(FileUploadHandler):
    """Stops an upload as soon as it passes IMPORT_MAX_BYTES, before it is kept anywhere."""

    exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.IMPORT_MAX_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt
def conversations_import(request: HttpRequest) -> HttpResponse:
    """Import conversations from an export file; the limit is enforced while it uploads."""
    # Before the CSRF check reads the body (Django's documented order for upload handlers).
    request.upload_handlers.insert(0, ImportSizeLimit(request))
    return _conversations_import(request)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _conversations_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(_form_data(request), request.FILES or None)
    if form.is_bound:
        try:
            created = services.conversations_import(
                owner=request.user, conversations=_import_read(request, form)
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Imported {len(created)} conversation(s).")
            return redirect("conversation_detail", conversation_id=created[0].pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "limit_mb": settings.IMPORT_MAX_BYTES // 2**20}
    return _render_page(request, "conversations/import.html", context, status=status)


def _import_read(request: HttpRequest, form: ImportForm) -> list[ImportedConversation]:
    """The conversations of the uploaded file; ImportFileError says what is wrong with it."""
    if request.upload_handlers[0].exceeded:
        limit = settings.IMPORT_MAX_BYTES // 2**20
        raise ImportFileError(f"The file is larger than the {limit} MB import limit.")
    if not form.is_valid():
        raise ImportFileError("Choose an export file to import.")
    return reading.export_parse(raw=form.cleaned_data["file"].read())
