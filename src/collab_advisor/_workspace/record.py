"""Decision records: canonical JSON, its SHA-256, an Ed25519 signature, and the exports.

A record's *body* is plain JSON data. Its canonical form (keys sorted, no spaces,
UTF-8) is hashed with SHA-256 and the hash's bytes are signed with the server's key.
Markdown and PDF exports embed the signed envelope between two marker lines, so that
``collab-advisor record verify FILE`` can find it in either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._advice.team import TeamRecommendation
from .._errors import CollabAdvisorError
from .._model.context import Approach
from .._rulebook.ruleset import RuleSet
from .models import Agreement

RECORD_KIND = "collab-advisor decision record"
RECORD_FORMAT = 1
BEGIN = "-----BEGIN COLLAB-ADVISOR RECORD-----"
END = "-----END COLLAB-ADVISOR RECORD-----"
_NEXT: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}
MAX_FILE = 50_000_000
"""The largest file ``record verify`` reads."""


class RecordError(CollabAdvisorError):
    """A record that cannot be read, or whose hash or signature does not check out."""


def canonical(body: Any) -> bytes:
    """The canonical JSON of ``body``: sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class SignedRecord:
    """A decision record's body, its SHA-256 and the server's signature over that hash."""

    body: dict[str, Any]
    sha256: str
    signature: str
    """Ed25519 over the 32 bytes of the hash, base64."""
    public_key: str
    """The signing key, base64 (compare it with the server's published key)."""

    def to_json(self) -> str:
        """The envelope as one line of canonical JSON."""
        return canonical({"record": self.body, "sha256": self.sha256,
                          "signature": self.signature, "public_key": self.public_key}
                         ).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> SignedRecord:
        """An envelope read back (not yet verified: call ``verify``)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RecordError(f"the embedded record is not valid JSON (line {error.lineno}, "
                              f"column {error.colno}: {error.msg})") from None
        if not isinstance(data, dict) or set(data) != {"record", "sha256", "signature",
                                                       "public_key"}:
            raise RecordError("the embedded record must be an object with exactly "
                              "record, sha256, signature and public_key")
        if not isinstance(data["record"], dict) or not all(
                isinstance(data[k], str) for k in ("sha256", "signature", "public_key")):
            raise RecordError("the embedded record has a field of the wrong type")
        return cls(body=data["record"], sha256=data["sha256"], signature=data["signature"],
                   public_key=data["public_key"])

    def verify(self, trusted_key: str | None = None) -> str:
        """Recompute the hash and check the signature; returns a one-line verdict.

        With ``trusted_key`` (base64), the record must also be signed by that key.
        Raises ``RecordError`` naming what failed.
        """
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        digest = hashlib.sha256(canonical(self.body)).hexdigest()
        if digest != self.sha256:
            raise RecordError(f"hash mismatch: the record's content hashes to {digest[:16]}..., "
                              f"not the {self.sha256[:16]}... it carries (it was changed)")
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key,
                                                                      validate=True))
            signature = base64.b64decode(self.signature, validate=True)
        except (ValueError, binascii.Error):
            raise RecordError("public_key or signature: not a base64 Ed25519 value") from None
        if trusted_key is not None and trusted_key.strip() != self.public_key:
            raise RecordError("signed by another key than the one given with --key")
        try:
            key.verify(signature, bytes.fromhex(self.sha256))
        except (InvalidSignature, ValueError):
            raise RecordError("bad signature: the hash was not signed by the key the "
                              "record names") from None
        body = self.body
        return (f"OK: decision record for {body.get('workspace')!r} "
                f"({body.get('chosen_name')}, recorded {body.get('recorded_at')}), "
                f"sha256 {self.sha256[:16]}..., signed by key {self.public_key}")

    # -- exports ----------------------------------------------------------------------

    def embedded(self) -> str:
        """The envelope between its marker lines, as both exports carry it."""
        return f"{BEGIN}\n{self.to_json()}\n{END}"

    def to_markdown(self) -> str:
        """The record for people, with the signed envelope at the end."""
        body = self.body
        lines = [f"# Decision record: {_md(body['workspace'])}", ""]
        lines += _summary_lines(body, markdown=True)
        lines += ["", "## Verifying this record", "",
                  "Run `collab-advisor record verify THIS_FILE`. It recomputes the SHA-256 "
                  "over the canonical JSON below and checks the Ed25519 signature; compare "
                  "the key with the one the server publishes at `/api/workspaces/public-key`.",
                  "", "<!--", self.embedded(), "-->", ""]
        return "\n".join(lines)

    def to_pdf(self) -> bytes:
        """The record as PDF (needs the 'pdf' extra: fpdf2), the envelope attached."""
        try:
            from fpdf import FPDF
        except ImportError:
            raise CollabAdvisorError("PDF export needs the optional 'pdf' extra: "
                                     "pip install 'collab-advisor[pdf]'") from None
        pdf = FPDF()
        pdf.set_compression(False)
        pdf.set_title(f"Decision record: {self.body['workspace']}"[:200])
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, _latin(f"Decision record: {self.body['workspace']}"), **_NEXT)
        pdf.ln(2)
        pdf.set_font("Helvetica", size=10)
        for line in _summary_lines(self.body, markdown=False):
            pdf.multi_cell(0, 5, _latin(line) or " ", **_NEXT)
        pdf.ln(3)
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, _latin(
            f"SHA-256 {self.sha256}. Signed with Ed25519 key {self.public_key}. The signed "
            "record is attached to this file as record.json; check it with "
            "'collab-advisor record verify THIS_FILE'."), **_NEXT)
        pdf.embed_file(basename="record.json", bytes=self.embedded().encode("utf-8"),
                       desc="The signed decision record (canonical JSON)", compress=False)
        return bytes(pdf.output())


def _md(text: Any) -> str:
    """Text safe inside Markdown: no HTML, no link or emphasis syntax taking effect."""
    out = str(text).replace("\r", " ").replace("\n", " ")
    return re.sub(r"([\\`*_{}\[\]()#+\-!<>|~])", r"\\\1", out)


def _latin(text: str) -> str:
    return text.replace("…", "...").replace("—", "-").encode("latin-1", "replace").decode(
        "latin-1")


def _summary_lines(body: dict[str, Any], *, markdown: bool) -> list[str]:
    esc = _md if markdown else str
    bullet = "- " if markdown else "  * "
    head = (lambda t: f"## {t}") if markdown else (lambda t: t.upper())
    advice = body["advice"]
    lines = [
        f"{bullet}Chosen approach: {esc(body['chosen_name'])}",
        f"{bullet}Recorded: {esc(body['recorded_at'])} (round {body['round']})",
        f"{bullet}Present: {esc(', '.join(body['present']) or 'not recorded')}",
        f"{bullet}Advice at that moment: {esc(_advice_words(advice))}",
        f"{bullet}Rules: version {esc(body['rules']['version'])}, fingerprint "
        f"{esc(body['rules']['fingerprint'][:16])}..., engine {esc(body['engine'])}",
        "", head("In the group's words"), "", esc(body["why"]), "",
        head("The team's answers"), "",
    ]
    for member in body["answers"]:
        role = f" ({member['role']})" if member["role"] else ""
        shown = "; ".join(f"{k}: {v}" for k, v in sorted(member["answers"].items()))
        lines.append(f"{bullet}{esc(member['member'] + role)}: {esc(shown or 'no answers')}")
    if advice["explanation"]:
        lines += ["", head("The advice when the decision was recorded"), ""]
        for text in advice["explanation"].splitlines():
            lines.append(esc(text) if markdown else text)
    return lines


def _advice_words(advice: dict[str, Any]) -> str:
    if advice["top_name"]:
        return str(advice["top_name"])
    if advice["tied"]:
        return "a tie between " + ", ".join(advice["tied"])
    return "no answers yet"


def build_record(*, workspace: str, description: str, round_number: int, chosen: Approach,
                 why: str, present: Sequence[str],
                 members: Sequence[tuple[str, str | None, dict[str, Any]]],
                 team: TeamRecommendation | None, agreement: Agreement, rules: RuleSet,
                 rules_files: dict[str, str], recorded_at: float,
                 package_version: str) -> dict[str, Any]:
    """A record's body: everything the decision rested on, as plain JSON data."""
    advice: dict[str, Any] = {"top": None, "top_name": None, "tied": [], "ranking": [],
                              "disputed": [], "decisive": None, "explanation": ""}
    engine = "none (no answers)"
    if team is not None:
        best = team.advice.ranking[0].score
        tied = [r.approach.value for r in team.advice.ranking if r.score == best]
        alone = len(tied) == 1
        advice = {
            "top": team.advice.top.approach.value if alone else None,
            "top_name": team.advice.top.name if alone else None,
            "tied": tied if not alone else [],
            "ranking": [{"approach": r.approach.value, "rank": r.rank, "score": r.score}
                        for r in team.advice.ranking],
            "disputed": [d.field for d in team.disputed],
            "decisive": next((d.message for d in team.disputed if d.changes_top), None),
            "explanation": team.explain(),
        }
        engine = team.advice.engine
    stamp = datetime.fromtimestamp(recorded_at, tz=UTC).isoformat(timespec="seconds")
    return {
        "kind": RECORD_KIND, "format": RECORD_FORMAT,
        "workspace": workspace, "description": description, "round": round_number,
        "chosen": chosen.value, "chosen_name": chosen.display_name, "why": why,
        "present": list(present),
        "answers": [{"member": label, "role": role, "answers": answers}
                    for label, role, answers in members],
        "agreement": agreement.model_dump(mode="json"),
        "advice": advice, "engine": engine,
        "rules": {"version": rules.version, "fingerprint": rules.fingerprint,
                  "files": rules_files},
        "recorded_at": stamp, "package_version": package_version,
    }


