"""Ingest market signals from a JSON Lines file into one workspace.

One JSON object per line; blank lines and lines starting with ``#`` are skipped.

Keys (``source``, ``signal_type`` and ``title`` are required):

    source        where the signal came from, e.g. "g2_reviews"
    signal_type   lower-case identifier, e.g. "competitor_pricing" ("type" is accepted too)
    title         one line, up to 300 characters
    payload       JSON object with the feed's details (default {})
    strength      number from 0 to 1 (default 0.5)
    fingerprint   dedupe key; default: derived from source, type and title
    summary, url, sentiment (-1..1), detected_at, expires_at (ISO 8601)
                  optional; stored in their columns (they go into the payload,
                  where ingest_intelligence_signal reads them)

Example::

    {"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit Gear cut tent prices 20%",
     "strength": 0.8, "url": "https://example.com/summit", "payload": {"competitor": "Summit Gear"}}

A repeated fingerprint adds an occurrence instead of a row. Bad lines are
reported with their line number and reason, the good ones are kept, and a
summary line ends the output. Exit status 1 (CommandError) when the file is
missing or the workspace unknown or not visible.

The workspace is found by slug. Row-level security hides workspaces outside a
context, so ``--as-user EMAIL`` names a member through whose membership the
workspace is visible (unless the connection's role may see every workspace).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intelligence import services
from raptorflow.models import User, Workspace
from raptorflow.sql import SQLFunctionError
from raptorflow.tenancy import workspace_context

REQUIRED = ("source", "signal_type", "title")
ARGUMENTS = ("payload", "strength", "fingerprint")
# Top-level conveniences moved into the payload, where the procedure reads them.
PAYLOAD_KEYS = ("summary", "url", "sentiment", "detected_at", "expires_at")
ALIASES = {"type": "signal_type"}
KNOWN = {*REQUIRED, *ARGUMENTS, *PAYLOAD_KEYS, *ALIASES}


class BadLine(ValueError):
    pass


def parse_line(text: str) -> dict:
    """The keyword arguments of ``services.ingest_signal`` for one line, or BadLine."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine(f"expected a JSON object, got {type(record).__name__}")
    for alias, key in ALIASES.items():
        if alias in record:
            if key in record:
                raise BadLine(f'give either "{alias}" or "{key}", not both')
            record[key] = record.pop(alias)
    unknown = sorted(set(record) - KNOWN)
    if unknown:
        raise BadLine(f"unknown key(s): {', '.join(unknown)}")
    missing = [key for key in REQUIRED if not isinstance(record.get(key), str) or not record[key].strip()]
    if missing:
        raise BadLine(f"missing or empty: {', '.join(missing)}")
    payload = record.get("payload", {})
    if not isinstance(payload, dict):
        raise BadLine(f"payload must be a JSON object, got {type(payload).__name__}")
    payload = {**payload, **{key: record[key] for key in PAYLOAD_KEYS if key in record}}
    strength = record.get("strength", 0.5)
    if isinstance(strength, bool) or not isinstance(strength, (int, float)):
        raise BadLine(f"strength must be a number from 0 to 1, got {strength!r}")
    fingerprint = record.get("fingerprint")
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise BadLine("fingerprint must be a string")
    return {
        "source": record["source"],
        "signal_type": record["signal_type"],
        "title": record["title"],
        "payload": payload,
        "strength": strength,
        "fingerprint": fingerprint,
    }


class Command(BaseCommand):
    help = "Ingest intelligence signals from a JSON Lines file (one signal per line) into a workspace."

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON Lines file; - reads standard input.")
        parser.add_argument("--workspace", required=True, help="Slug of the workspace to ingest into.")
        parser.add_argument(
            "--as-user",
            metavar="EMAIL",
            help="A member of the workspace: the signals are ingested on their behalf, and through their "
            "membership the workspace is visible to the command.",
        )

    def handle(self, *args, path, workspace, as_user, **options):
        lines = self._read(path)
        user = self._user(as_user)
        ws = self._workspace(workspace, user)
        new = repeats = 0
        bad = []
        with workspace_context(ws.id, user_id=user.id if user else None):
            for number, text in enumerate(lines, start=1):
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                try:
                    signal = services.ingest_signal(**parse_line(text))
                except (BadLine, SQLFunctionError) as exc:
                    bad.append(number)
                    self.stderr.write(f"{path}:{number}: {exc}")
                    continue
                if signal.occurrences == 1:
                    new += 1
                else:
                    repeats += 1
        summary = (
            f"{new + repeats} signal(s) ingested into {ws.slug} ({new} new, {repeats} repeat(s)); "
            f"{len(bad)} bad line(s)"
        )
        if bad:
            self.stdout.write(self.style.WARNING(summary + f": {', '.join(map(str, bad))}"))
        else:
            self.stdout.write(self.style.SUCCESS(summary))

    def _read(self, path):
        if path == "-":
            import sys

            return sys.stdin.read().splitlines()
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            return file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from None

    def _user(self, email):
        if not email:
            return None
        user = User.objects.filter(email=email.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"no active user with the email {email}")
        return user

    def _workspace(self, slug, user):
        # Without a context RLS shows no workspace (except to superusers): look through the member's memberships.
        with workspace_context(None, user_id=user.id if user else None):
            workspace = Workspace.objects.filter(slug=slug, is_active=True).first()
        if workspace is None:
            hint = "" if user else "; pass --as-user EMAIL of one of its members"
            who = f" to {user.email}" if user else ""
            raise CommandError(f"workspace {slug!r} is unknown or not visible{who}{hint}")
        return workspace
