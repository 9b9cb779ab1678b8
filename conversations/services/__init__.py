"""Writes. The only code that saves models or publishes to the channel layer.

One module per concern; callers use the names re-exported here (`services.turn_finish`).
"""

from conversations.services.attachments import (
    attachment_create,
    attachment_files_delete_on_commit,
    attachments_claim,
    attachments_unsent_prune,
)
from conversations.services.branches import conversation_branch_open, conversation_branch_select
from conversations.services.conversations import (
    TITLE_MAX_LENGTH,
    conversation_create,
    conversation_delete,
    conversation_rename,
    conversation_start,
    conversation_update_settings,
)
from conversations.services.imports import conversations_import
from conversations.services.outbox import (
    provider_deletion_done,
    provider_deletion_postpone,
    provider_deletion_retry_now,
)
from conversations.services.publishing import (
    conversation_generating_publish,
    conversation_group,
    conversation_publish,
    turn_publish,
    user_group,
)
from conversations.services.rounds import turn_round_start
from conversations.services.turns import (
    MESSAGE_MAX_LENGTH,
    TurnDraft,
    TurnStart,
    turn_cancel_unattended,
    turn_checkpoint,
    turn_claim,
    turn_create,
    turn_delete,
    turn_finish,
    turn_interrupt,
    turns_create_if_idle,
    turns_start,
)

__all__ = [
    "MESSAGE_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "TurnDraft",
    "TurnStart",
    "attachment_create",
    "attachment_files_delete_on_commit",
    "attachments_claim",
    "attachments_unsent_prune",
    "conversation_branch_open",
    "conversation_branch_select",
    "conversation_create",
    "conversation_delete",
    "conversation_generating_publish",
    "conversation_group",
    "conversation_publish",
    "conversation_rename",
    "conversation_start",
    "conversation_update_settings",
    "conversations_import",
    "provider_deletion_done",
    "provider_deletion_postpone",
    "provider_deletion_retry_now",
    "turn_cancel_unattended",
    "turn_checkpoint",
    "turn_claim",
    "turn_create",
    "turn_delete",
    "turn_finish",
    "turn_interrupt",
    "turn_publish",
    "turn_round_start",
    "turns_create_if_idle",
    "turns_start",
    "user_group",
]
