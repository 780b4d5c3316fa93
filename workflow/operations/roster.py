"""The roster (`kam user add/edit/disable/key`): people, their departments and roles, their keys.

How a company starts: the first `kam user add` on an empty roster makes that person the
admin (whatever role was asked for: someone must be able to change the roster); from then
on only an enabled admin changes it, and the last enabled admin cannot be demoted or
disabled. Nobody is deleted: `disable` keeps the person, their sign-offs and their history.
Every write is recorded in the person's ledger chain (subject "user"), so `kam audit
verify` names a roster row or key changed outside kam.

Writers of the roster are serialized: SQLite has one writer; on PostgreSQL the users
table is locked for the transaction (two "first users" at once cannot both become admin).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from forms.choices import USER_ROLE
from workflow.errors import InvalidInput, NotFound, Refused
from workflow.i18n import Text, t
from workflow.records import ledger, roster, tables
from workflow.records.roster import User
from workflow.rules import signatures
from workflow.rules.process import Process
from workflow.values.names import name_key, normalize_name, same_person
from workflow.values.writing import as_written

NAME = t("姓名 (NAME)", "name (NAME)")
ACTOR = t("操作人 (--actor / KAM_USER)", "actor (--actor / KAM_USER)")
U = tables.users.c
# A PostgreSQL role name as `current_user` returns it (unquoted identifiers are folded to lower case).
_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _new_id(connection: Connection, statement: Any) -> int:
    """The id of the row `statement` inserts."""
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def _departments(process: Process, departments: Sequence[str]) -> list[str]:
    out: list[str] = []
    for typed in departments:
        # the id or the label as typed (销售部, Sales); the stored value is the id
        department = process.department_choice.parse(typed, t("会签部门", "sign-off department"))
        if department not in out:
            out.append(department)
    return out


def _role(role: str) -> str:
    if role not in USER_ROLE.values:
        raise InvalidInput(
            t(
                f"角色「{as_written(role)}」无效；可选：{', '.join(USER_ROLE.values)}",
                f"role “{as_written(role)}” is not valid; choose one of: {', '.join(USER_ROLE.values)}",
            )
        )
    return role


def _login(connection: Connection, login: str | None, user_id: int | None) -> str | None:
    if login is None or login == "":
        return None
    if not _LOGIN.fullmatch(login):
        raise InvalidInput(
            t(
                f"登录名 (--login)「{as_written(login)}」不是 PostgreSQL 角色名："
                "字母或下划线开头，只用字母、数字、_ 和 $，最多 63 个",
                f"login (--login) “{as_written(login)}” is not a PostgreSQL role name: a letter or _ first, then "
                "letters, digits, "
                "_ or $, at most 63",
            )
        )
    taken = roster.by_login(connection, login)
    if taken is not None and taken.id != user_id:
        raise InvalidInput(
            t(
                f"登录名 {login} 已属于 {taken.name}：一个数据库角色只对应一个人",
                f"login {login} already belongs to {taken.name}: one database role is one person",
            )
        )
    return login


def _email(email: str | None) -> str | None:
    if email is None or email.strip() == "":
        return None
    email = email.strip()
    if len(email) > 200 or not _EMAIL.fullmatch(email):
        raise InvalidInput(
            t(
                f"邮箱 (--email)「{as_written(email)}」格式不对：例如 qianjin@example.com",
                f"e-mail (--email) “{as_written(email)}” is not an address: e.g. qianjin@example.com",
            )
        )
    return email


def _require_admin(connection: Connection, actor: str) -> None:
    """Refuses unless `actor` is an enabled admin of the roster."""
    user = roster.find(connection, actor)
    if user is not None and user.is_admin:
        return
    names = roster.admins(connection)
    raise Refused(
        t(
            f"只有管理员能修改用户名单，{actor} 不是管理员：请管理员（{'、'.join(names)}）操作",
            f"only an admin changes the roster and {actor} is not one: ask an admin ({', '.join(names)})",
        ),
        [],
    )


def _record(connection: Connection, user_id: int, actor: str, action: str) -> None:
    ledger.record(connection, "user", user_id, actor=actor, action=action)


def get(connection: Connection, name: str) -> User:
    """The roster entry of `name` (NotFound naming how to add it)."""
    user = roster.find(connection, normalize_name(name, NAME))
    if user is None:
        raise NotFound(
            t(
                f"用户名单上没有 {normalize_name(name, NAME)}：用 kam user list 查看，或 kam user add 添加",
                f"{normalize_name(name, NAME)} is not on the roster: see kam user list, or kam user add",
            )
        )
    return user


def add_user(
    connection: Connection,
    process: Process,
    name: str,
    *,
    actor: str,
    departments: Sequence[str] = (),
    role: str | None = None,
    login: str | None = None,
    email: str | None = None,
) -> tuple[User, bool]:
    """Put a person on the roster; returns (the entry, whether they became the first admin)."""
    shown = normalize_name(name, NAME)
    if roster.in_use(connection):
        _require_admin(connection, actor)  # before the lock, which a role that may not write the roster cannot take
    _lock(connection)
    first = not roster.in_use(connection)
    if not first:
        _require_admin(connection, actor)
    existing = roster.find(connection, shown)
    if existing is not None:
        raise InvalidInput(
            t(
                f"{existing.name} 已在用户名单上：修改用 kam user edit {existing.name}",
                f"{existing.name} is already on the roster: change the entry with kam user edit {existing.name}",
            )
        )
    chosen = "admin" if first else _role(role or "manager")
    depts = _departments(process, departments)
    if chosen == "reviewer" and not depts:
        raise InvalidInput(_reviewer_without_department(shown))
    now = tables.utcnow()
    user_id = _new_id(
        connection,
        insert(tables.users).values(
            name=shown,
            name_key=name_key(shown),
            departments=depts,
            role=chosen,
            login=_login(connection, login, None),
            email=_email(email),
            enabled=True,
            created_by=actor,
            created_at=now,
            updated_at=now,
        ),
    )
    _record(connection, user_id, actor, "user-add")
    return get(connection, shown), first


def _reviewer_without_department(name: str) -> Text:
    return t(
        f"审批人须属于至少一个部门：加 --department，例如 kam user add {name} --role reviewer --department finance",
        f"a reviewer signs for at least one department: add --department, e.g. kam user add {name} --role reviewer "
        "--department finance",
    )


def edit_user(
    connection: Connection,
    process: Process,
    name: str,
    *,
    actor: str,
    departments: Sequence[str] | None = None,
    role: str | None = None,
    login: str | None = None,
    email: str | None = None,
    enabled: bool | None = None,
) -> User:
    """Change a roster entry (only what is given; `departments` replaces the list, "" clears login or e-mail)."""
    _require_admin(connection, actor)
    _lock(connection)
    user = get(connection, name)
    values: dict[str, object] = {}
    if departments is not None:
        values["departments"] = _departments(process, departments)
    if role is not None:
        values["role"] = _role(role)
    if login is not None:
        values["login"] = _login(connection, login, user.id)
    if email is not None:
        values["email"] = _email(email)
    if enabled is not None:
        values["enabled"] = enabled
    if not values:
        raise InvalidInput(
            t(
                f"没有要修改的内容：例如 kam user edit {user.name} --department finance --role reviewer",
                f"nothing to change: e.g. kam user edit {user.name} --department finance --role reviewer",
            )
        )
    after_role = str(values.get("role", user.role))
    after_enabled = bool(values.get("enabled", user.enabled))
    if after_role == "reviewer" and not values.get("departments", user.departments):
        raise InvalidInput(_reviewer_without_department(user.name))
    if user.is_admin and (after_role != "admin" or not after_enabled) and roster.admins(connection) == [user.name]:
        raise Refused(
            t(
                f"{user.name} 是唯一的管理员：先让另一人成为管理员（kam user edit 姓名 --role admin），"
                f"再修改 {user.name}",
                f"{user.name} is the only admin: make someone else admin first (kam user edit NAME --role admin), "
                f"then change {user.name}",
            ),
            [],
        )
    values["updated_at"] = tables.utcnow()
    connection.execute(update(tables.users).where(U.id == user.id).values(**values))
    action = "user-disable" if enabled is False else "user-enable" if enabled else "user-edit"
    _record(connection, user.id, actor, action)
    return get(connection, user.name)


def disable_user(connection: Connection, process: Process, name: str, *, actor: str) -> User:
    """Disable a roster entry: kept (with its history and sign-offs), but it may no longer act or sign."""
    user = get(connection, name)
    if not user.enabled:
        raise InvalidInput(t(f"{user.name} 已停用", f"{user.name} is already disabled"))
    return edit_user(connection, process, user.name, actor=actor, enabled=False)


def register_key(connection: Connection, name: str, public_key: signatures.PublicKey, *, actor: str) -> roster.KeyRow:
    """Register `name`'s Ed25519 public key: it verifies their signed sign-offs from now until their next key.

    An admin registers anyone's key; a person registers their own.
    """
    user = get(connection, name)
    me = roster.find(connection, actor)
    if me is None or not (me.is_admin or (me.id == user.id and me.enabled)):
        raise Refused(
            t(
                f"只有 {user.name} 本人或管理员能登记 {user.name} 的公钥",
                f"only {user.name} or an admin may register {user.name}'s key",
            ),
            [],
        )
    if not user.enabled:
        raise Refused(
            t(
                f"{user.name} 已停用，不能登记公钥：先由管理员启用（kam user edit {user.name} --enable）",
                f"{user.name} is disabled and cannot register a key: an admin enables them first "
                f"(kam user edit {user.name} --enable)",
            ),
            [],
        )
    text_form = signatures.public_key_text(public_key)
    K = tables.user_keys.c
    taken = connection.execute(select(K.user_id).where(K.public_key == text_form)).scalar()
    if taken is not None:
        owner = next(u.name for u in roster.users(connection) if u.id == taken)
        print_ = signatures.fingerprint(public_key)
        raise InvalidInput(
            t(
                f"这个公钥（{print_}）已登记给 {owner}：每人用自己的密钥，用 ssh-keygen -t ed25519 生成一把新的",
                f"this key ({print_}) is already registered to {owner}: each person signs "
                "with their own key; make a new one with ssh-keygen -t ed25519",
            )
        )
    now = _after_last_key(connection, user.id)
    key_id = _new_id(
        connection,
        insert(tables.user_keys).values(
            user_id=user.id,
            public_key=text_form,
            fingerprint=signatures.fingerprint(public_key),
            created_by=actor,
            created_at=now,
        ),
    )
    ledger.record(connection, "user_key", key_id, actor=actor, action="user-key")
    return next(k for k in roster.keys(connection, user.id) if k.id == key_id)


def _after_last_key(connection: Connection, user_id: int) -> dt.datetime:
    """Now, or just after the user's last key if the clock says otherwise (keys are ordered by time)."""
    now = tables.utcnow()
    previous = [k.created_at for k in roster.keys(connection, user_id)]
    if previous and max(previous) >= now:
        return max(previous) + dt.timedelta(microseconds=1)
    return now


