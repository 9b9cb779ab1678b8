"""Benchmark of history at scale: the conversation page and search over a million turns.

Run: .venv/bin/python bench/history.py [--db sqlite,postgres] [--conversations 10000]
     [--turns 100] [--users 10] [--samples 200]

For each database (a fresh SQLite file; a throw-away PostgreSQL server on loopback) it migrates,
generates `--users` users sharing `--conversations` conversations of `--turns` turns each (words
drawn from a Zipf-like vocabulary, bulk inserted: executemany on SQLite, COPY on PostgreSQL, the
search index kept by the database as for any write), then times, through Django's test client as
one user (so middleware, queries and templates are all inside the figure):

- the history page `/c/<id>/` (its turns and the sidebar) of `--samples` distinct conversations;
- search `/search/?q=` for `--samples` distinct queries of one or two words seen in the text.

"cold" is each request's first run on a fresh connection after the bulk load (no OS cache drop:
the machine is shared), "warm" the same requests again. p50/p95 in ms; targets p95 ≤ 50 ms (page)
and ≤ 100 ms (search).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VOCABULARY = 20_000
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "bel", "dor", "fin"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args)), flush=True)
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    for vendor in args.db.split(","):
        _run(vendor, args)
    print(f"load average after: {os.getloadavg()}", flush=True)


def _run(vendor: str, args: argparse.Namespace) -> None:
    """Measure one database in a child process (Django is configured once per process)."""
    with tempfile.TemporaryDirectory(prefix="chatsite-bench-history-") as folder:
        if vendor == "postgres":
            from tests.multiprocess.postgres_server import postgres_server

            with postgres_server() as url:
                _child(vendor, url, Path(folder), args)
        else:
            _child(vendor, f"sqlite:///{folder}/bench.sqlite3", Path(folder), args)


def _child(vendor: str, url: str, folder: Path, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "DATABASE_URL": url,
        "CHATSITE_DATA_DIR": str(folder),
        "SECRET_KEY": "bench-history-secret-key-0123456789-abcdefghijklmnop",
        "OPENAI_API_KEY": "sk-bench",
        "PROVIDER_ENGINE": "scripted",
        "ALLOWED_HOSTS": "testserver",
    }
    command = [sys.executable, __file__, "--child", vendor, *_passed(args)]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    print(f"\n{vendor}: {result.pop('summary')}")
    for name, figures in result.items():
        print(f"  {name:<14} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms")


def _passed(args: argparse.Namespace) -> list[str]:
    return [
        f"--conversations={args.conversations}",
        f"--turns={args.turns}",
        f"--users={args.users}",
        f"--samples={args.samples}",
    ]


def _measure(args: argparse.Namespace) -> dict[str, object]:
    """In the child: migrate, generate, time. Returns the figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Plain static storage: the figures are the same, and a fresh clone has no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    words = _word_stream(random.Random(1))
    user_id, conversation_ids = _generate(args, words)
    generated = time.perf_counter() - started
    queries = _queries(random.Random(2), words, args.samples)
    pages = random.Random(3).sample(conversation_ids, args.samples)
    figures = _time_requests(user_id, pages, queries)
    turns = args.conversations * args.turns
    figures["summary"] = (
        f"{args.conversations} conversations, {turns} turns, {args.users} users"
        f" (generated and indexed in {generated:.0f} s); timed as a user with"
        f" {len(conversation_ids)} conversations"
    )
    return figures


def _word_stream(rng: random.Random) -> list[str]:
    """Two million words drawn from a Zipf-like vocabulary; turns are windows of it."""
    vocabulary = sorted(
        {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(VOCABULARY * 2)}
    )[:VOCABULARY]
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    return rng.choices(vocabulary, weights=weights, k=2_000_000)


def _text(rng: random.Random, words: list[str], low: int, high: int) -> str:
    start = rng.randrange(len(words) - high)
    return " ".join(words[start : start + rng.randint(low, high)])


