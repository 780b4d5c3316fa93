"""Signed sign-offs and the history anchor (issue 13): keys as ssh-keygen makes them, statements, anchors.

Keys are made by the real ssh-keygen (and openssl, or the cryptography library for the
PKCS#8 forms) in a temporary folder; fingerprints are compared with what `ssh-keygen -lf`
prints. Every refusal is checked word for word in both languages.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed448, ed25519, rsa, x25519

from workflow.errors import InvalidInput
from workflow.i18n import Text
from workflow.rules import signatures as sig
from workflow.rules.signatures import (
    HISTORY_GENESIS,
    Anchor,
    HistoryDigest,
    PublicKey,
    RegisteredKey,
    SignedSignoff,
)

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")

PASSPHRASE = "口令 secret"  # non-ASCII on purpose: the passphrase is UTF-8, as typed in a UTF-8 terminal


def keygen(folder: Path, name: str, key_type: str, passphrase: str = "", comment: str = "", *extra: str) -> Path:
    path = folder / name
    args = ["ssh-keygen", "-q", "-t", key_type, "-N", passphrase, "-C", comment, "-f", str(path), *extra]
    subprocess.run(args, check=True, capture_output=True)
    return path


def ssh_keygen_fingerprint(path: Path) -> str:
    """The second field of `ssh-keygen -lf FILE`: ``256 SHA256:… comment (ED25519)``."""
    out = subprocess.run(["ssh-keygen", "-lf", str(path)], check=True, capture_output=True, text=True).stdout
    return out.split()[1]


@dataclass(frozen=True)
class Keys:
    folder: Path
    plain: Path  # ed25519, no passphrase, comment qian@example.com
    protected: Path  # ed25519 with PASSPHRASE, comment 钱进
    rsa: Path
    rsa_protected: Path
    rsa_pem: Path  # -----BEGIN RSA PRIVATE KEY-----
    ecdsa: Path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("keys")
    return Keys(
        folder=folder,
        plain=keygen(folder, "id_ed25519", "ed25519", "", "qian@example.com"),
        protected=keygen(folder, "protected", "ed25519", PASSPHRASE, "钱进"),
        rsa=keygen(folder, "id_rsa", "rsa", "", "", "-b", "2048"),
        rsa_protected=keygen(folder, "rsa_protected", "rsa", "pw", "", "-b", "2048"),
        rsa_pem=keygen(folder, "rsa_pem", "rsa", "", "", "-b", "2048", "-m", "PEM"),
        ecdsa=keygen(folder, "id_ecdsa", "ecdsa"),
    )


def never_asked() -> str:
    raise AssertionError("the passphrase must not be asked for")


class Asker:
    """An `ask_passphrase` that answers `answer` and counts the questions."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.answer


def refusal(call: Callable[[], object]) -> Text:
    with pytest.raises(InvalidInput) as info:
        call()
    assert info.value.__suppress_context__ or info.value.__context__ is None  # no chained traceback to show
    return info.value.message


def write(folder: Path, name: str, content: str | bytes, mode: int = 0o600) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    path.chmod(mode)
    return path


def pub_line(path: Path) -> str:
    return Path(str(path) + ".pub").read_text()


# ---------------------------------------------------------------------------------------------
# Public keys


@pytest.mark.parametrize("name", ["plain", "protected"])
def test_fingerprint_is_what_ssh_keygen_prints(keys: Keys, name: str) -> None:
    private = getattr(keys, name)
    public = sig.read_public_key(str(private) + ".pub")
    assert sig.fingerprint(public) == ssh_keygen_fingerprint(Path(str(private) + ".pub"))
    assert sig.fingerprint(public).startswith("SHA256:") and not sig.fingerprint(public).endswith("=")


def test_the_private_key_has_the_fingerprint_of_its_public_file(keys: Keys) -> None:
    key = sig.load_private_key(keys.protected, Asker(PASSPHRASE))
    assert sig.fingerprint(key.public) == ssh_keygen_fingerprint(Path(str(keys.protected) + ".pub"))
    assert key.public == sig.read_public_key(str(keys.protected) + ".pub")


def test_public_key_text_is_the_line_without_its_comment(keys: Keys) -> None:
    line = pub_line(keys.plain)
    key = sig.load_public_key(line, "id_ed25519.pub")
    assert sig.public_key_text(key) == " ".join(line.split()[:2])
    assert key.comment == "qian@example.com"
    again = sig.load_public_key(sig.public_key_text(key), "stored")
    assert again == key and again.comment == ""  # the comment is shown, never compared


def test_a_chinese_comment_is_kept_and_unprintable_characters_dropped(keys: Keys) -> None:
    assert sig.read_public_key(str(keys.protected) + ".pub").comment == "钱进"
    typed, blob = pub_line(keys.plain).split()[:2]
    assert sig.load_public_key(f"{typed} {blob} 钱\u200b进\x07 财务部", "k.pub").comment == "钱进 财务部"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda line: line,
        lambda line: line.strip(),  # no newline at the end
        lambda line: line.replace("\n", "\r\n"),
        lambda line: "\ufeff" + line,  # a BOM from a Windows editor
        lambda line: "# 钱进的签名密钥\n\n   " + line + "\n\n",
        lambda line: " ".join(line.split()[:2]),  # no comment
        lambda line: line.replace(" ", "\t", 1),
    ],
    ids=["as-written", "no-newline", "crlf", "bom", "remarks-and-blank-lines", "no-comment", "tab"],
)
def test_the_public_key_line_is_read_as_ssh_keygen_wrote_it_or_as_an_editor_left_it(
    keys: Keys, wrap: Callable[[str], str]
) -> None:
    key = sig.load_public_key(wrap(pub_line(keys.plain)), "k.pub")
    assert sig.fingerprint(key) == ssh_keygen_fingerprint(Path(str(keys.plain) + ".pub"))


def public_malformed(source: str, zh: str, en: str) -> Text:
    return Text(
        f"{source} 不是 OpenSSH 公钥（{zh}）：应为一行 “ssh-ed25519 AAAA… 注释”，即 ssh-keygen -t ed25519 生成的 .pub 文件",
        f"{source} is not an OpenSSH public key ({en}): expected one line “ssh-ed25519 AAAA… comment”, "
        "the .pub file that ssh-keygen -t ed25519 wrote",
    )


def not_ed25519(source: str, zh: str, en: str) -> Text:
    return Text(
        f"{source} 是 {zh} 密钥，不是普通的 Ed25519 密钥：kam 只用 Ed25519 密钥签名：用 ssh-keygen -t ed25519 生成一把，再用 kam user key 登记",
        f"{source} holds a key of type {en}, not a plain Ed25519 key: kam signs only with Ed25519 keys: "
        "make one with ssh-keygen -t ed25519 and register it with kam user key",
    )


