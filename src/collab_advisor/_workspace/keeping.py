"""Decision records and exports of a workspace store: signing, records, CSV and .xlsx."""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .._errors import CollabAdvisorError
from .._model.context import Approach
from . import schema
from .agreement import QUESTION_FIELDS, agreement
from .core import StoreCore
from .models import (
    DecisionInput,
    Value,
)
from .rulestext import rules_text

if TYPE_CHECKING:
    from .record import SignedRecord



class RecordsAndExports(StoreCore):
    """The store's signed decision records and its answer exports."""

    # -- decision records --------------------------------------------------------------

    def signing_key(self) -> Any:
        """The server's Ed25519 private key, made once and kept in the database."""
        if self._signing is not None:
            return self._signing
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        for _ in range(3):
            with self._db.connect() as connection:
                raw = connection.execute(select(schema.signing_key.c.private_key)
                                         .where(schema.signing_key.c.id == 1)).scalar()
            if raw is not None:
                self._signing = Ed25519PrivateKey.from_private_bytes(bytes(raw))
                return self._signing
            fresh = Ed25519PrivateKey.generate().private_bytes(
                Encoding.Raw, PrivateFormat.Raw, NoEncryption())
            try:
                with self._tx() as connection:
                    connection.execute(insert(schema.signing_key).values(
                        id=1, private_key=fresh, created_at=time.time()))
            except IntegrityError:
                continue  # another worker made it first: read theirs
        raise CollabAdvisorError("could not read or make the server's signing key")

    def public_key(self) -> str:
        """The server's Ed25519 public key, base64 (records are checked against it)."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self.signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def record_decision(self, facilitator_token: str, decision: DecisionInput) -> SignedRecord:
        """Record the team's decision, signed; the record never changes afterwards."""
        from importlib.metadata import version

        __version__ = version("collab-advisor")

        from .record import build_record, sign

        try:
            chosen = Approach(decision.chosen)
        except ValueError:
            raise CollabAdvisorError(
                f"chosen: {decision.chosen!r} is not an approach; expected one of "
                + ", ".join(a.value for a in Approach)) from None
        now = time.time()
        key = self.signing_key()
        with self._tx() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token, lock=True)
            members = self._answer_sets(connection, row.id)
            rules = self.rules_of(row.rules_text)
            team = self._team(rules, members)
            body = build_record(
                workspace=row.name, description=row.description, round_number=row.current_round,
                chosen=chosen, why=decision.why, present=decision.present,
                members=[(m.label or f"member {m.number}", m.role, json.loads(m.answers))
                         for m in members],
                team=team, agreement=agreement([a for a in (json.loads(m.answers)
                                                            for m in members) if a]),
                rules=rules, rules_files=(json.loads(row.rules_text) if row.rules_text
                                          else rules_text(rules)),
                recorded_at=now, package_version=__version__)
            signed = sign(body, key)
            connection.execute(insert(schema.decision).values(
                workspace_id=row.id, created_at=now, envelope=signed.to_json(),
                sha256=signed.sha256))
            self._touch(connection, row.id, now)
        return signed

    def decisions(self, facilitator_token: str) -> list[SignedRecord]:
        """The workspace's decision records, oldest first."""
        from .record import SignedRecord

        with self._db.connect() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token)
            envelopes = connection.execute(
                select(schema.decision.c.envelope).where(schema.decision.c.workspace_id == row.id)
                .order_by(schema.decision.c.id)).scalars()
            return [SignedRecord.from_json(text) for text in envelopes]

    # -- export ------------------------------------------------------------------------

    def answers_csv(self, facilitator_token: str) -> str:
        """The members' answers as CSV that ``collab-advisor batch`` reads (one row each)."""
        header, rows = self._answer_rows(facilitator_token)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for values in rows:
            writer.writerow(["" if v is None else _csv_cell(v) for v in values])
        return out.getvalue()

    def _answer_rows(self, facilitator_token: str) -> tuple[list[str], list[list[Any]]]:
        with self._db.connect() as connection:
            row = self._by_link(connection, "facilitator_hash", facilitator_token)
            members = self._answer_sets(connection, row.id)
        header = ["name", *QUESTION_FIELDS]
        rows = []
        for m in members:
            answers = json.loads(m.answers)
            rows.append([m.label or f"member {m.number}",
                         *(answers.get(field) for field in QUESTION_FIELDS)])
        return header, rows

    def answers_xlsx(self, facilitator_token: str) -> bytes:
        """The members' answers as an .xlsx workbook (needs openpyxl)."""
        try:
            from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise CollabAdvisorError("the .xlsx export needs openpyxl: pip install "
                                     "openpyxl") from None
        header, rows = self._answer_rows(facilitator_token)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "answers"
        sheet.append(header)
        for values in rows:
            sheet.append([None if v is None else _csv_cell(v) for v in values])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def count_rows(self) -> dict[str, int]:
        """Rows per table (for maintenance and tests)."""
        with self._db.connect() as connection:
            return {table.name: int(connection.execute(
                select(func.count()).select_from(table)).scalar_one())
                for table in schema.metadata.sorted_tables}


def _csv_cell(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
