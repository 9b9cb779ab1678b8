"""Run a prompt file through the batch engine from a shell, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from batches import configs as sweep
from batches import exports, services
from batches.parsing import PromptsError, prompts_parse
from batches.running import worker


class Command(BaseCommand):
    help = "Run FILE (lines, .csv or .jsonl) x the given configurations; write results as JSONL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--model", default="", help="Comma-separated models.")
        parser.add_argument("--temperature", default="", help="Comma-separated temperatures.")
        parser.add_argument("--instructions", default="")
        parser.add_argument("--reasoning-effort", default="")
        parser.add_argument("--max-output-tokens", default="")
        parser.add_argument("--template", default="", help="Template for a CSV's columns.")
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--no-store", action="store_true")
        parser.add_argument("--reuse", action="store_true")
        parser.add_argument(
            "--user", default="", help="Owner of the run (default: first superuser)."
        )
        parser.add_argument("--out", required=True, help="Results file (.jsonl or .csv).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            prompts = prompts_parse(
                text=path.read_text(encoding="utf-8-sig"),
                filename=path.name if path.suffix in (".csv", ".jsonl", ".ndjson") else "",
                template=options["template"],
            )
            configs = self._configs(options)
        except (OSError, PromptsError, sweep.ConfigError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        run = services.run_create(
            owner=self._owner(options["user"]),
            name=path.name,
            prompts=prompts,
            configs=configs,
            concurrency=options["concurrency"],
            store=not options["no_store"],
            reuse=options["reuse"],
        )
        self._work(run)
        self._write(run, Path(options["out"]))

    def _configs(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        return sweep.config_product(
            models=sweep.models_parse(text=options["model"] or settings.OPENAI_MODEL),
            temperatures=sweep.temperatures_parse(text=options["temperature"]),
            instructions=sweep.instructions_parse(text=options["instructions"]),
            efforts=sweep.efforts_parse(text=options["reasoning_effort"]),
            limits=sweep.limits_parse(text=options["max_output_tokens"]),
        )

    def _owner(self, username: str) -> Any:
        users = get_user_model().objects
        owner = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if owner is None:
            raise CommandError("No such user: pass --user, or sign up the first account first.")
        return owner

    def _work(self, run: Any) -> None:
        with tqdm(total=run.total, unit="req", file=self.stderr) as bar:

            def show(progress: dict[str, Any]) -> None:
                bar.update(progress["answered"] - bar.n)
                bar.set_postfix(failed=progress["failed"], tokens=progress["output_tokens"])

            paused = worker.run_work(run_id=run.pk, on_progress=show)
        run.refresh_from_db()
        if paused is not None:
            self.stderr.write(
                f"Paused: {paused.message} The unanswered items stay queued; "
                "the task workers carry the run on once the limit allows."
            )
        self.stdout.write(
            f"run {run.pk}: {run.done} done, {run.failed} failed of {run.total}; "
            f"{run.input_tokens} input ({run.cached_tokens} cached), "
            f"{run.output_tokens} output tokens; ${run.cost}"
        )

    def _write(self, run: Any, out: Path) -> None:
        produce = exports.results_csv if out.suffix == ".csv" else exports.results_jsonl
        with out.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(produce(run=run))
        self.stdout.write(f"results written to {out}")