ED_BLOB = "AAAAC3NzaC1lZDI1NTE5AAAAIEvY0QHpiZtHfF+mUfUvCHJXssSsN9epDu6dzu8S60D3"
ED_RAW = base64.b64decode(ED_BLOB)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("ssh-ed25519", "ssh-ed25519 后面没有密钥数据", "there is no key data after ssh-ed25519"),
        ("ssh-ed25519 !!!! 钱进", "密钥数据不是有效的 base64", "the key data is not valid base64"),
        ("ssh-ed25519 AAAAC3Nz密钥", "密钥数据不是有效的 base64", "the key data is not valid base64"),
        ("ssh-ed25519 AAAA", "密钥数据不完整或已损坏", "the key data is cut short or damaged"),
        (f"ssh-ed25519 {b64(ED_RAW[:-1])}", "密钥数据不完整或已损坏", "the key data is cut short or damaged"),
        (f"ssh-ed25519 {b64(ED_RAW + b'x')}", "密钥数据不完整或已损坏", "the key data is cut short or damaged"),
        (
            f"ssh-ed25519 {b64(ED_RAW[: 4 + 11] + bytes([0, 0, 0, 31]) + ED_RAW[19:-1])}",
            "密钥数据不完整或已损坏",
            "the key data is cut short or damaged",
        ),
        (
            f"ssh-ed25519 {b64(bytes([0, 0, 0, 7]) + b'ssh-rsa' + ED_RAW[15:])}",
            "行首写的是 ssh-ed25519，密钥数据里却是 “ssh-rsa”",
            "the line says ssh-ed25519 but the key inside is “ssh-rsa”",
        ),
        ("hello world", "开头是 “hello”，不是 ssh-ed25519", "it starts with “hello”, not ssh-ed25519"),
        (
            f'command="ls" ssh-ed25519 {ED_BLOB}',
            "开头是 “command=\"ls\"”，不是 ssh-ed25519",
            "it starts with “command=\"ls\"”, not ssh-ed25519",
        ),
        (
            f"ssh-ed25519 {ED_BLOB} a\nssh-ed25519 {ED_BLOB} b\n",
            "文件里有 2 行密钥，只能放一把",
            "the file has 2 key lines; put one key in it",
        ),
    ],
    ids=[
        "no-data",
        "not-base64",
        "non-ascii",
        "too-short",
        "cut-by-one",
        "trailing-byte",
        "bad-length",
        "inner-type",
        "garbage",
        "authorized-keys-options",
        "two-keys",
    ],
)
def test_a_malformed_line_is_refused_saying_what_is_wrong(text: str, zh: str, en: str) -> None:
    assert refusal(lambda: sig.load_public_key(text, "qian.pub")) == public_malformed("qian.pub", zh, en)


@pytest.mark.parametrize(
    ("attr", "zh", "en"),
    [("rsa", "RSA", "RSA"), ("ecdsa", "ECDSA", "ECDSA")],
)
def test_an_rsa_or_ecdsa_public_key_is_refused_naming_its_type(keys: Keys, attr: str, zh: str, en: str) -> None:
    path = str(getattr(keys, attr)) + ".pub"
    assert refusal(lambda: sig.read_public_key(path)) == not_ed25519(path, zh, en)


@pytest.mark.parametrize(
    ("key_type", "zh", "en"),
    [
        ("ssh-dss", "DSA", "DSA"),
        ("ssh-rsa", "RSA", "RSA"),
        ("ecdsa-sha2-nistp521", "ECDSA", "ECDSA"),
        (
            "sk-ssh-ed25519@openssh.com",
            "FIDO 硬件 Ed25519（只能在设备上签名）",
            "FIDO security-key Ed25519 (signs only on the device)",
        ),
        ("sk-ecdsa-sha2-nistp256@openssh.com", "FIDO 硬件 ECDSA", "FIDO security-key ECDSA"),
        ("ssh-ed448", "Ed448", "Ed448"),
    ],
)
def test_every_other_key_type_is_named(key_type: str, zh: str, en: str) -> None:
    # DSA is made synthetically: OpenSSH 10 no longer makes DSA keys; the type word is what is refused.
    assert refusal(lambda: sig.load_public_key(f"{key_type} AAAAB3NzaC1kc3MAAACBAP8= someone", "k.pub")) == not_ed25519(
        "k.pub", zh, en
    )


def test_a_certificate_is_refused_asking_for_the_key_itself() -> None:
    assert refusal(lambda: sig.load_public_key(f"ssh-ed25519-cert-v01@openssh.com {ED_BLOB} c", "id-cert.pub")) == Text(
        "id-cert.pub 是 OpenSSH 证书，不是公钥：请给出密钥本身的 .pub 文件（不是 -cert.pub）",
        "id-cert.pub is an OpenSSH certificate, not a public key: give the key's own .pub file (not the -cert.pub)",
    )


PRIVATE_GIVEN = Text(
    "{s} 是私钥，不是公钥：请给出同名的 .pub 文件（私钥只留在你自己手里，不交给任何人，也不交给 kam）",
    "{s} is a private key, not a public key: give the matching .pub file (a private key stays with you: never hand it to anyone, kam included)",
)


@pytest.mark.parametrize("which", ["openssh", "pkcs8", "putty"])
def test_a_private_key_given_for_a_public_one_is_refused(keys: Keys, which: str) -> None:
    text = {
        "openssh": keys.plain.read_text(),
        "pkcs8": ed25519.Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode(),
        "putty": "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
    }[which]
    assert refusal(lambda: sig.load_public_key(text, "id_ed25519")) == PRIVATE_GIVEN.format(s="id_ed25519")


def test_other_public_key_formats_are_refused_with_the_command_that_converts_them(keys: Keys) -> None:
    rfc4716 = subprocess.run(
        ["ssh-keygen", "-e", "-f", str(keys.plain) + ".pub"], check=True, capture_output=True, text=True
    ).stdout
    assert refusal(lambda: sig.load_public_key(rfc4716, "my key.pub")) == Text(
        "my key.pub 是 RFC 4716（SSH2）格式的公钥：先用 ssh-keygen -i -f 'my key.pub' 转成 OpenSSH 格式再登记",
        "my key.pub is an RFC 4716 (SSH2) public key: convert it with ssh-keygen -i -f 'my key.pub' and register that",
    )
    pem = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert refusal(lambda: sig.load_public_key(pem, "k.pem")) == Text(
        "k.pem 是 PEM 格式的公钥：先用 ssh-keygen -i -m PKCS8 -f k.pem 转成 OpenSSH 格式再登记",
        "k.pem is a PEM public key: convert it with ssh-keygen -i -m PKCS8 -f k.pem and register that",
    )


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a remark\n", "\ufeff"])
def test_an_empty_public_key_file_is_refused(text: str) -> None:
    assert refusal(lambda: sig.load_public_key(text, "qian.pub")) == Text(
        "公钥文件 qian.pub 是空的：请给出 ssh-keygen -t ed25519 生成的 .pub 文件",
        "public key file qian.pub is empty: give the .pub file that ssh-keygen -t ed25519 wrote",
    )


def test_a_huge_public_key_text_is_refused_before_parsing() -> None:
    text = "ssh-ed25519 " + "A" * 20000
    assert refusal(lambda: sig.load_public_key(text, "big.pub")) == Text(
        "big.pub 有 20012 个字符，公钥只有一行（上限 16384）：请给出 ssh-keygen 生成的 .pub 文件",
        "big.pub has 20012 characters, a public key is one line (limit 16384): give the .pub file that ssh-keygen wrote",
    )


