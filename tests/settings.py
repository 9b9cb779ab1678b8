"""Test settings: the real settings with a scripted provider, fast hashing and temp data."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CHATSITE_DATA_DIR", tempfile.mkdtemp(prefix="chatsite-test-"))
os.environ["PROVIDER_ENGINE"] = "scripted"
os.environ.setdefault("OPENAI_API_KEY", "sk-test-key")

from chatsite.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": STORAGES["attachments"],  # noqa: F405
}
CHANNEL_LAYERS = {"default": {"BACKEND": "chatsite.layers.LocalChannelLayer"}}