def _generate(args: argparse.Namespace, words: list[str]) -> tuple[int, list[str]]:
    """Users, conversations and turns, bulk inserted; the timed user's id and conversations."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    users = User.objects.bulk_create(
        [User(username=f"bench{n}", password="!") for n in range(args.users)]
    )
    rng = random.Random(4)
    conversations = [
        (uuid.uuid4().hex, users[n % args.users].pk, _text(rng, words, 2, 6))
        for n in range(args.conversations)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_postgres(cursor, conversations, args.turns, rng, words)
        else:
            _insert_sqlite(cursor, conversations, args.turns, rng, words)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    mine = [pk for pk, owner, _ in conversations if owner == users[0].pk]
    return users[0].pk, [str(uuid.UUID(pk)) for pk in mine]


CONVERSATION_COLUMNS = (
    "id, owner_id, title, instructions, model, reasoning_effort, created_at, updated_at"
)
# Ids are given (a fresh database numbers from 1 anyway) so each turn follows the one before.
TURN_COLUMNS = (
    "id, parent_id, conversation_id, owner_id, position, user_text, output_text, reasoning_text,"
    " response_id, previous_response_id, status, model, error, retryable, created_at, finished_at,"
    " worker, background, stream_seq, input_tokens, output_tokens"
)


def _turn_rows(conversations, turns: int, rng: random.Random, words: list[str], now):
    ids = itertools.count(1)
    for pk, owner, _ in conversations:
        for position in range(turns):
            turn_id = next(ids)
            yield (
                turn_id, turn_id - 1 if position else None, pk, owner, position,
                _text(rng, words, 5, 20), _text(rng, words, 20, 120),
                _text(rng, words, 0, 15), f"resp_{uuid.uuid4().hex}", "", "completed",
                "bench", "", False, now, now, "", False, 0, 100, 200,
            )  # fmt: skip


def _insert_sqlite(cursor, conversations, turns: int, rng: random.Random, words: list[str]):
    from django.db import connection
    from django.utils import timezone

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cursor.executemany(
        f"INSERT INTO conversations_conversation ({CONVERSATION_COLUMNS})"
        " VALUES (%s, %s, %s, '', '', 'low', %s, %s)",
        [(pk, owner, title, now, now) for pk, owner, title in conversations],
    )
    placeholders = ", ".join(["%s"] * 21)
    rows = _turn_rows(conversations, turns, rng, words, now)
    while batch := list(itertools.islice(rows, 20_000)):
        cursor.executemany(
            f"INSERT INTO conversations_turn ({TURN_COLUMNS}) VALUES ({placeholders})", batch
        )


def _copy_postgres(cursor, conversations, turns: int, rng: random.Random, words: list[str]):
    from django.utils import timezone

    now = timezone.now()
    with cursor.copy(f"COPY conversations_conversation ({CONVERSATION_COLUMNS}) FROM STDIN") as c:
        for pk, owner, title in conversations:
            c.write_row((uuid.UUID(pk), owner, title, "", "", "low", now, now))
    rows = _turn_rows(
        [(uuid.UUID(pk), owner, title) for pk, owner, title in conversations],
        turns,
        rng,
        words,
        now,
    )
    with cursor.copy(f"COPY conversations_turn ({TURN_COLUMNS}) FROM STDIN") as c:
        for row in rows:
            c.write_row(row)
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('conversations_turn', 'id'), max(id))"
        " FROM conversations_turn"
    )


def _queries(rng: random.Random, words: list[str], samples: int) -> list[str]:
    """Distinct queries of one or two words as seen in the text (common words come up often)."""
    queries: set[str] = set()
    while len(queries) < samples:
        start = rng.randrange(len(words) - 2)
        queries.add(" ".join(words[start : start + rng.choice([1, 2])]))
    return sorted(queries, key=lambda _: rng.random())


def _time_requests(user_id: int, pages: list[str], queries: list[str]) -> dict[str, object]:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    urls = {
        "page": [f"/c/{pk}/" for pk in pages],
        "search": [f"/search/?q={query.replace(' ', '+')}" for query in queries],
    }
    figures: dict[str, object] = {}
    for name, targets in urls.items():
        for phase in ("cold", "warm"):
            timings = [_time(client, url) for url in targets]
            figures[f"{name} {phase}"] = {
                "p50": statistics.median(timings),
                "p95": statistics.quantiles(timings, n=20)[-1],
            }
    return figures


def _time(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


if __name__ == "__main__":
    main()