def test_public_key_files_that_cannot_be_read_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.pub"
    assert refusal(lambda: sig.read_public_key(missing)) == Text(
        f"找不到公钥文件 {missing}：请给出 ssh-keygen 生成的文件（如 ~/.ssh/id_ed25519.pub）",
        f"public key file {missing} not found: give the file ssh-keygen wrote (e.g. ~/.ssh/id_ed25519.pub)",
    )
    assert refusal(lambda: sig.read_public_key(tmp_path)) == Text(
        f"{tmp_path} 是一个目录，不是公钥文件：请给出文件本身（如 ~/.ssh/id_ed25519.pub）",
        f"{tmp_path} is a folder, not a public key file: give the file itself (e.g. ~/.ssh/id_ed25519.pub)",
    )
    latin = write(tmp_path, "latin.pub", b"ssh-ed25519 " + ED_BLOB.encode() + b" \xe9t\xe9\n")
    assert refusal(lambda: sig.read_public_key(latin)) == public_malformed(
        str(latin), "不是 UTF-8 文本", "it is not UTF-8 text"
    )
    big = write(tmp_path, "big.pub", b"A" * (16 * 1024 + 1))
    assert refusal(lambda: sig.read_public_key(big)) == Text(
        f"{big} 超过 16 KiB，不是公钥文件：请给出 ssh-keygen 生成的文件",
        f"{big} is larger than 16 KiB, so it is not a public key file: give the file ssh-keygen wrote",
    )


# ---------------------------------------------------------------------------------------------
# Private keys


def test_an_unprotected_openssh_key_is_opened_without_asking(keys: Keys) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    assert sig.fingerprint(key.public) == ssh_keygen_fingerprint(keys.plain)
    assert key.source == str(keys.plain)
    assert "PrivateKey(source=" in repr(key) and "Ed25519PrivateKey" not in repr(key)


def test_a_protected_key_asks_once_for_the_passphrase(keys: Keys) -> None:
    ask = Asker(PASSPHRASE)
    key = sig.load_private_key(str(keys.protected), ask)
    assert ask.calls == 1
    assert sig.fingerprint(key.public) == ssh_keygen_fingerprint(keys.protected)


WRONG = Text(
    "私钥 {s} 的口令不对：请重新运行，输入生成这把密钥时设置的口令",
    "wrong passphrase for private key {s}: run the command again and type the passphrase the key was made with",
)


@pytest.mark.parametrize("answer", ["wrong", "", PASSPHRASE + " ", PASSPHRASE.upper()])
def test_a_wrong_passphrase_is_a_clear_refusal(keys: Keys, answer: str) -> None:
    ask = Asker(answer)
    assert refusal(lambda: sig.load_private_key(keys.protected, ask)) == WRONG.format(s=str(keys.protected))
    assert ask.calls == 1


@pytest.mark.parametrize("cipher", ["chacha20-poly1305@openssh.com", "aes128-ctr"])
def test_a_key_encrypted_with_a_cipher_kam_cannot_read_says_how_to_re_encrypt_it(tmp_path: Path, cipher: str) -> None:
    path = keygen(tmp_path, "key", "ed25519", "pw", "", "-Z", cipher)
    assert refusal(lambda: sig.load_private_key(path, Asker("pw"))) == Text(
        f"私钥 {path} 的加密方式 {cipher} 无法读取：用 ssh-keygen -p -Z aes256-ctr -f {path} 换成 aes256-ctr 后再用",
        f"private key {path} is encrypted with {cipher}, which kam cannot read: "
        f"re-encrypt it with ssh-keygen -p -Z aes256-ctr -f {path} and use it again",
    )
    subprocess.run(
        ["ssh-keygen", "-q", "-p", "-P", "pw", "-N", "pw", "-Z", "aes256-ctr", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    assert sig.fingerprint(sig.load_private_key(path, Asker("pw")).public) == ssh_keygen_fingerprint(
        path
    )  # the fix works


def test_a_protected_key_without_a_terminal_is_refused(keys: Keys) -> None:
    assert refusal(lambda: sig.load_private_key(keys.protected, None)) == Text(
        f"私钥 {keys.protected} 有口令保护，但这里无法询问口令（没有终端）：请在终端里运行",
        f"private key {keys.protected} is protected by a passphrase, but there is no terminal to ask for it: run the command in a terminal",
    )


def test_an_unprotected_key_never_needs_a_terminal(keys: Keys) -> None:
    assert sig.fingerprint(sig.load_private_key(keys.plain, None).public) == ssh_keygen_fingerprint(keys.plain)


@pytest.mark.parametrize(
    ("attr", "zh", "en"),
    [("rsa", "RSA", "RSA"), ("rsa_protected", "RSA", "RSA"), ("rsa_pem", "RSA", "RSA"), ("ecdsa", "ECDSA", "ECDSA")],
)
def test_a_private_key_of_another_type_is_refused_without_asking(keys: Keys, attr: str, zh: str, en: str) -> None:
    path = getattr(keys, attr)
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == not_ed25519(str(path), zh, en)


def pkcs8(key: object, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    data: bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)  # type: ignore[attr-defined]
    return data


def test_a_pkcs8_ed25519_key_is_opened(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    path = write(tmp_path, "key.pem", pkcs8(key))
    assert sig.load_private_key(path, never_asked).public.raw == key.public_key().public_bytes_raw()


def test_an_encrypted_pkcs8_key_asks_for_the_passphrase(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    path = write(tmp_path, "key.pem", pkcs8(key, PASSPHRASE.encode()))
    assert sig.load_private_key(path, Asker(PASSPHRASE)).public.raw == key.public_key().public_bytes_raw()
    assert refusal(lambda: sig.load_private_key(path, Asker("nope"))) == WRONG.format(s=str(path))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_a_key_made_by_openssl_genpkey_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "openssl.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(path)], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    assert sig.load_private_key(path, never_asked).public.raw == der[-32:]


@pytest.mark.parametrize(
    ("make", "zh", "en"),
    [
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024), "RSA", "RSA"),
        (lambda: dsa.generate_private_key(key_size=1024), "DSA", "DSA"),
        (ed448.Ed448PrivateKey.generate, "Ed448", "Ed448"),
        (x25519.X25519PrivateKey.generate, "X25519（只能用于密钥交换）", "X25519 (key exchange only)"),
    ],
    ids=["rsa", "dsa", "ed448", "x25519"],
)
def test_a_pkcs8_key_of_another_type_is_refused_naming_it(
    tmp_path: Path, make: Callable[[], object], zh: str, en: str
) -> None:
    path = write(tmp_path, "other.pem", pkcs8(make()))
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == not_ed25519(str(path), zh, en)


def private_malformed(source: Path, zh: str, en: str) -> Text:
    return Text(
        f"{source} 不是可用的私钥（{zh}）：应为 ssh-keygen -t ed25519 生成的私钥文件，或 PEM PKCS#8 格式的 Ed25519 私钥",
        f"{source} is not a usable private key ({en}): expected the private key file that ssh-keygen -t ed25519 wrote, "
        "or an Ed25519 key in PEM PKCS#8",
    )


def damaged_openssh(keys: Keys) -> str:
    lines = keys.plain.read_text().splitlines()
    lines[1] = "AAAA" + lines[1][4:].replace("A", "B")  # the magic and the header no longer parse
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        (
            lambda k: "hello\n",
            "没有 -----BEGIN … PRIVATE KEY----- 开头的内容",
            "there is no -----BEGIN … PRIVATE KEY----- block in it",
        ),
        (
            lambda k: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "里面是 PEM 的 CERTIFICATE，不是私钥",
            "it holds a PEM CERTIFICATE, not a private key",
        ),
        (
            lambda k: "\n".join(k.plain.read_text().splitlines()[:3]) + "\n",
            "缺少 -----END OPENSSH PRIVATE KEY----- 结尾（文件被截断了？）",
            "the -----END OPENSSH PRIVATE KEY----- line is missing (is the file cut short?)",
        ),
        (damaged_openssh, "OpenSSH 私钥数据已损坏", "the OpenSSH key data is damaged"),
        (
            lambda k: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
            "PEM 数据已损坏",
            "the PEM data is damaged",
        ),
    ],
    ids=["garbage", "certificate", "cut-short", "damaged", "damaged-pkcs8"],
)
def test_a_file_that_is_not_a_usable_private_key_is_refused(
    keys: Keys, tmp_path: Path, content: Callable[[Keys], str], zh: str, en: str
) -> None:
    path = write(tmp_path, "key", content(keys))
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == private_malformed(path, zh, en)


