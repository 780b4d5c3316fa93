"""Signed sign-offs and the history anchor: Ed25519 keys, canonical statements, one-line anchors.

Why: the database holder can rewrite any row and recompute the hash chain, so neither
a sign-off row nor the chain proves anything against them. Two things do:

* a **signature** made with a key only the reviewer holds, over a statement that kam
  can rebuild from the stored rows (so `kam audit verify` needs no trust in the row), and
* an **anchor**: one line printed by `kam audit anchor` and kept outside the database
  (an e-mail, a ticket), against which `kam audit verify --anchor LINE` proves that the
  history up to that point is still the same.

Everything here is a pure function over plain values; reading the rows, prompting and
printing belong to the floors above. The cryptography is the `cryptography` library's
Ed25519 (OpenSSL underneath); `bcrypt` is what it needs to open passphrase-protected
OpenSSH keys.

Keys
----
A reviewer makes a key with ``ssh-keygen -t ed25519`` (a tool every company already has,
and the same files work with ssh/git signing), registers the public half
(``ssh-ed25519 AAAA… comment``, `load_public_key`) and signs with the private file
(`load_private_key`: the OpenSSH format ssh-keygen writes, or PEM PKCS#8 as
``openssl genpkey -algorithm ed25519`` writes; a passphrase is asked for only when the
file is encrypted). Only Ed25519 is accepted: one algorithm, fixed-size keys and
signatures, deterministic signing, no parameters to get wrong. `fingerprint` is exactly
what ``ssh-keygen -lf`` prints, so a reviewer can compare what kam stored with their own
file. `public_key_text` is the canonical stored form: type and key, without the comment
(the same key always gives the same text, so the database can refuse a key registered
twice).

Statements
----------
`statement` builds the bytes that are signed: the domain prefix ``kam-signoff-v1`` and a
newline, then canonical JSON (sorted keys, no whitespace, UTF-8, every field always
present) of the opportunity, the contract number, the contract-review version and the
sha256 of its canonical data, the department, the reviewer, the decision, the comment and
the time (ISO 8601 UTC with microseconds). The prefix keeps a signature made for kam from
being valid for anything else (and anything else from being valid here); the version in it
lets a later format coexist: rows store the version they were signed with and
`statement(..., version=...)` rebuilds that one. The reviewer's roster name is signed as
well, so the statement says on its own who approved, not only which key did.

The anchor
----------
`kam audit anchor` prints::

    kam-anchor v1 2026-12-01T10:00:00Z rows=553540 head=<64 hex> [db=<database id>]

where ``rows`` is the number of history rows (``events``) and ``head`` is
`history_digest` over the stored ``hash`` of those rows **in global insertion order**
(``ORDER BY id``)::

    D0 = sha256("kam-anchor-v1\\n");   Di = sha256(D(i-1) || bytes(hash_i));   head = Dn

Why this design, and not the alternatives:

* Per opportunity (id, seq, head) pairs would prove the most, but they do not fit on one
  line (100k opportunities), and a digest over "each opportunity's head" cannot be
  recomputed later, once the chains have grown, without knowing each head's seq then.
* Selecting "the rows up to the anchor's time" fails because ``events.at`` is written by
  the caller (a backdated follow-up is an old ``at`` written today).
* Insertion order needs nothing but a count: the verifier reads the first ``rows`` rows by
  id and folds their hashes. Each row's hash already covers its content and its
  predecessor (the per-opportunity chain), so any change to an anchored row changes Dn;
  a deleted anchored row pulls a later row into the first ``rows`` (or leaves fewer than
  ``rows``); a row forged into a gap below the anchor's last id pushes one out. The
  holder of the database cannot find another history with the same Dn (SHA-256).
* Sequential rather than a Merkle tree: the verifier has the whole table and reads it in
  one pass anyway; a tree's advantage, short proofs that one row is included, has no
  reader here. The sequential fold streams in constant memory and every prefix digest is
  a resumable state (`HistoryDigest(start=..., rows=...)`): one pass checks several
  anchors, and a later anchor can be checked from an earlier trusted one.

How `kam audit verify --anchor LINE` uses it: `parse_anchor(LINE)` (a malformed line is
refused saying what was expected), then, in the same read transaction as the usual chain
check, stream ``SELECT hash FROM events ORDER BY id LIMIT :rows`` into
`check_anchor(anchor, hashes, database_id=...)`. The anchor check trusts each stored
``hash`` to describe its row; the chain check, which recomputes every ``hash`` from the
row's content, is what makes that so, so both must pass for the history to hold.

For the prefix to be stable, every row with an id below the anchored rows must have been
committed when the anchor was taken: on SQLite the single writer guarantees it; on
PostgreSQL `kam audit anchor` takes ``LOCK TABLE events IN SHARE MODE`` (it waits for the
writers in flight and blocks new ones for the moment it takes to count and fold), and the
id sequence must not be cached per session (the default ``CACHE 1``), so that every row
written later gets a higher id. A copy made by `kam import` keeps the anchors only if it
keeps the rows' order; ``db=`` names the database an anchor belongs to, so checking it
against another one is refused as such rather than reported as a rewrite.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import re
import shlex
import stat
import struct
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

from workflow.errors import InvalidInput
from workflow.i18n import Text, t
from workflow.values.writing import path_text

__all__ = [
    "ANCHOR_VERSION",
    "HISTORY_GENESIS",
    "STATEMENT_VERSION",
    "Anchor",
    "HistoryDigest",
    "PrivateKey",
    "PublicKey",
    "RegisteredKey",
    "SignatureProblem",
    "SignedSignoff",
    "anchor_line",
    "check_anchor",
    "fingerprint",
    "history_digest",
    "key_at",
    "key_file_warning",
    "load_private_key",
    "load_public_key",
    "parse_anchor",
    "public_key_text",
    "read_public_key",
    "sign",
    "signoff_problem",
    "statement",
    "verify",
]

ED25519 = "ssh-ed25519"
# A public key line is ~100 characters; a private key file ~400 bytes (a 16384-bit RSA one,
# the largest anyone makes, ~13 KiB). Anything far larger is not a key: refuse before parsing.
PUBLIC_KEY_LIMIT = 16 * 1024
PRIVATE_KEY_LIMIT = 64 * 1024

# Key types that are not Ed25519, named as people know them.
_OTHER_KEY_TYPES: dict[str, Text] = {
    "ssh-rsa": t("RSA", "RSA"),
    "rsa-sha2-256": t("RSA", "RSA"),
    "rsa-sha2-512": t("RSA", "RSA"),
    "ssh-dss": t("DSA", "DSA"),
    "ecdsa-sha2-nistp256": t("ECDSA", "ECDSA"),
    "ecdsa-sha2-nistp384": t("ECDSA", "ECDSA"),
    "ecdsa-sha2-nistp521": t("ECDSA", "ECDSA"),
    "sk-ecdsa-sha2-nistp256@openssh.com": t("FIDO 硬件 ECDSA", "FIDO security-key ECDSA"),
    "sk-ssh-ed25519@openssh.com": t(
        "FIDO 硬件 Ed25519（只能在设备上签名）", "FIDO security-key Ed25519 (signs only on the device)"
    ),
    "ssh-ed448": t("Ed448", "Ed448"),
}
_CERT_SUFFIX = "-cert-v01@openssh.com"


# ---------------------------------------------------------------------------------------------
# Keys


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key: its 32 bytes, and the comment of the line it came from (not compared)."""

    raw: bytes
    comment: str = field(default="", compare=False)

    @cached_property
    def key(self) -> ed25519.Ed25519PublicKey:
        # Built once per object: `kam audit verify` checks thousands of signatures with a few keys.
        return ed25519.Ed25519PublicKey.from_public_bytes(self.raw)

    @cached_property
    def _fingerprint(self) -> str:
        blob = base64.b64decode(public_key_text(self).split()[1])
        return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class PrivateKey:
    """An Ed25519 private key opened from `source` (the file, for messages)."""

    key: ed25519.Ed25519PrivateKey = field(repr=False)
    source: str

    @property
    def public(self) -> PublicKey:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return PublicKey(raw)