def sign(body: dict[str, Any], key: Any) -> SignedRecord:
    """Hash ``body``'s canonical JSON and sign the hash with an Ed25519 private key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    digest = hashlib.sha256(canonical(body)).hexdigest()
    signature = key.sign(bytes.fromhex(digest))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SignedRecord(body=body, sha256=digest,
                        signature=base64.b64encode(signature).decode("ascii"),
                        public_key=base64.b64encode(public).decode("ascii"))


def read_record(path: str | os.PathLike[str]) -> SignedRecord:
    """The signed record in a Markdown, PDF or JSON export (call ``verify()`` on it)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE:
            raise RecordError(f"{file}: larger than a record can be ({MAX_FILE:,} bytes)")
        data = file.read_bytes()
    except OSError as error:
        raise RecordError(f"cannot read {file}: {error.strerror or error}") from None
    return extract(data, str(file))


def extract(data: bytes, source: str = "the file") -> SignedRecord:
    """The signed envelope embedded in a Markdown or PDF export (or a bare JSON file)."""
    begin, end = BEGIN.encode(), END.encode()
    start = data.find(begin)
    if start < 0:
        stripped = data.strip()
        if stripped.startswith(b"{"):
            return SignedRecord.from_json(stripped.decode("utf-8", "replace"))
        raise RecordError(f"{source}: no decision record found (expected the line {BEGIN})")
    stop = data.find(end, start)
    if stop < 0:
        raise RecordError(f"{source}: the record starts but never ends (no {END} line)")
    if data.find(begin, start + 1) >= 0:
        raise RecordError(f"{source}: more than one record embedded; expected one")
    inner = data[start + len(begin):stop].strip()
    try:
        text = inner.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(f"{source}: the embedded record is not UTF-8") from None
    return SignedRecord.from_json(text)