def test_a_damaged_but_valid_looking_openssh_key_is_refused(keys: Keys, tmp_path: Path) -> None:
    lines = keys.plain.read_text().splitlines()
    middle = lines[3]
    lines[3] = (
        middle[:10] + ("B" if middle[10] != "B" else "C") + middle[11:]
    )  # inside the private part: the check words differ
    path = write(tmp_path, "key", "\n".join(lines) + "\n")
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == private_malformed(
        path, "密钥数据已损坏", "the key data is damaged"
    )


def test_a_public_key_given_for_a_private_one_is_refused(keys: Keys) -> None:
    path = str(keys.plain) + ".pub"
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == Text(
        f"{path} 是公钥，不是私钥：签名要用私钥文件（通常是同名但没有 .pub 的那个文件）",
        f"{path} is a public key, not a private key: sign with the private key file (usually the one of the same name without .pub)",
    )


def test_a_putty_key_is_refused_with_how_to_export_it(tmp_path: Path) -> None:
    path = write(tmp_path, "key.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == Text(
        f"{path} 是 PuTTY 密钥：用 PuTTYgen 的 Conversions → Export OpenSSH key 导出为 OpenSSH 格式再用",
        f"{path} is a PuTTY key: export it with PuTTYgen (Conversions → Export OpenSSH key) and use that file",
    )


@pytest.mark.parametrize("content", [b"", b"\n \n"])
def test_an_empty_private_key_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty", content)
    assert refusal(lambda: sig.load_private_key(path, never_asked)) == Text(
        f"私钥文件 {path} 是空的：请给出 ssh-keygen -t ed25519 生成的私钥文件",
        f"private key file {path} is empty: give the private key file that ssh-keygen -t ed25519 wrote",
    )


def test_private_key_files_that_cannot_be_read_are_refused_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "id_ed25519"
    assert refusal(lambda: sig.load_private_key(missing, never_asked)) == Text(
        f"找不到私钥文件 {missing}：请给出 ssh-keygen 生成的文件（如 ~/.ssh/id_ed25519）",
        f"private key file {missing} not found: give the file ssh-keygen wrote (e.g. ~/.ssh/id_ed25519)",
    )
    assert refusal(lambda: sig.load_private_key(tmp_path, never_asked)) == Text(
        f"{tmp_path} 是一个目录，不是私钥文件：请给出文件本身（如 ~/.ssh/id_ed25519）",
        f"{tmp_path} is a folder, not a private key file: give the file itself (e.g. ~/.ssh/id_ed25519)",
    )
    big = write(tmp_path, "big", b"-" * (64 * 1024 + 1))
    assert refusal(lambda: sig.load_private_key(big, never_asked)) == Text(
        f"{big} 超过 64 KiB，不是私钥文件：请给出 ssh-keygen 生成的文件",
        f"{big} is larger than 64 KiB, so it is not a private key file: give the file ssh-keygen wrote",
    )


def test_an_unreadable_key_file_is_refused_naming_it(keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, who reads any file whatever its mode: the refusal of the OS is simulated.
    real_open = Path.open

    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == keys.plain.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    assert refusal(lambda: sig.load_private_key(keys.plain, never_asked)) == Text(
        f"无法读取私钥文件 {keys.plain}：Permission denied：检查它是否属于你（ls -l {keys.plain}）",
        f"cannot read private key file {keys.plain}: Permission denied: check that it is yours (ls -l {keys.plain})",
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_key_file_without_read_permission_is_refused(keys: Keys, tmp_path: Path) -> None:
    path = write(tmp_path, "locked", keys.plain.read_bytes(), mode=0o000)
    assert refusal(lambda: sig.load_private_key(path, never_asked)).en.startswith(
        f"cannot read private key file {path}: Permission denied"
    )


def test_a_tilde_in_the_path_is_the_home_folder(keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(keys.folder))
    assert (
        sig.load_private_key("~/id_ed25519", never_asked).public == sig.load_private_key(keys.plain, never_asked).public
    )


# ---------------------------------------------------------------------------------------------
# The key file's permissions


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_key_only_its_owner_can_read_gives_no_warning(keys: Keys, tmp_path: Path, mode: int) -> None:
    assert sig.key_file_warning(write(tmp_path, "key", keys.plain.read_bytes(), mode)) is None


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o602])
def test_a_key_others_can_access_warns_as_ssh_does(keys: Keys, tmp_path: Path, mode: int) -> None:
    path = write(tmp_path, "my key", keys.plain.read_bytes(), mode)
    assert sig.key_file_warning(path) == Text(
        f"警告：私钥文件未受保护！“{path}” 的权限 {mode:04o} 过于开放（同组或其他用户可以访问）：运行 chmod 600 '{path}'，只让你自己能读",
        f"WARNING: UNPROTECTED PRIVATE KEY FILE! Permissions {mode:04o} for “{path}” are too open "
        f"(group or others can access it): run chmod 600 '{path}' so that only you can read it",
    )
    assert (
        sig.load_private_key(path, never_asked).public == sig.load_private_key(keys.plain, never_asked).public
    )  # warned, still used


def test_the_permission_check_refuses_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    assert refusal(lambda: sig.key_file_warning(tmp_path / "gone")).en == (
        f"private key file {tmp_path / 'gone'} not found: give the file ssh-keygen wrote (e.g. ~/.ssh/id_ed25519)"
    )
    assert (
        refusal(lambda: sig.key_file_warning(tmp_path)).zh
        == f"{tmp_path} 是一个目录，不是私钥文件：请给出文件本身（如 ~/.ssh/id_ed25519）"
    )


# ---------------------------------------------------------------------------------------------
# Statements, signatures

SHA = hashlib.sha256(b"contract review v2").hexdigest()
AT = dt.datetime(2026, 12, 1, 10, 0, 0, 123456)  # naive UTC, as kam stores it
FIELDS: dict[str, object] = {
    "opportunity_id": 17,
    "contract_no": "HT-2026-001",
    "review_version": 2,
    "review_sha256": SHA,
    "department": "finance",
    "reviewer": "钱进",
    "decision": "approve",
    "comment": "同意，付款条件已核",
    "at": AT,
}


def make_statement(**changes: object) -> bytes:
    return sig.statement(**{**FIELDS, **changes})  # type: ignore[arg-type]


def test_the_statement_is_a_prefix_and_canonical_json() -> None:
    assert (
        make_statement()
        == (
            "kam-signoff-v1\n"
            '{"at":"2026-12-01T10:00:00.123456Z","comment":"同意，付款条件已核","contract_no":"HT-2026-001",'
            '"decision":"approve","department":"finance","opportunity_id":17,'
            f'"review_sha256":"{SHA}","review_version":2,"reviewer":"钱进"}}'
        ).encode()
    )