def _json(value: object) -> str:
    """A value of a statement or an anchor as JSON writes it (`true`, `null`, `"17"`), never Python's repr."""
    return json.dumps(value, ensure_ascii=False, default=str)


def public_key_text(key: PublicKey) -> str:
    """The canonical OpenSSH form to store: ``ssh-ed25519 <base64>``, without the comment."""
    return key.key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode("ascii")


def fingerprint(public_key: PublicKey) -> str:
    """``SHA256:`` and the unpadded base64 of the key's wire blob, exactly as ``ssh-keygen -lf`` prints it."""
    return public_key._fingerprint


def load_public_key(text: str, source: str) -> PublicKey:
    """Read one OpenSSH public key line (``ssh-ed25519 AAAA… comment``) from `text`, read from `source`.

    Blank lines and ``#`` comment lines are skipped, so a file with one key and remarks is
    fine; a file with two keys is refused (which one would the reviewer mean?).
    """
    if len(text) > PUBLIC_KEY_LIMIT:
        raise InvalidInput(
            t(
                f"{source} 有 {len(text)} 个字符，公钥只有一行（上限 "
                f"{PUBLIC_KEY_LIMIT}）：请给出 ssh-keygen 生成的 .pub 文件",
                f"{source} has {len(text)} characters, a public key is one line (limit {PUBLIC_KEY_LIMIT}): "
                "give the .pub file that ssh-keygen wrote",
            )
        )
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise InvalidInput(
            t(
                f"公钥文件 {source} 是空的：请给出 ssh-keygen -t ed25519 生成的 .pub 文件",
                f"public key file {source} is empty: give the .pub file that ssh-keygen -t ed25519 wrote",
            )
        )
    first = lines[0]
    if _is_private_key_text(first):
        raise InvalidInput(
            t(
                f"{source} 是私钥，不是公钥：请给出同名的 .pub "
                "文件（私钥只留在你自己手里，不交给任何人，也不交给 kam）",
                f"{source} is a private key, not a public key: give the matching .pub file "
                "(a private key stays with you: never hand it to anyone, kam included)",
            )
        )
    if first.startswith("---- BEGIN SSH2 PUBLIC KEY"):
        quoted = shlex.quote(source)
        raise InvalidInput(
            t(
                f"{source} 是 RFC 4716（SSH2）格式的公钥：先用 ssh-keygen -i -f {quoted} 转成 OpenSSH 格式再登记",
                f"{source} is an RFC 4716 (SSH2) public key: convert "
                f"it with ssh-keygen -i -f {quoted} and register that",
            )
        )
    if first.startswith("-----BEGIN") and "PUBLIC KEY" in first:
        quoted = shlex.quote(source)
        raise InvalidInput(
            t(
                f"{source} 是 PEM 格式的公钥：先用 ssh-keygen -i -m PKCS8 -f {quoted} 转成 OpenSSH 格式再登记",
                f"{source} is a PEM public key: convert it with ssh-keygen -i -m PKCS8 -f {quoted} and register that",
            )
        )
    if len(lines) > 1:
        raise _malformed_public(
            source,
            t(f"文件里有 {len(lines)} 行密钥，只能放一把", f"the file has {len(lines)} key lines; put one key in it"),
        )
    fields = first.split(None, 2)
    key_type = fields[0]
    if key_type.endswith(_CERT_SUFFIX):
        raise InvalidInput(
            t(
                f"{source} 是 OpenSSH 证书，不是公钥：请给出密钥本身的 .pub 文件（不是 -cert.pub）",
                f"{source} is an OpenSSH certificate, not a public key: "
                "give the key's own .pub file (not the -cert.pub)",
            )
        )
    if key_type in _OTHER_KEY_TYPES:
        raise _not_ed25519(source, _OTHER_KEY_TYPES[key_type])
    if key_type != ED25519:
        raise _malformed_public(
            source,
            t(f"开头是 {_shown(key_type)}，不是 ssh-ed25519", f"it starts with {_shown(key_type)}, not ssh-ed25519"),
        )
    if len(fields) < 2:
        raise _malformed_public(source, t("ssh-ed25519 后面没有密钥数据", "there is no key data after ssh-ed25519"))
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII character
        raise _malformed_public(source, t("密钥数据不是有效的 base64", "the key data is not valid base64")) from None
    try:
        inner_type, offset = _read_string(blob, 0)
        raw, offset = _read_string(blob, offset)
    except ValueError:
        raise _malformed_public(source, t("密钥数据不完整或已损坏", "the key data is cut short or damaged")) from None
    if inner_type != ED25519.encode():
        inner = _shown(inner_type.decode("ascii", "replace"))
        raise _malformed_public(
            source,
            t(
                f"行首写的是 ssh-ed25519，密钥数据里却是 {inner}",
                f"the line says ssh-ed25519 but the key inside is {inner}",
            ),
        )
    if len(raw) != 32 or offset != len(blob):
        raise _malformed_public(source, t("密钥数据不完整或已损坏", "the key data is cut short or damaged"))
    comment = fields[2] if len(fields) == 3 else ""
    # The comment is shown (kam user list, the PDF), never signed or compared: drop what would not print.
    comment = "".join(c for c in comment if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    return PublicKey(raw, comment)


def read_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """Read and load the public key file at `path` (as `kam user key NAME --public-key FILE` is given)."""
    data = _read_key_file(path, _PUBLIC_FILE, PUBLIC_KEY_LIMIT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed_public(str(path), t("不是 UTF-8 文本", "it is not UTF-8 text")) from None
    return load_public_key(text, str(path))


def key_file_warning(path: str | os.PathLike[str]) -> Text | None:
    """A warning, like ssh's "UNPROTECTED PRIVATE KEY FILE!", when group or others may access the key file.

    ssh refuses such a key; kam warns and goes on (the reviewer is at the keyboard and the
    fix is one command), and says which command. A missing file, a folder or one that
    cannot be examined is refused naming the file.
    """
    named = path_text(path)  # as a message names it
    status = _stat_key_file(path, _PRIVATE_FILE)
    if os.name == "nt":  # Windows has ACLs, not mode bits: the mode says nothing there
        return None
    mode = stat.S_IMODE(status.st_mode)
    if not mode & 0o077:
        return None
    quoted = shlex.quote(str(path))
    return t(
        f"警告：私钥文件未受保护！{named} 的权限 {mode:04o} "
        f"过于开放（同组或其他用户可以访问）：运行 chmod 600 {quoted}，只让你自己能读",
        f"WARNING: UNPROTECTED PRIVATE KEY FILE! Permissions {mode:04o} for {named} are too open "
        f"(group or others can access it): run chmod 600 {quoted} so that only you can read it",
    )


def load_private_key(path: str | os.PathLike[str], ask_passphrase: Callable[[], str] | None) -> PrivateKey:
    """Open the Ed25519 private key file at `path`, asking `ask_passphrase()` only if it is encrypted.

    The caller's `ask_passphrase` prompts without echo (``click.prompt(hide_input=True)``)
    and is None where nobody can answer (no terminal): an encrypted key is then refused.
    It is asked once; a wrong passphrase is refused and the command can be run again.
    The key type of an OpenSSH file is read before asking, so an RSA key is refused
    without making anyone type a passphrase for nothing.
    """
    source = str(path)
    data = _read_key_file(path, _PRIVATE_FILE, PRIVATE_KEY_LIMIT).removeprefix(b"\xef\xbb\xbf")
    text = data.decode("ascii", "replace")
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(
            t(
                f"私钥文件 {source} 是空的：请给出 ssh-keygen -t ed25519 生成的私钥文件",
                f"private key file {source} is empty: give the private key file that ssh-keygen -t ed25519 wrote",
            )
        )
    first = stripped.split(None, 1)[0]
    if first == ED25519 or first in _OTHER_KEY_TYPES or first.endswith(_CERT_SUFFIX):
        raise InvalidInput(
            t(
                f"{source} 是公钥，不是私钥：签名要用私钥文件（通常是同名但没有 .pub 的那个文件）",
                f"{source} is a public key, not a private key: sign with the private key file "
                "(usually the one of the same name without .pub)",
            )
        )
    if stripped.startswith("PuTTY-User-Key-File-"):
        raise InvalidInput(
            t(
                f"{source} 是 PuTTY 密钥：用 PuTTYgen 的 Conversions → Export OpenSSH key 导出为 OpenSSH 格式再用",
                f"{source} is a PuTTY key: export it with PuTTYgen "
                "(Conversions → Export OpenSSH key) and use that file",
            )
        )
    match = _PEM_BEGIN.search(text)
    if match is None:
        raise _malformed_private(
            source,
            t("没有 -----BEGIN … PRIVATE KEY----- 开头的内容", "there is no -----BEGIN … PRIVATE KEY----- block in it"),
        )
    label = match.group(1)
    if label in _PEM_OTHER_PRIVATE:
        raise _not_ed25519(source, _PEM_OTHER_PRIVATE[label])
    key: object
    if label == "OPENSSH PRIVATE KEY":
        cipher, key_type = _openssh_header(source, text[match.start() :])
        if key_type != ED25519:
            raise _not_ed25519(source, _OTHER_KEY_TYPES.get(key_type, t(key_type, key_type)))
        password = _passphrase(source, ask_passphrase) if cipher != "none" else None
        try:
            key = serialization.load_ssh_private_key(data, password=password)
        except UnsupportedAlgorithm:
            raise _unsupported_cipher(source, cipher) from None
        except (ValueError, TypeError):
            if password is not None:
                raise _wrong_passphrase(source) from None
            raise _malformed_private(source, t("密钥数据已损坏", "the key data is damaged")) from None
    elif label in ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"):
        password = _passphrase(source, ask_passphrase) if label == "ENCRYPTED PRIVATE KEY" else None
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except UnsupportedAlgorithm:
            raise _unsupported_cipher(source, "PKCS#8") from None
        except (ValueError, TypeError):
            if password is not None:
                raise _wrong_passphrase(source) from None
            raise _malformed_private(source, t("PEM 数据已损坏", "the PEM data is damaged")) from None
    else:
        raise _malformed_private(
            source, t(f"里面是 PEM 的 {label}，不是私钥", f"it holds a PEM {label}, not a private key")
        )
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise _not_ed25519(source, _private_key_kind(key))
    return PrivateKey(key, source)


# ---------------------------------------------------------------------------------------------
# Statements and signatures

STATEMENT_VERSION = "kam-signoff-v1"
DECISIONS = ("approve", "reject")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def statement(
    *,
    opportunity_id: int,
    contract_no: str | None = None,
    review_version: int,
    review_sha256: str,
    department: str,
    reviewer: str,
    decision: str,
    comment: str | None,
    at: dt.datetime,
    version: str = STATEMENT_VERSION,
) -> bytes:
    """The bytes a sign-off signs, rebuilt identically from the stored row by `kam audit verify`.

    ``version`` + a newline, then canonical JSON of every field: sorted keys, no
    whitespace, UTF-8; a missing contract number or comment is "" (so NULL and "" in a
    row rebuild the same bytes); `at` is ISO 8601 UTC with microseconds (a naive time is
    UTC, as kam stores it). Store exactly the `at` that was signed, and the version.
    """
    if version != STATEMENT_VERSION:
        raise InvalidInput(
            t(
                f"签名格式 {version!r} 不被此版本 kam 识别（只认 {STATEMENT_VERSION}）：升级 kam",
                f"statement format {version!r} is not known to this kam (it knows {STATEMENT_VERSION}): upgrade kam",
            )
        )
    for name, number in (("opportunity_id", opportunity_id), ("review_version", review_version)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise InvalidInput(
                t(
                    f"签名内容：{name} 须为正整数，收到 {_json(number)}",
                    f"statement: {name} must be a positive whole number, got {_json(number)}",
                )
            )
    if not isinstance(review_sha256, str) or not _SHA256_HEX.fullmatch(review_sha256):
        raise InvalidInput(
            t(
                f"签名内容：review_sha256 须为 64 位小写十六进制，收到 {review_sha256!r}",
                f"statement: review_sha256 must be 64 lowercase hex digits, got {review_sha256!r}",
            )
        )
    for name, value in (("department", department), ("reviewer", reviewer)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(t(f"签名内容：{name} 不能为空", f"statement: {name} must not be empty"))
    if decision not in DECISIONS:
        raise InvalidInput(
            t(
                f"签名内容：decision 须为 approve 或 reject，收到 {decision!r}",
                f"statement: decision must be approve or reject, got {decision!r}",
            )
        )
    for name, text in (("contract_no", contract_no), ("comment", comment)):
        if text is not None and not isinstance(text, str):
            raise InvalidInput(
                t(f"签名内容：{name} 须为文本，收到 {text!r}", f"statement: {name} must be text, got {text!r}")
            )
    if not isinstance(at, dt.datetime):
        raise InvalidInput(
            t(f"签名内容：at 须为时间，收到 {at!r}", f"statement: at must be a date and time, got {at!r}")
        )
    body = {
        "at": _utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "comment": comment or "",
        "contract_no": contract_no or "",
        "decision": decision,
        "department": department,
        "opportunity_id": opportunity_id,
        "review_sha256": review_sha256,
        "review_version": review_version,
        "reviewer": reviewer,
    }
    text = version + "\n" + json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a badly decoded file
        raise InvalidInput(
            t("签名内容含有无法编码为 UTF-8 的字符", "the statement holds a character that cannot be written as UTF-8")
        ) from None


def sign(private_key: PrivateKey, statement: bytes) -> str:
    """The Ed25519 signature of `statement`, base64 (88 characters) for a text column."""
    return base64.b64encode(private_key.key.sign(statement)).decode("ascii")


def verify(public_key: PublicKey, statement: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `public_key`'s over `statement`; False, never an exception, for anything else."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError):
        return False
    if len(raw) != 64:
        return False
    try:
        public_key.key.verify(raw, statement)
    except InvalidSignature:
        return False
    return True


class RegisteredKey(NamedTuple):
    """A reviewer's key as the roster holds it: valid from `valid_from` until `valid_until` (exclusive; None: still)."""

    public_key: PublicKey
    valid_from: dt.datetime
    valid_until: dt.datetime | None = None


def key_at(keys: Iterable[RegisteredKey], at: dt.datetime) -> RegisteredKey | None:
    """The key that was valid at `at` (the newest, if a bad edit left two), or None."""
    moment = _utc(at)
    valid = [
        k for k in keys if _utc(k.valid_from) <= moment and (k.valid_until is None or moment < _utc(k.valid_until))
    ]
    return max(valid, key=lambda k: _utc(k.valid_from)) if valid else None


class SignedSignoff(NamedTuple):
    """A signed sign-off as stored: the statement's fields, and what the signature columns hold."""

    opportunity_id: int
    contract_no: str | None
    review_version: int
    review_sha256: str  # of the contract review as signed
    department: str
    reviewer: str
    decision: str
    comment: str | None
    at: dt.datetime
    signature: str
    statement_version: str
    key_fingerprint: str  # the key that signed, as stored on the row (the PDF prints it)


class SignatureProblem(NamedTuple):
    """What `kam audit verify` reports for one sign-off: a stable code and a message.

    Codes: ``signature-format`` (a statement version this kam does not know),
    ``signature-key`` (no key, or another key than the registered one, at that time),
    ``signature`` (it does not verify: the row changed after signing, or was forged),
    ``signed-document`` (the contract review no longer is the one that was signed).
    """

    code: str
    message: Text


def signoff_problem(
    signoff: SignedSignoff,
    keys: Sequence[RegisteredKey],
    document_sha256: str | None,
    department_label: Text | None = None,
) -> SignatureProblem | None:
    """Check one signed sign-off against the reviewer's `keys` and the contract review's sha256 now.

    `document_sha256` is recomputed from the document's data by the caller (None when the
    version is gone). The statement is rebuilt from the row, so a changed row fails the
    signature, and the signed sha256 is compared with the document, so a changed document
    is named as such rather than as a bad signature.
    """
    s = signoff
    dept = department_label or t(s.department, s.department)
    who = t(
        f"商机 {s.opportunity_id} {dept.zh}的会签（{s.reviewer}，合同审核表 v{s.review_version}）",
        f"opportunity {s.opportunity_id}: the {dept.en} sign-off "
        f"by {s.reviewer} on contract review v{s.review_version}",
    )
    if s.statement_version != STATEMENT_VERSION:
        return SignatureProblem(
            "signature-format",
            t(
                f"{who.zh}的签名格式 {s.statement_version!r} 不被此版本 kam 识别：升级 kam 后再核对",
                f"{who.en} is signed in format {s.statement_version!r}, "
                "which this kam does not know: upgrade kam and verify again",
            ),
        )
    when = _utc(s.at).strftime("%Y-%m-%d %H:%M:%S UTC")
    key = key_at(keys, s.at)
    if key is None:
        return SignatureProblem(
            "signature-key",
            t(
                f"{who.zh}：{s.reviewer} 在 {when} 没有登记的公钥，签名无从核对：公钥登记被删改，或此会签是伪造的",
                f"{who.en}: {s.reviewer} had no registered key at {when}, so the signature cannot be checked: "
                "the key register was altered, or the sign-off is forged",
            ),
        )
    registered = fingerprint(key.public_key)
    if s.key_fingerprint != registered:
        return SignatureProblem(
            "signature-key",
            t(
                f"{who.zh}：记录的签名公钥 {s.key_fingerprint} 不是 {s.reviewer} 在 {when} 登记的公钥 {registered}",
                f"{who.en}: it names key {s.key_fingerprint}, but the key "
                f"{s.reviewer} had registered at {when} is {registered}",
            ),
        )
    try:
        signed = statement(
            opportunity_id=s.opportunity_id,
            contract_no=s.contract_no,
            review_version=s.review_version,
            review_sha256=s.review_sha256,
            department=s.department,
            reviewer=s.reviewer,
            decision=s.decision,
            comment=s.comment,
            at=s.at,
            version=s.statement_version,
        )
    except InvalidInput:
        signed = None  # a row no honest kam wrote (a malformed sha256, an unknown decision): it cannot verify
    if signed is None or not verify(key.public_key, signed, s.signature):
        return SignatureProblem(
            "signature",
            t(
                f"{who.zh}：签名与公钥 {registered} 不符：会签记录在签名后被改过，或是伪造的",
                f"{who.en}: the signature does not verify against key "
                f"{registered}: the row was changed after signing, or forged",
            ),
        )
    if document_sha256 is None:
        return SignatureProblem(
            "signed-document",
            t(
                f"{who.zh}：所签的合同审核表 v{s.review_version} 已不存在",
                f"{who.en}: the contract review v{s.review_version} it signed is gone",
            ),
        )
    if document_sha256 != s.review_sha256:
        return SignatureProblem(
            "signed-document",
            t(
                f"{who.zh}：签名针对的合同审核表 v{s.review_version}（sha256 "
                f"{s.review_sha256[:12]}…）与现存的（{document_sha256[:12]}…）不符："
                "文档在会签后被改过",
                f"{who.en}: the signed contract review v{s.review_version} "
                f"(sha256 {s.review_sha256[:12]}…) is not the one "
                f"stored now ({document_sha256[:12]}…): the document was changed after the sign-off",
            ),
        )
    return None


# ---------------------------------------------------------------------------------------------
# The anchor

ANCHOR_VERSION = 1
HISTORY_GENESIS = hashlib.sha256(b"kam-anchor-v1\n").hexdigest()
_ANCHOR_EXPECTED = t(
    "kam-anchor v1 <UTC 时间，如 2026-12-01T10:00:00Z> rows=<历史行数> head=<64 位十六进制> [db=<数据库标识>]",
    "kam-anchor v1 <UTC time, e.g. 2026-12-01T10:00:00Z> rows=<history rows> head=<64 hex digits> [db=<database id>]",
)
_ANCHOR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATABASE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class HistoryDigest:
    """The running digest of history rows in insertion order: ``D(i) = sha256(D(i-1) || hash_i)``.

    One object folds a stream once; `hexdigest()` at any count is that prefix's digest, so
    one pass can check several anchors, and `start`/`rows` resume from a trusted anchor.
    """

    __slots__ = ("_state", "rows")

    def __init__(self, start: str = HISTORY_GENESIS, rows: int = 0) -> None:
        self._state = bytes.fromhex(start)
        self.rows = rows

    def update(self, event_hash: str) -> None:
        try:
            value = bytes.fromhex(event_hash)
        except (ValueError, TypeError):
            value = b""
        if len(value) != 32:
            shown = _shown(event_hash) if isinstance(event_hash, str) else _json(event_hash)
            raise InvalidInput(
                t(
                    f"第 {self.rows + 1} 行历史的 hash {shown} 不是 64 位十六进制：运行 kam audit verify 查看",
                    f"history row {self.rows + 1} has hash {shown}, not 64 hex digits: see kam audit verify",
                )
            )
        self._state = hashlib.sha256(self._state + value).digest()
        self.rows += 1

    def hexdigest(self) -> str:
        return self._state.hex()


def history_digest(event_hashes: Iterable[str]) -> str:
    """The anchor digest of the history rows' hashes, given in insertion (id) order."""
    digest = HistoryDigest()
    for event_hash in event_hashes:
        digest.update(event_hash)
    return digest.hexdigest()


class Anchor(NamedTuple):
    """A parsed anchor line: when it was taken, how many history rows it covers, their digest, the database."""

    at: dt.datetime  # aware, UTC, whole seconds
    rows: int
    head: str
    database_id: str | None = None

    def line(self) -> str:
        return anchor_line(self.head, self.rows, self.at, self.database_id)


def anchor_line(head_hash: str, rows: int, at: dt.datetime, database_id: str | None = None) -> str:
    """The one line `kam audit anchor` prints: ``kam-anchor v1 <at> rows=<rows> head=<digest> [db=<id>]``.

    `head_hash` is `history_digest` over the first `rows` history rows; `at` is shown to
    the second, in UTC (a naive time is UTC).
    """
    if not isinstance(head_hash, str) or not _SHA256_HEX.fullmatch(head_hash):
        raise InvalidInput(
            t(
                f"锚点：head 须为 64 位小写十六进制，收到 {head_hash!r}",
                f"anchor: head must be 64 lowercase hex digits, got {head_hash!r}",
            )
        )
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise InvalidInput(
            t(
                f"锚点：rows 须为非负整数，收到 {_json(rows)}",
                f"anchor: rows must be a whole number ≥ 0, got {_json(rows)}",
            )
        )
    if database_id is not None and not _DATABASE_ID.fullmatch(database_id):
        raise InvalidInput(
            t(
                f"锚点：数据库标识须为 1–64 个字母、数字或 . _ -，收到 {database_id!r}",
                f"anchor: the database id must be 1-64 letters, digits or . _ -, got {database_id!r}",
            )
        )
    line = f"kam-anchor v{ANCHOR_VERSION} {_utc(at).strftime('%Y-%m-%dT%H:%M:%SZ')} rows={rows} head={head_hash}"
    return line + (f" db={database_id}" if database_id is not None else "")


def parse_anchor(line: str) -> Anchor:
    """Read an anchor line as `anchor_line` printed it (pasted back: surrounding spaces or quotes are fine)."""
    tokens = line.strip().strip("`'\"").split()
    if not tokens:
        raise _bad_anchor(t("这一行是空的", "the line is empty"))
    if tokens[0] != "kam-anchor":
        raise _bad_anchor(
            t(f"开头是 {_shown(tokens[0])}，不是 kam-anchor", f"it starts with {_shown(tokens[0])}, not kam-anchor")
        )
    if len(tokens) < 2:
        raise _bad_anchor(t("kam-anchor 后面缺少版本 v1", "the version v1 is missing after kam-anchor"))
    version = re.fullmatch(r"v(\d{1,9})", tokens[1])
    if version is None:
        raise _bad_anchor(
            t(f"{_shown(tokens[1])} 不是版本号（应为 v1）", f"{_shown(tokens[1])} is not a version (expected v1)")
        )
    if int(version.group(1)) != ANCHOR_VERSION:
        raise InvalidInput(
            t(
                f"锚点版本 {tokens[1]} 不被此版本 kam 识别（只认 "
                f"v{ANCHOR_VERSION}）：用打印它的那个版本的 kam 核对，或升级 kam",
                f"anchor version {tokens[1]} is not known to this kam (it knows v{ANCHOR_VERSION}): "
                "verify with the kam that printed it, or upgrade kam",
            )
        )
    if len(tokens) < 3:
        raise _bad_anchor(t("缺少时间", "the time is missing"))
    at = None
    if _ANCHOR_TIME.fullmatch(tokens[2]):
        try:
            at = dt.datetime.strptime(tokens[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            at = None
    if at is None:
        raise _bad_anchor(
            t(
                f"{_shown(tokens[2])} 不是 UTC 时间（如 2026-12-01T10:00:00Z）",
                f"{_shown(tokens[2])} is not a UTC time like 2026-12-01T10:00:00Z",
            )
        )
    if len(tokens) < 4:
        raise _bad_anchor(t("缺少 rows=<历史行数>", "rows=<history rows> is missing"))
    rows = re.fullmatch(r"rows=(\d{1,18})", tokens[3])
    if rows is None:
        raise _bad_anchor(
            t(f"{_shown(tokens[3])} 不是 rows=<历史行数>", f"{_shown(tokens[3])} is not rows=<history rows>")
        )
    if len(tokens) < 5:
        raise _bad_anchor(t("缺少 head=<64 位十六进制>", "head=<64 hex digits> is missing"))
    head = re.fullmatch(r"head=([0-9a-fA-F]{64})", tokens[4])
    if head is None:
        raise _bad_anchor(
            t(f"{_shown(tokens[4])} 不是 head=<64 位十六进制>", f"{_shown(tokens[4])} is not head=<64 hex digits>")
        )
    database_id = None
    rest = tokens[5:]
    if rest and rest[0].startswith("db="):
        if not _DATABASE_ID.fullmatch(rest[0][3:]):
            raise _bad_anchor(
                t(f"{_shown(rest[0])} 不是 db=<数据库标识>", f"{_shown(rest[0])} is not db=<database id>")
            )
        database_id = rest[0][3:]
        rest = rest[1:]
    if rest:
        raise _bad_anchor(t(f"末尾多出了 {_shown(rest[0])}", f"there is an unexpected {_shown(rest[0])} at the end"))
    return Anchor(at, int(rows.group(1)), head.group(1).lower(), database_id)


def check_anchor(anchor: Anchor, event_hashes: Iterable[str], *, database_id: str | None = None) -> Text | None:
    """Whether the history still holds the anchored rows: None if so, else what is wrong.

    `event_hashes` are the stored ``hash`` of the history rows in id order (more than
    `anchor.rows` is fine: the rest is not read); `database_id` is this database's.
    """
    when = anchor.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if anchor.database_id is not None and anchor.database_id != database_id:
        return t(
            f"锚点（{when}）属于数据库 {anchor.database_id}，当前数据库是 {database_id or '（无标识）'}："
            "检查 --db 或 KAM_DATABASE_URL 是否指向正确的数据库",
            f"the anchor of {when} is for database {anchor.database_id}, this database is {database_id or '(none)'}: "
            "check that --db or KAM_DATABASE_URL names the right database",
        )
    digest = HistoryDigest()
    if anchor.rows:
        for event_hash in event_hashes:
            digest.update(event_hash)
            if digest.rows == anchor.rows:
                break
    if digest.rows < anchor.rows:
        return t(
            f"历史只有 {digest.rows} 行，而锚点（{when}）记录了 {anchor.rows} 行：锚点之前的历史被删除了，请与备份核对",
            f"the history has {digest.rows} rows, the anchor of {when} covers {anchor.rows}: "
            "history up to the anchor was deleted; compare with a backup",
        )
    if digest.hexdigest() != anchor.head:
        return t(
            f"前 {anchor.rows} 行历史的摘要与锚点（{when}）"
            "不符：锚点之前的历史被改写过（行被修改、删除或插入），请与备份核对",
            f"the first {anchor.rows} history rows no longer give the digest of the anchor of {when}: "
            "history up to the anchor was rewritten (rows changed, removed or inserted); compare with a backup",
        )
    return None


# ---------------------------------------------------------------------------------------------
# Helpers

_PUBLIC_FILE = (t("公钥文件", "public key file"), "~/.ssh/id_ed25519.pub")
_PRIVATE_FILE = (t("私钥文件", "private key file"), "~/.ssh/id_ed25519")
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 #]+)-----")
_PEM_OTHER_PRIVATE: dict[str, Text] = {
    "RSA PRIVATE KEY": t("RSA", "RSA"),
    "EC PRIVATE KEY": t("ECDSA", "ECDSA"),
    "DSA PRIVATE KEY": t("DSA", "DSA"),
}
_OPENSSH_MAGIC = b"openssh-key-v1\0"


def _stat_key_file(path: str | os.PathLike[str], kind: tuple[Text, str]) -> os.stat_result:
    named = path_text(path)  # as a message names it
    what, example = kind
    try:
        status = Path(path).expanduser().stat()
    except FileNotFoundError:
        raise InvalidInput(
            t(
                f"找不到{what.zh} {named}：请给出 ssh-keygen 生成的文件（如 {example}）",
                f"{what.en} {named} not found: give the file ssh-keygen wrote (e.g. {example})",
            )
        ) from None
    except OSError as exc:
        raise InvalidInput(
            t(f"无法读取{what.zh} {named}：{exc.strerror}", f"cannot read {what.en} {named}: {exc.strerror}")
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise InvalidInput(
            t(
                f"{named} 是一个目录，不是{what.zh}：请给出文件本身（如 {example}）",
                f"{named} is a folder, not a {what.en}: give the file itself (e.g. {example})",
            )
        )
    return status


def _read_key_file(path: str | os.PathLike[str], kind: tuple[Text, str], limit: int) -> bytes:
    named = path_text(path)  # as a message names it
    what, _ = kind
    _stat_key_file(path, kind)
    try:
        with Path(path).expanduser().open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InvalidInput(
            t(
                f"无法读取{what.zh} {named}：{exc.strerror}：检查它是否属于你（ls -l {shlex.quote(str(path))}）",
                f"cannot read {what.en} {named}: {exc.strerror}: check "
                f"that it is yours (ls -l {shlex.quote(str(path))})",
            )
        ) from None
    if len(data) > limit:
        raise InvalidInput(
            t(
                f"{named} 超过 {limit // 1024} KiB，不是{what.zh}：请给出 ssh-keygen 生成的文件",
                f"{named} is larger than {limit // 1024} KiB, so it is not a {what.en}: give the file ssh-keygen wrote",
            )
        )
    return data


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    """One SSH wire-format string (uint32 length, then the bytes) at `offset`; ValueError when cut short."""
    if offset + 4 > len(blob):
        raise ValueError("cut short")
    (length,) = struct.unpack_from(">I", blob, offset)
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("cut short")
    return blob[offset + 4 : end], end


def _openssh_header(source: str, text: str) -> tuple[str, str]:
    """The cipher and the key type of an OpenSSH private key file, read without decrypting it."""
    body, found_end = [], False
    for line in text.splitlines()[1:]:
        if line.strip().startswith("-----END OPENSSH PRIVATE KEY-----"):
            found_end = True
            break
        body.append(line.strip())
    if not found_end:
        raise _malformed_private(
            source,
            t(
                "缺少 -----END OPENSSH PRIVATE KEY----- 结尾（文件被截断了？）",
                "the -----END OPENSSH PRIVATE KEY----- line is missing (is the file cut short?)",
            ),
        )
    try:
        blob = base64.b64decode("".join(body), validate=True)
        if not blob.startswith(_OPENSSH_MAGIC):
            raise ValueError("magic")
        cipher, offset = _read_string(blob, len(_OPENSSH_MAGIC))
        _kdf, offset = _read_string(blob, offset)
        _kdf_options, offset = _read_string(blob, offset)
        if offset + 4 > len(blob) or struct.unpack_from(">I", blob, offset)[0] != 1:
            raise ValueError("one key")
        public_blob, _ = _read_string(blob, offset + 4)
        key_type, _ = _read_string(public_blob, 0)
        return cipher.decode("ascii"), key_type.decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _malformed_private(source, t("OpenSSH 私钥数据已损坏", "the OpenSSH key data is damaged")) from None


def _passphrase(source: str, ask_passphrase: Callable[[], str] | None) -> bytes:
    if ask_passphrase is None:
        raise InvalidInput(
            t(
                f"私钥 {source} 有口令保护，但这里无法询问口令（没有终端）：请在终端里运行",
                f"private key {source} is protected by a passphrase, but there "
                "is no terminal to ask for it: run the command in a terminal",
            )
        )
    answer = ask_passphrase()
    return answer if isinstance(answer, bytes) else answer.encode("utf-8")


def _wrong_passphrase(source: str) -> InvalidInput:
    return InvalidInput(
        t(
            f"私钥 {source} 的口令不对：请重新运行，输入生成这把密钥时设置的口令",
            f"wrong passphrase for private key {source}: run the command "
            "again and type the passphrase the key was made with",
        )
    )


def _unsupported_cipher(source: str, cipher: str) -> InvalidInput:
    # Found only once the passphrase is given (the cipher list is the library's, not ours to copy);
    # aes256-ctr, ssh-keygen's default, is one every version of cryptography reads.
    quoted = shlex.quote(source)
    return InvalidInput(
        t(
            f"私钥 {source} 的加密方式 {cipher} 无法读取：用 ssh-keygen "
            f"-p -Z aes256-ctr -f {quoted} 换成 aes256-ctr 后再用",
            f"private key {source} is encrypted with {cipher}, which kam cannot read: "
            f"re-encrypt it with ssh-keygen -p -Z aes256-ctr -f {quoted} and use it again",
        )
    )


def _not_ed25519(source: str, kind: Text) -> InvalidInput:
    return InvalidInput(
        t(
            f"{source} 是 {kind.zh} 密钥，不是普通的 Ed25519 密钥：kam "
            "只用 Ed25519 密钥签名：用 ssh-keygen -t ed25519 生成一把，"
            "再用 kam user key 登记",
            f"{source} holds a key of type {kind.en}, not a plain Ed25519 key: kam signs only with Ed25519 keys: "
            "make one with ssh-keygen -t ed25519 and register it with kam user key",
        )
    )


def _malformed_public(source: str, detail: Text) -> InvalidInput:
    return InvalidInput(
        t(
            f"{source} 不是 OpenSSH 公钥（{detail.zh}）：应为一行 “ssh-ed25519 "
            "AAAA… 注释”，即 ssh-keygen -t ed25519 生成的 .pub 文件",
            f"{source} is not an OpenSSH public key ({detail.en}): expected one line “ssh-ed25519 AAAA… comment”, "
            "the .pub file that ssh-keygen -t ed25519 wrote",
        )
    )


def _malformed_private(source: str, detail: Text) -> InvalidInput:
    return InvalidInput(
        t(
            f"{source} 不是可用的私钥（{detail.zh}）：应为 ssh-keygen -t "
            "ed25519 生成的私钥文件，或 PEM PKCS#8 格式的 Ed25519 私钥",
            f"{source} is not a usable private key ({detail.en}): expected "
            "the private key file that ssh-keygen -t ed25519 wrote, "
            "or an Ed25519 key in PEM PKCS#8",
        )
    )


def _bad_anchor(detail: Text) -> InvalidInput:
    return InvalidInput(
        t(
            f"锚点格式不对：{detail.zh}；应为 kam audit anchor 打印的那一行：{_ANCHOR_EXPECTED.zh}",
            f"anchor line not understood: {detail.en}; expected the "
            f"line kam audit anchor prints: {_ANCHOR_EXPECTED.en}",
        )
    )


def _is_private_key_text(line: str) -> bool:
    return (line.startswith("-----BEGIN") and "PRIVATE KEY" in line) or line.startswith("PuTTY-User-Key-File-")


def _private_key_kind(key: object) -> Text:
    kinds: list[tuple[type, Text]] = [
        (rsa.RSAPrivateKey, t("RSA", "RSA")),
        (ec.EllipticCurvePrivateKey, t("ECDSA", "ECDSA")),
        (dsa.DSAPrivateKey, t("DSA", "DSA")),
        (ed448.Ed448PrivateKey, t("Ed448", "Ed448")),
        (x25519.X25519PrivateKey, t("X25519（只能用于密钥交换）", "X25519 (key exchange only)")),
        (x448.X448PrivateKey, t("X448（只能用于密钥交换）", "X448 (key exchange only)")),
    ]
    for cls, label in kinds:
        if isinstance(key, cls):
            return label
    return t(type(key).__name__, type(key).__name__)


def _shown(value: str, limit: int = 30) -> str:
    """A value quoted for a one-line message, cut short when long (a pasted key, a mangled line).

    Control characters are escaped (`\\x1b`), so a pasted line cannot drive the terminal.
    """
    cut = value if len(value) <= limit else value[:limit] + "…"
    return f"“{repr(cut)[1:-1]}”"


def _utc(at: dt.datetime) -> dt.datetime:
    """`at` as an aware UTC time; a naive one is UTC already (kam stores naive UTC)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