@dataclass(frozen=True)
class Replay:
    """A recorded decision's advice replayed under other rules, and what changed."""

    recorded_top: str | None
    now_top: str | None
    same_rules: bool
    differs: bool
    diff: Any
    """A ``collab_advisor.RulesDiff`` between the recorded rules and these (None if equal)."""

    def explain(self) -> str:
        """In words: whether the advice would differ now, and the rules diff."""
        if self.same_rules:
            return "The rules are the ones the record was made under: the advice is unchanged."
        verdict = ("The advice would now differ" if self.differs
                   else "The advice would be the same")
        head = f"{verdict}: recorded {self.recorded_top}, now {self.now_top}."
        return head + "\n\n" + str(self.diff.explain())


def replay_record(record: SignedRecord, rules: RuleSet | None = None, *,
                  sample: int = 2000) -> Replay:
    """Replay a record's answers under ``rules`` (default: the shipped rules)."""
    from .._advice.rulesdiff import diff_rules
    from .._advice.team import TeamMember, recommend_team
    from .._model.context import Context
    from .._rulebook.loader import load_rules
    from .rulestext import rules_from_text

    old = rules_from_text(record.body["rules"]["files"])
    new = rules if rules is not None else load_rules()
    members = [TeamMember(label=m["member"], role=m["role"],
                          context=Context.model_validate(m["answers"]))
               for m in record.body["answers"] if m["answers"]]
    recorded_top = record.body["advice"]["top"]
    now_top = (recommend_team(members, rules=new).advice.top.approach.value
               if members else None)
    same = old.fingerprint == new.fingerprint
    return Replay(recorded_top=recorded_top, now_top=now_top, same_rules=same,
                  differs=recorded_top != now_top,
                  diff=None if same else diff_rules(old, new, sample=sample))