def test_the_time_is_utc_with_microseconds_whatever_the_zone_it_came_in() -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert make_statement(at=AT.replace(tzinfo=dt.UTC)) == make_statement()
    assert make_statement(at=dt.datetime(2026, 12, 1, 18, 0, 0, 123456, tzinfo=beijing)) == make_statement()
    assert b'"at":"2026-12-01T10:00:00.000000Z"' in make_statement(at=dt.datetime(2026, 12, 1, 10))


def test_an_absent_contract_number_or_comment_rebuilds_the_same_whether_null_or_empty() -> None:
    assert make_statement(contract_no=None, comment=None) == make_statement(contract_no="", comment="")
    assert b'"contract_no":""' in make_statement(contract_no=None)


@pytest.mark.parametrize(
    ("field_name", "value"),
    [
        ("opportunity_id", 18),
        ("contract_no", "HT-2026-002"),
        ("review_version", 3),
        ("review_sha256", hashlib.sha256(b"changed").hexdigest()),
        ("department", "legal"),
        ("reviewer", "李芳"),
        ("decision", "reject"),
        ("comment", "同意，付款条件已核。"),
        ("at", AT + dt.timedelta(microseconds=1)),
    ],
)
def test_every_field_is_part_of_what_is_signed(keys: Keys, field_name: str, value: object) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    signature = sig.sign(key, make_statement())
    assert make_statement(**{field_name: value}) != make_statement()
    assert not sig.verify(key.public, make_statement(**{field_name: value}), signature)


BAD_STATEMENTS = [
    (
        {"opportunity_id": 0},
        "签名内容：opportunity_id 须为正整数，收到 0",
        "statement: opportunity_id must be a positive whole number, got 0",
    ),
    (
        {"opportunity_id": True},
        "签名内容：opportunity_id 须为正整数，收到 true",
        "statement: opportunity_id must be a positive whole number, got true",
    ),
    (
        {"opportunity_id": "17"},
        '签名内容：opportunity_id 须为正整数，收到 "17"',
        'statement: opportunity_id must be a positive whole number, got "17"',
    ),
    (
        {"review_version": -1},
        "签名内容：review_version 须为正整数，收到 -1",
        "statement: review_version must be a positive whole number, got -1",
    ),
    (
        {"review_sha256": SHA.upper()},
        f"签名内容：review_sha256 须为 64 位小写十六进制，收到 '{SHA.upper()}'",
        f"statement: review_sha256 must be 64 lowercase hex digits, got '{SHA.upper()}'",
    ),
    (
        {"review_sha256": "abc"},
        "签名内容：review_sha256 须为 64 位小写十六进制，收到 'abc'",
        "statement: review_sha256 must be 64 lowercase hex digits, got 'abc'",
    ),
    ({"department": " "}, "签名内容：department 不能为空", "statement: department must not be empty"),
    ({"reviewer": ""}, "签名内容：reviewer 不能为空", "statement: reviewer must not be empty"),
    (
        {"decision": "ok"},
        "签名内容：decision 须为 approve 或 reject，收到 'ok'",
        "statement: decision must be approve or reject, got 'ok'",
    ),
    ({"comment": 5}, "签名内容：comment 须为文本，收到 5", "statement: comment must be text, got 5"),
    (
        {"at": "2026-12-01"},
        "签名内容：at 须为时间，收到 '2026-12-01'",
        "statement: at must be a date and time, got '2026-12-01'",
    ),
    (
        {"comment": "\ud800"},
        "签名内容含有无法编码为 UTF-8 的字符",
        "the statement holds a character that cannot be written as UTF-8",
    ),
    (
        {"version": "kam-signoff-v2"},
        "签名格式 'kam-signoff-v2' 不被此版本 kam 识别（只认 kam-signoff-v1）：升级 kam",
        "statement format 'kam-signoff-v2' is not known to this kam (it knows kam-signoff-v1): upgrade kam",
    ),
]


@pytest.mark.parametrize(("changes", "zh", "en"), BAD_STATEMENTS)
def test_a_statement_with_a_bad_field_is_refused(changes: dict[str, object], zh: str, en: str) -> None:
    assert refusal(lambda: make_statement(**changes)) == Text(zh, en)


def test_a_signature_verifies_and_is_deterministic(keys: Keys) -> None:
    key = sig.load_private_key(keys.protected, Asker(PASSPHRASE))
    signature = sig.sign(key, make_statement())
    assert len(signature) == 88 and signature == sig.sign(key, make_statement())
    assert sig.verify(key.public, make_statement(), signature)
    assert sig.verify(sig.read_public_key(str(keys.protected) + ".pub"), make_statement(), signature)


def test_the_signature_is_plain_ed25519_that_anyone_can_check(keys: Keys) -> None:
    # Checked through another path than ours: the .pub file read by cryptography's own OpenSSH loader.
    signature = sig.sign(sig.load_private_key(keys.plain, never_asked), make_statement())
    public = serialization.load_ssh_public_key(Path(str(keys.plain) + ".pub").read_bytes())
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(base64.b64decode(signature), make_statement())  # raises if it does not verify


def test_a_signature_over_a_changed_statement_fails(keys: Keys) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    signed = make_statement()
    signature = sig.sign(key, signed)
    assert not sig.verify(key.public, signed.replace("同意".encode(), "驳回".encode()), signature)
    assert not sig.verify(key.public, signed + b" ", signature)


def test_a_statement_for_another_version_fails(keys: Keys) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    signature = sig.sign(key, make_statement(review_version=1, review_sha256=hashlib.sha256(b"v1").hexdigest()))
    assert not sig.verify(key.public, make_statement(), signature)


def test_another_reviewers_key_does_not_verify(keys: Keys) -> None:
    signature = sig.sign(sig.load_private_key(keys.plain, never_asked), make_statement())
    assert not sig.verify(sig.load_private_key(keys.protected, Asker(PASSPHRASE)).public, make_statement(), signature)


@pytest.mark.parametrize(
    "signature",
    ["", "!!!", "AAAA", b64(bytes(63)), b64(bytes(65)), b64(bytes(64)), "签名", "A" * 87, None, 5],
    ids=["empty", "not-base64", "short", "63-bytes", "65-bytes", "zeros", "chinese", "unpadded", "none", "number"],
)
def test_a_garbage_signature_is_false_never_an_exception(keys: Keys, signature: object) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    assert sig.verify(key.public, make_statement(), signature) is False  # type: ignore[arg-type]


def test_a_signature_with_a_flipped_bit_or_whitespace_fails(keys: Keys) -> None:
    key = sig.load_private_key(keys.plain, never_asked)
    raw = bytearray(base64.b64decode(sig.sign(key, make_statement())))
    good = b64(bytes(raw))
    raw[10] ^= 1
    assert not sig.verify(key.public, make_statement(), b64(bytes(raw)))
    assert not sig.verify(key.public, make_statement(), good[:40] + "\n" + good[40:])


# ---------------------------------------------------------------------------------------------
# Checking a stored signed sign-off

T0 = dt.datetime(2026, 1, 1)
T1 = dt.datetime(2027, 1, 1)


@pytest.fixture(scope="module")
def qian(keys: Keys) -> sig.PrivateKey:
    return sig.load_private_key(keys.plain, never_asked)


