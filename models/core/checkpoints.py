"""Signed checkpoints of the audit chain, so that rewriting history shows even when hashes agree.

The chain alone proves that no event was edited without recomputing every later hash; it cannot
tell a chain cut short, emptied or recomputed from an honest one. A checkpoint (the last event's
id and hash and the number of events up to it) is signed with an Ed25519 key kept outside the
database, stored in the database and as a file under PLANWATCH_HOME, and can be exported. A later
verification compares the chain with the newest checkpoint: a missing tail, a deleted row or a
recomputed hash no longer matches what was signed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.core.audit import GENESIS, AuditEvent, _digest, _hashed_fields
from models.core.db import UTCDateTime, db

KEY_FILE = "audit-signing.key"
LATEST_FILE = "audit-checkpoint.json"


class AuditCheckpoint(db.Model):
    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_id: Mapped[int]
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    count: Mapped[int]
    signature: Mapped[str] = mapped_column(sa.String(128))


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint vouches for: the chain up to `last_id` ends in `last_hash`."""

    last_id: int
    last_hash: str
    count: int
    at: str
    signature: str = ""

    def payload(self) -> bytes:
        fields_ = {"last_id": self.last_id, "last_hash": self.last_hash, "count": self.count,
                   "at": self.at}
        return json.dumps(fields_, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        return cls(int(data["last_id"]), str(data["last_hash"]), int(data["count"]),
                   str(data["at"]), str(data.get("signature", "")))

    def signed_by(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(bytes.fromhex(self.signature), self.payload())
        except (InvalidSignature, ValueError):
            return False
        return True


def _private(path: Path) -> None:
    os.chmod(path, 0o600)


def signing_key(home: Path) -> Ed25519PrivateKey:
    """The installation's checkpoint key (created 0600 under `home` on first use)."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


@dataclass
class Verdict:
    """What verification found: nothing (ok) or the first broken link and what is missing."""

    count: int = 0
    last_id: int | None = None
    problems: list[str] = field(default_factory=list)
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _walk(session: Session, verdict: Verdict) -> dict[int, str]:
    """Follow the chain; record the first broken link; return the hash of each event id."""
    prev, hashes = GENESIS, {}
    for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        verdict.count += 1
        verdict.last_id = event.id
        hashes[event.id] = event.hash
        if verdict.ok:
            if event.prev_hash != prev:
                verdict.problems.append(
                    f"event {event.id}: its link does not match the event before it "
                    "(an event before it was deleted or changed)")
            elif _digest(prev, _hashed_fields(event)) != event.hash:
                verdict.problems.append(f"event {event.id}: its content does not match its hash "
                                        "(the row was changed)")
        prev = event.hash
    return hashes


def _against(checkpoint: Checkpoint, hashes: dict[int, str], verdict: Verdict) -> None:
    if checkpoint.last_id not in hashes:
        kept = [i for i in hashes if i < checkpoint.last_id]
        verdict.problems.append(
            f"the checkpoint of {checkpoint.at} vouches for events up to {checkpoint.last_id}, "
            f"but the chain {'ends at ' + str(max(kept)) if kept else 'is empty'}: "
            "its tail was deleted")
        return
    if hashes[checkpoint.last_id] != checkpoint.last_hash:
        verdict.problems.append(
            f"event {checkpoint.last_id}: its hash differs from the signed checkpoint of "
            f"{checkpoint.at} (history before it was rewritten and the hashes recomputed)")
    up_to = sum(1 for i in hashes if i <= checkpoint.last_id)
    if up_to != checkpoint.count:
        verdict.problems.append(
            f"{checkpoint.count - up_to} of the {checkpoint.count} events up to "
            f"{checkpoint.last_id} signed on {checkpoint.at} are missing")


def latest_checkpoint(session: Session, home: Path, public: Ed25519PublicKey,
                      verdict: Verdict) -> Checkpoint | None:
    """The newest validly signed checkpoint, from the file under `home` or the database."""
    found: list[Checkpoint] = []
    path = home / LATEST_FILE
    if path.exists():
        found.append(Checkpoint.from_json(path.read_text()))
    row = session.scalars(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
                          .limit(1)).first()
    if row is not None:
        found.append(Checkpoint(row.last_id, row.last_hash, row.count,
                                row.at.astimezone(UTC).isoformat(), row.signature))
    good = []
    for checkpoint in found:
        if checkpoint.signed_by(public):
            good.append(checkpoint)
        else:
            verdict.problems.append(
                f"a checkpoint for event {checkpoint.last_id} has a signature this installation's "
                "key did not make (it was forged or altered)")
    return max(good, key=lambda c: (c.last_id, c.count), default=None)


def verify(session: Session, home: Path, *, checkpoint: Checkpoint | None = None,
           now: datetime | None = None) -> Verdict:
    """Check the chain and compare it with `checkpoint` (or the newest one kept).

    When everything holds and `now` is given, a new checkpoint is signed and kept (database and
    file), so the next verification is anchored at today's chain.
    """
    key = signing_key(home)
    verdict = Verdict()
    hashes = _walk(session, verdict)
    if checkpoint is not None and not checkpoint.signed_by(key.public_key()):
        verdict.problems.append("the checkpoint file is not signed by this installation's key")
        checkpoint = None
    anchor = checkpoint or latest_checkpoint(session, home, key.public_key(), verdict)
    verdict.checkpoint = anchor
    if anchor is not None:
        _against(anchor, hashes, verdict)
    if verdict.ok and now is not None and verdict.last_id is not None:
        write_checkpoint(session, home, key, verdict.last_id, hashes[verdict.last_id],
                         verdict.count, now)
    return verdict


def write_checkpoint(session: Session, home: Path, key: Ed25519PrivateKey, last_id: int,
                     last_hash: str, count: int, now: datetime) -> Checkpoint:
    now = now.astimezone(UTC)
    unsigned = Checkpoint(last_id, last_hash, count, now.isoformat())
    signed = Checkpoint(last_id, last_hash, count, unsigned.at,
                        key.sign(unsigned.payload()).hex())
    session.add(AuditCheckpoint(at=now, last_id=last_id, last_hash=last_hash, count=count,
                                signature=signed.signature))
    session.flush()
    path = home / LATEST_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(signed.to_json())
    _private(tmp)
    tmp.replace(path)
    return signed