def server_actor(connection: Connection, login: str, requested: str | None) -> tuple[str, str | None]:
    """Who acts on a PostgreSQL server connected as `login`: (the actor, the admin recording for them or None).

    With an empty roster the server's role is the actor unless `--actor`/`KAM_USER` names one
    (as before the roster). Once the roster is in use the server decides: the actor is the
    enabled person whose `--login` is the connected role; naming anyone else is refused
    unless that person is an admin, who then records on the other's behalf.
    """
    if not roster.in_use(connection):
        return (requested if requested is not None else login), None
    me = roster.by_login(connection, login)
    if me is None or not me.enabled:
        state_zh, state_en = (
            ("不是用户名单上任何人的登录名", "is nobody's login on the roster")
            if me is None
            else (f"是已停用的 {me.name} 的登录名", f"is the login of {me.name}, who is disabled")
        )
        raise Refused(
            t(
                f"数据库角色 {login} {state_zh}，不能写入：请管理员用 kam user edit 姓名 --login {login} 登记",
                f"the database role {login} {state_en} and may not write: an admin registers it with "
                f"kam user edit NAME --login {login}",
            ),
            [],
        )
    if requested is None:
        return me.name, None
    wanted = normalize_name(requested, ACTOR)
    if same_person(wanted, me.name):
        return me.name, None
    if not me.is_admin:
        raise Refused(
            t(
                f"你以数据库角色 {login}（{me.name}）连接，不能以 {wanted} 的名义操作：只有管理员能代录；"
                "去掉 --actor 和 KAM_USER",
                f"you are connected as the database role {login} ({me.name}) and may not act as {wanted}: only an "
                "admin records for someone else; drop --actor and KAM_USER",
            ),
            [],
        )
    target = roster.find(connection, wanted)
    return (target.name if target is not None else wanted), me.name


def registered_keys(connection: Connection, user_id: int) -> list[signatures.RegisteredKey]:
    """A person's keys as the roster holds them, each valid until the next one (a stored key that no longer
    parses is left out: the sign-offs it signed are then named as having no key)."""
    rows = roster.keys(connection, user_id)
    out = []
    for i, row in enumerate(rows):
        try:
            key = signatures.load_public_key(row.public_key, f"user_keys {row.id}")
        except InvalidInput:
            continue
        until = rows[i + 1].created_at if i + 1 < len(rows) else None
        out.append(signatures.RegisteredKey(key, row.created_at, until))
    return out