@pytest.fixture(scope="module")
def qian_new(keys: Keys) -> sig.PrivateKey:
    return sig.load_private_key(keys.protected, Asker(PASSPHRASE))


def stored(key: sig.PrivateKey, **changes: object) -> SignedSignoff:
    """A sign-off row as `kam review approve --sign-with` would store it, then `changes` written over it."""
    signature = sig.sign(key, make_statement())
    row = SignedSignoff(
        opportunity_id=17,
        contract_no="HT-2026-001",
        review_version=2,
        review_sha256=SHA,
        department="finance",
        reviewer="钱进",
        decision="approve",
        comment="同意，付款条件已核",
        at=AT,
        signature=signature,
        statement_version=sig.STATEMENT_VERSION,
        key_fingerprint=sig.fingerprint(key.public),
    )
    return row._replace(**changes)  # type: ignore[arg-type]


def roster(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> list[RegisteredKey]:
    """钱进 registered the first key on T0 and replaced it on T1 (AT lies between)."""
    return [RegisteredKey(qian.public, T0, T1), RegisteredKey(qian_new.public, T1, None)]


WHO = Text(
    "商机 17 财务部的会签（钱进，合同审核表 v2）", "opportunity 17: the finance sign-off by 钱进 on contract review v2"
)


def test_a_faithful_signed_signoff_has_no_problem(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> None:
    assert sig.signoff_problem(stored(qian), roster(qian, qian_new), SHA) is None
    row = stored(qian_new)._replace(at=T1)
    row = row._replace(signature=sig.sign(qian_new, make_statement(at=T1)))
    assert sig.signoff_problem(row, roster(qian, qian_new), SHA) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"comment": "同意"},
        {"decision": "reject"},
        {"department": "legal"},
        {"reviewer": "李芳"},
        {"review_version": 3},
        {"at": AT + dt.timedelta(seconds=1)},
        {"contract_no": None},
        {"review_sha256": "0" * 64},
        {"review_sha256": "forged"},
        {"signature": "AAAA"},
    ],
)
def test_a_row_changed_after_signing_fails_its_signature(
    qian: sig.PrivateKey, qian_new: sig.PrivateKey, changes: dict[str, object]
) -> None:
    row = stored(qian, **changes)
    problem = sig.signoff_problem(row, roster(qian, qian_new), row.review_sha256)
    assert problem is not None and problem.code == "signature"


def test_the_bad_signature_message_names_the_signoff_and_the_key(
    qian: sig.PrivateKey, qian_new: sig.PrivateKey
) -> None:
    fp = sig.fingerprint(qian.public)
    problem = sig.signoff_problem(
        stored(qian, comment="同意"), roster(qian, qian_new), SHA, department_label=Text("财务部", "finance")
    )
    assert problem == sig.SignatureProblem(
        "signature",
        Text(
            f"{WHO.zh}：签名与公钥 {fp} 不符：会签记录在签名后被改过，或是伪造的",
            f"{WHO.en}: the signature does not verify against key {fp}: the row was changed after signing, or forged",
        ),
    )


def test_a_document_changed_after_the_signoff_is_named_as_such(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> None:
    now = hashlib.sha256(b"edited").hexdigest()
    label = Text("财务部", "finance")
    assert sig.signoff_problem(stored(qian), roster(qian, qian_new), now, label) == sig.SignatureProblem(
        "signed-document",
        Text(
            f"{WHO.zh}：签名针对的合同审核表 v2（sha256 {SHA[:12]}…）与现存的（{now[:12]}…）不符：文档在会签后被改过",
            f"{WHO.en}: the signed contract review v2 (sha256 {SHA[:12]}…) is not the one stored now ({now[:12]}…): "
            "the document was changed after the sign-off",
        ),
    )
    assert sig.signoff_problem(stored(qian), roster(qian, qian_new), None, label) == sig.SignatureProblem(
        "signed-document",
        Text(f"{WHO.zh}：所签的合同审核表 v2 已不存在", f"{WHO.en}: the contract review v2 it signed is gone"),
    )


@pytest.mark.parametrize("at", [T0 - dt.timedelta(microseconds=1), dt.datetime(2025, 6, 1)])
def test_a_signoff_outside_every_registered_key_is_named(
    qian: sig.PrivateKey, qian_new: sig.PrivateKey, at: dt.datetime
) -> None:
    row = stored(qian, at=at)
    when = at.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert sig.signoff_problem(row, roster(qian, qian_new), SHA, Text("财务部", "finance")) == sig.SignatureProblem(
        "signature-key",
        Text(
            f"{WHO.zh}：钱进 在 {when} 没有登记的公钥，签名无从核对：公钥登记被删改，或此会签是伪造的",
            f"{WHO.en}: 钱进 had no registered key at {when}, so the signature cannot be checked: "
            "the key register was altered, or the sign-off is forged",
        ),
    )


def test_a_signature_by_a_retired_key_after_its_end_is_refused(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> None:
    row = stored(qian, at=T1)
    row = row._replace(signature=sig.sign(qian, make_statement(at=T1)))
    old, new = sig.fingerprint(qian.public), sig.fingerprint(qian_new.public)
    assert sig.signoff_problem(row, roster(qian, qian_new), SHA, Text("财务部", "finance")) == sig.SignatureProblem(
        "signature-key",
        Text(
            f"{WHO.zh}：记录的签名公钥 {old} 不是 钱进 在 2027-01-01 00:00:00 UTC 登记的公钥 {new}",
            f"{WHO.en}: it names key {old}, but the key 钱进 had registered at 2027-01-01 00:00:00 UTC is {new}",
        ),
    )


def test_a_row_claiming_the_current_key_but_signed_by_another_fails(
    qian: sig.PrivateKey, qian_new: sig.PrivateKey
) -> None:
    row = stored(qian, key_fingerprint=sig.fingerprint(qian_new.public), at=T1)
    row = row._replace(signature=sig.sign(qian, make_statement(at=T1)))
    problem = sig.signoff_problem(row, roster(qian, qian_new), SHA)
    assert problem is not None and problem.code == "signature"


def test_an_unknown_statement_version_is_named(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> None:
    assert sig.signoff_problem(
        stored(qian, statement_version="kam-signoff-v9"), roster(qian, qian_new), SHA
    ) == sig.SignatureProblem(
        "signature-format",
        Text(
            "商机 17 finance的会签（钱进，合同审核表 v2）的签名格式 'kam-signoff-v9' 不被此版本 kam 识别：升级 kam 后再核对",
            "opportunity 17: the finance sign-off by 钱进 on contract review v2 is signed in format 'kam-signoff-v9', "
            "which this kam does not know: upgrade kam and verify again",
        ),
    )


def test_key_at_picks_the_key_valid_then(qian: sig.PrivateKey, qian_new: sig.PrivateKey) -> None:
    keys = roster(qian, qian_new)
    assert sig.key_at(keys, T0) == keys[0]
    assert sig.key_at(keys, T1 - dt.timedelta(microseconds=1)) == keys[0]
    assert sig.key_at(keys, T1) == keys[1]  # valid_until is exclusive
    assert sig.key_at(keys, dt.datetime(2030, 1, 1, tzinfo=dt.UTC)) == keys[1]
    assert sig.key_at(keys, T0 - dt.timedelta(days=1)) is None
    assert sig.key_at([], T1) is None


# ---------------------------------------------------------------------------------------------
# The anchor

HASHES = [hashlib.sha256(f"event {i}".encode()).hexdigest() for i in range(1, 8)]
AT_ANCHOR = dt.datetime(2026, 12, 1, 10, 0, 0, tzinfo=dt.UTC)


def fold(hashes: list[str]) -> str:
    """The digest written out longhand, to hold the implementation to the documented formula."""
    state = hashlib.sha256(b"kam-anchor-v1\n").digest()
    for h in hashes:
        state = hashlib.sha256(state + bytes.fromhex(h)).digest()
    return state.hex()


def test_the_digest_is_the_documented_sequential_fold() -> None:
    assert sig.history_digest([]) == HISTORY_GENESIS == hashlib.sha256(b"kam-anchor-v1\n").hexdigest()
    assert sig.history_digest(HASHES) == fold(HASHES)
    assert sig.history_digest(iter(HASHES)) == fold(HASHES)  # a stream (a server-side cursor) is fine


def test_every_prefix_is_a_digest_and_a_resumable_state() -> None:
    digest = HistoryDigest()
    prefixes = []
    for h in HASHES:
        digest.update(h)
        prefixes.append(digest.hexdigest())
    assert prefixes == [fold(HASHES[:n]) for n in range(1, 8)]
    resumed = HistoryDigest(start=prefixes[2], rows=3)
    for h in HASHES[3:]:
        resumed.update(h)
    assert (resumed.hexdigest(), resumed.rows) == (fold(HASHES), 7)


@pytest.mark.parametrize(
    "changed",
    [
        HASHES[:3] + HASHES[4:],
        HASHES[:3] + ["0" * 64] + HASHES[3:],
        [HASHES[1], HASHES[0], *HASHES[2:]],
        HASHES[:-1] + ["f" * 64],
    ],
    ids=["removed", "inserted", "reordered", "altered"],
)
def test_any_rewrite_changes_the_digest(changed: list[str]) -> None:
    assert sig.history_digest(changed) != sig.history_digest(HASHES)


@pytest.mark.parametrize(
    ("bad", "shown"),
    [("xyz", "“xyz”"), ("ab" * 31, f"“{'ab' * 15}…”"), ("ab" * 33, f"“{'ab' * 15}…”"), ("", "“”"), (None, "null")],
)
def test_a_stored_hash_that_is_not_64_hex_digits_is_refused_naming_the_row(bad: object, shown: str) -> None:
    digest = HistoryDigest()
    digest.update(HASHES[0])
    assert refusal(lambda: digest.update(bad)) == Text(  # type: ignore[arg-type]
        f"第 2 行历史的 hash {shown} 不是 64 位十六进制：运行 kam audit verify 查看",
        f"history row 2 has hash {shown}, not 64 hex digits: see kam audit verify",
    )
    assert digest.rows == 1 and digest.hexdigest() == fold(HASHES[:1])  # the refused value changed nothing


def test_the_anchor_line() -> None:
    head = fold(HASHES)
    assert sig.anchor_line(head, 553540, AT_ANCHOR) == f"kam-anchor v1 2026-12-01T10:00:00Z rows=553540 head={head}"
    assert sig.anchor_line(
        head, 7, dt.datetime(2026, 12, 1, 18, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=8))), "kam-7f3a"
    ) == (f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={head} db=kam-7f3a")
    assert sig.anchor_line(head, 7, AT_ANCHOR.replace(tzinfo=None)) == sig.anchor_line(head, 7, AT_ANCHOR)


@pytest.mark.parametrize("database_id", [None, "kam-7f3a", "a" * 64, "prod.db_2"])
def test_the_anchor_round_trips(database_id: str | None) -> None:
    line = sig.anchor_line(fold(HASHES), 7, AT_ANCHOR, database_id)
    anchor = sig.parse_anchor(line)
    assert anchor == Anchor(AT_ANCHOR, 7, fold(HASHES), database_id)
    assert anchor.line() == line


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: "  " + s + "\n",
        lambda s: f"`{s}`",
        lambda s: f'"{s}"',
        lambda s: s.replace(" ", "   "),
        lambda s: s.replace(" ", "\t"),
        lambda s: s.replace(fold(HASHES), fold(HASHES).upper()),
    ],
    ids=["spaces", "backticks", "quotes", "wide-spaces", "tabs", "upper-case-hex"],
)
def test_a_pasted_anchor_survives_what_mail_and_chat_do_to_it(wrap: Callable[[str], str]) -> None:
    line = sig.anchor_line(fold(HASHES), 7, AT_ANCHOR, "kam-7f3a")
    assert sig.parse_anchor(wrap(line)) == Anchor(AT_ANCHOR, 7, fold(HASHES), "kam-7f3a")


HEAD = fold(HASHES)
EXPECTED = Text(
    "kam-anchor v1 <UTC 时间，如 2026-12-01T10:00:00Z> rows=<历史行数> head=<64 位十六进制> [db=<数据库标识>]",
    "kam-anchor v1 <UTC time, e.g. 2026-12-01T10:00:00Z> rows=<history rows> head=<64 hex digits> [db=<database id>]",
)


@pytest.mark.parametrize(
    ("line", "zh", "en"),
    [
        ("", "这一行是空的", "the line is empty"),
        ("   ", "这一行是空的", "the line is empty"),
        (
            f"kam-anchr v1 2026-12-01T10:00:00Z rows=7 head={HEAD}",
            "开头是 “kam-anchr”，不是 kam-anchor",
            "it starts with “kam-anchr”, not kam-anchor",
        ),
        ("kam-anchor", "kam-anchor 后面缺少版本 v1", "the version v1 is missing after kam-anchor"),
        (
            f"kam-anchor 1 2026-12-01T10:00:00Z rows=7 head={HEAD}",
            "“1” 不是版本号（应为 v1）",
            "“1” is not a version (expected v1)",
        ),
        ("kam-anchor v1", "缺少时间", "the time is missing"),
        (
            f"kam-anchor v1 2026-12-01 rows=7 head={HEAD}",
            "“2026-12-01” 不是 UTC 时间（如 2026-12-01T10:00:00Z）",
            "“2026-12-01” is not a UTC time like 2026-12-01T10:00:00Z",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00+08:00 rows=7 head={HEAD}",
            "“2026-12-01T10:00:00+08:00” 不是 UTC 时间（如 2026-12-01T10:00:00Z）",
            "“2026-12-01T10:00:00+08:00” is not a UTC time like 2026-12-01T10:00:00Z",
        ),
        (
            f"kam-anchor v1 2026-13-01T10:00:00Z rows=7 head={HEAD}",
            "“2026-13-01T10:00:00Z” 不是 UTC 时间（如 2026-12-01T10:00:00Z）",
            "“2026-13-01T10:00:00Z” is not a UTC time like 2026-12-01T10:00:00Z",
        ),
        ("kam-anchor v1 2026-12-01T10:00:00Z", "缺少 rows=<历史行数>", "rows=<history rows> is missing"),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=-7 head={HEAD}",
            "“rows=-7” 不是 rows=<历史行数>",
            "“rows=-7” is not rows=<history rows>",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z head={HEAD} rows=7",
            f"“head={HEAD[:25]}…” 不是 rows=<历史行数>",
            f"“head={HEAD[:25]}…” is not rows=<history rows>",
        ),
        ("kam-anchor v1 2026-12-01T10:00:00Z rows=7", "缺少 head=<64 位十六进制>", "head=<64 hex digits> is missing"),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={HEAD[:-1]}",
            f"“head={HEAD[:25]}…” 不是 head=<64 位十六进制>",
            f"“head={HEAD[:25]}…” is not head=<64 hex digits>",
        ),
        (
            "kam-anchor v1 2026-12-01T10:00:00Z rows=7 head=" + "g" * 64,
            f"“head={'g' * 25}…” 不是 head=<64 位十六进制>",
            f"“head={'g' * 25}…” is not head=<64 hex digits>",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={HEAD} db=",
            "“db=” 不是 db=<数据库标识>",
            "“db=” is not db=<database id>",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={HEAD} db=a/b",
            "“db=a/b” 不是 db=<数据库标识>",
            "“db=a/b” is not db=<database id>",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={HEAD} by=me",
            "末尾多出了 “by=me”",
            "there is an unexpected “by=me” at the end",
        ),
        (
            f"kam-anchor v1 2026-12-01T10:00:00Z rows=7 head={HEAD} db=x extra",
            "末尾多出了 “extra”",
            "there is an unexpected “extra” at the end",
        ),
    ],
)
def test_a_malformed_anchor_is_refused_saying_what_was_expected(line: str, zh: str, en: str) -> None:
    assert refusal(lambda: sig.parse_anchor(line)) == Text(
        f"锚点格式不对：{zh}；应为 kam audit anchor 打印的那一行：{EXPECTED.zh}",
        f"anchor line not understood: {en}; expected the line kam audit anchor prints: {EXPECTED.en}",
    )


def test_an_anchor_from_a_newer_kam_says_so() -> None:
    assert refusal(lambda: sig.parse_anchor(f"kam-anchor v2 2026-12-01T10:00:00Z rows=7 head={HEAD}")) == Text(
        "锚点版本 v2 不被此版本 kam 识别（只认 v1）：用打印它的那个版本的 kam 核对，或升级 kam",
        "anchor version v2 is not known to this kam (it knows v1): verify with the kam that printed it, or upgrade kam",
    )


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("abc", 7),
            "锚点：head 须为 64 位小写十六进制，收到 'abc'",
            "anchor: head must be 64 lowercase hex digits, got 'abc'",
        ),
        ((HEAD, -1), "锚点：rows 须为非负整数，收到 -1", "anchor: rows must be a whole number ≥ 0, got -1"),
        ((HEAD, True), "锚点：rows 须为非负整数，收到 true", "anchor: rows must be a whole number ≥ 0, got true"),
        (
            (HEAD, 7, "a b"),
            "锚点：数据库标识须为 1–64 个字母、数字或 . _ -，收到 'a b'",
            "anchor: the database id must be 1-64 letters, digits or . _ -, got 'a b'",
        ),
    ],
)
def test_anchor_line_refuses_what_it_could_not_parse_back(args: tuple[object, ...], zh: str, en: str) -> None:
    head, rows, *rest = args
    assert refusal(lambda: sig.anchor_line(head, rows, AT_ANCHOR, *rest)) == Text(zh, en)  # type: ignore[arg-type]


def anchor_of(hashes: list[str], database_id: str | None = None) -> Anchor:
    return sig.parse_anchor(sig.anchor_line(sig.history_digest(hashes), len(hashes), AT_ANCHOR, database_id))


def test_the_history_holds_while_rows_are_only_added_after_the_anchor() -> None:
    anchor = anchor_of(HASHES[:5])
    assert sig.check_anchor(anchor, HASHES[:5]) is None
    assert sig.check_anchor(anchor, HASHES + [hashlib.sha256(b"later").hexdigest()] * 3) is None
    assert sig.check_anchor(anchor_of([]), []) is None


def test_the_stream_is_read_only_up_to_the_anchored_rows() -> None:
    def stream() -> object:
        yield from HASHES[:5]
        raise AssertionError("read past the anchor")

    assert sig.check_anchor(anchor_of(HASHES[:5]), stream()) is None  # type: ignore[arg-type]


REWRITTEN = Text(
    "前 5 行历史的摘要与锚点（2026-12-01T10:00:00Z）不符：锚点之前的历史被改写过（行被修改、删除或插入），请与备份核对",
    "the first 5 history rows no longer give the digest of the anchor of 2026-12-01T10:00:00Z: "
    "history up to the anchor was rewritten (rows changed, removed or inserted); compare with a backup",
)


@pytest.mark.parametrize(
    "now",
    [
        HASHES[:2] + ["e" * 64] + HASHES[3:],  # a row changed and its chain recomputed
        HASHES[:2] + HASHES[3:],  # a row deleted: a later row moves into the anchored five
        HASHES[:2] + ["e" * 64] + HASHES[2:],  # a row forged into a gap below the anchor
        [HASHES[1], HASHES[0], *HASHES[2:]],
    ],
    ids=["changed", "deleted", "inserted", "reordered"],
)
def test_a_rewritten_history_fails_the_anchor(now: list[str]) -> None:
    assert sig.check_anchor(anchor_of(HASHES[:5]), now) == REWRITTEN


def test_a_tampered_anchor_digest_fails() -> None:
    anchor = anchor_of(HASHES[:5])
    digit = "0" if anchor.head[0] != "0" else "1"
    tampered = sig.parse_anchor(anchor.line().replace(f"head={anchor.head}", f"head={digit}{anchor.head[1:]}"))
    assert sig.check_anchor(tampered, HASHES) == REWRITTEN


def test_a_history_shorter_than_the_anchor_says_rows_were_deleted() -> None:
    assert sig.check_anchor(anchor_of(HASHES[:5]), HASHES[:3]) == Text(
        "历史只有 3 行，而锚点（2026-12-01T10:00:00Z）记录了 5 行：锚点之前的历史被删除了，请与备份核对",
        "the history has 3 rows, the anchor of 2026-12-01T10:00:00Z covers 5: history up to the anchor was deleted; compare with a backup",
    )


@pytest.mark.parametrize(
    ("here", "zh_here", "en_here"), [("kam-other", "kam-other", "kam-other"), (None, "（无标识）", "(none)")]
)
def test_an_anchor_of_another_database_is_refused_as_such(here: str | None, zh_here: str, en_here: str) -> None:
    assert sig.check_anchor(anchor_of(HASHES[:5], "kam-7f3a"), HASHES, database_id=here) == Text(
        f"锚点（2026-12-01T10:00:00Z）属于数据库 kam-7f3a，当前数据库是 {zh_here}：检查 --db 或 KAM_DATABASE_URL 是否指向正确的数据库",
        f"the anchor of 2026-12-01T10:00:00Z is for database kam-7f3a, this database is {en_here}: "
        "check that --db or KAM_DATABASE_URL names the right database",
    )
    assert sig.check_anchor(anchor_of(HASHES[:5], "kam-7f3a"), HASHES, database_id="kam-7f3a") is None
    assert (
        sig.check_anchor(anchor_of(HASHES[:5]), HASHES, database_id="kam-other") is None
    )  # no db= in the line: not checked


def test_public_key_equality_is_by_key_bytes() -> None:
    assert PublicKey(ED_RAW[-32:], "a") == PublicKey(ED_RAW[-32:], "b")
    assert len({PublicKey(ED_RAW[-32:], "a"), PublicKey(ED_RAW[-32:], "b")}) == 1
