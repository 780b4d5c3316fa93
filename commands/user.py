"""The roster (用户名单): who owns deals, who signs for which department, who changes the roster.

The first `kam user add` on an empty roster makes that person the admin; from then on only
an admin changes the roster. Once anyone is on it, an opportunity's owner must be on it,
and a sign-off is accepted only from an enabled reviewer (or admin) of that department who
is not the deal's owner. Nobody is deleted: `disable` keeps the person and their history.

\b
Example:
  kam --actor 刘总 user add 刘总
  kam --actor 刘总 user add 钱进 --role reviewer --department finance --login qianjin
  kam user list
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, pass_kam
from commands._table import table
from commands._values import ChoiceType
from forms.choices import USER_ROLE
from workflow.operations import roster as operations
from workflow.rules import signatures
from workflow.views.roster import roster_view, user_view

ROLES = ChoiceType(USER_ROLE)  # --role reviewer or 审批人


@click.group("user", cls=KamGroupBase, help=__doc__)
def user() -> None:
    pass


def _show(kam: Kam, data: dict[str, Any], zh: str, en: str) -> None:
    kam.emit(data, lambda: kam.say(zh, en))


def _summary(kam: Kam, data: dict[str, Any]) -> tuple[str, str]:
    """`钱进（审批人，财务部，登录名 qianjin）`, in both languages."""
    zh_parts = [data["role_label"] if kam.lang == "zh" else "", "、".join(data["department_labels"])]
    en_parts = [data["role"], ", ".join(data["department_labels"])]
    if data["login"]:
        zh_parts.append(f"登录名 {data['login']}")
        en_parts.append(f"login {data['login']}")
    if data["email"]:
        zh_parts.append(data["email"])
        en_parts.append(data["email"])
    zh = "，".join(p for p in zh_parts if p)
    en = ", ".join(p for p in en_parts if p)
    return f"{data['name']}（{zh}）", f"{data['name']} ({en})"


@user.command("add")
@click.argument("name")
@click.option(
    "--department", "departments", multiple=True, help="A department this person signs for / works in (repeat)."
)
@click.option(
    "--role", type=ROLES, help="manager (default: owns deals), reviewer (signs) or admin (changes the roster)."
)
@click.option("--login", help="The PostgreSQL role this person connects as (on a team server).")
@click.option("--email", help="E-mail address.")
@pass_kam
def user_add(
    kam: Kam, name: str, departments: tuple[str, ...], role: str | None, login: str | None, email: str | None
) -> None:
    """Put a person on the roster (as an admin; the first person added becomes the admin). --json prints the entry.

    \b
    Example:
      kam --actor 刘总 user add 刘总
      kam --actor 刘总 user add 王磊 --department sales --email wanglei@example.com
      kam --actor 刘总 user add 钱进 --role reviewer --department finance --login qianjin
    """
    with kam.db.write() as session:
        connection = session.connection()
        entry, first = operations.add_user(
            connection,
            kam.process,
            name,
            actor=kam.actor,
            departments=departments,
            role=role,
            login=login,
            email=email,
        )
        data = user_view(connection, kam.process, entry, kam.lang) | {"first_admin": first}
    zh, en = _summary(kam, data)
    if first:
        _show(
            kam,
            data,
            f"已添加 {zh}：用户名单的第一个人即为管理员，此后只有管理员能修改名单",
            f"added {en}: the first person on the roster is its admin; from now on only an admin changes it",
        )
    else:
        _show(kam, data, f"已添加 {zh}", f"added {en}")


@user.command("list")
@pass_kam
def user_list(kam: Kam) -> None:
    """Everyone on the roster, disabled people too. --json prints every entry.

    \b
    Example:
      kam user list
      kam user list --json
    """
    with kam.db.read() as session:
        data = roster_view(session.connection(), kam.process, kam.lang)

    def human() -> None:
        if not data:
            kam.say(
                "用户名单为空：任何名字都可以操作；第一个 kam user add 的人成为管理员",
                "the roster is empty: any name may act; the first person added with kam user add becomes its admin",
            )
            return
        headers = (
            [kam.t(*h) for h in (("姓名", "name"), ("角色", "role"), ("部门", "departments"), ("登录名", "login"),
             ("邮箱", "e-mail"), ("状态", "status"), ("公钥", "key"))]
        )  # fmt: skip
        rows = [
            (
                u["name"],
                u["role_label"],
                "、".join(u["department_labels"]) if kam.lang == "zh" else ", ".join(u["department_labels"]),
                u["login"] or "",
                u["email"] or "",
                kam.t("启用", "enabled") if u["enabled"] else kam.t("已停用", "disabled"),
                u["keys"][-1]["fingerprint"] if u["keys"] else "",
            )
            for u in data
        ]
        table(headers, rows)

    kam.emit(data, human)


@user.command("edit")
@click.argument("name")
@click.option("--department", "departments", multiple=True, help="The departments (repeat; replaces the list).")
@click.option("--no-department", is_flag=True, help="Clear the departments.")
@click.option("--role", type=ROLES, help="manager, reviewer or admin.")
@click.option("--login", help='The PostgreSQL role this person connects as ("" clears it).')
@click.option("--email", help='E-mail address ("" clears it).')
@click.option("--enable", is_flag=True, help="Enable a disabled person again.")
@pass_kam
def user_edit(
    kam: Kam,
    name: str,
    departments: tuple[str, ...],
    no_department: bool,
    role: str | None,
    login: str | None,
    email: str | None,
    enable: bool,
) -> None:
    """Change a roster entry (as an admin; only what is given changes). Recorded in the ledger.

    \b
    Example:
      kam --actor 刘总 user edit 李芳 --role reviewer --department finance --department legal
      kam --actor 刘总 user edit 王磊 --login wanglei
    """
    given = () if no_department else departments or None
    with kam.db.write() as session:
        connection = session.connection()
        entry = operations.edit_user(
            connection,
            kam.process,
            name,
            actor=kam.actor,
            departments=given,
            role=role,
            login=login,
            email=email,
            enabled=True if enable else None,
        )
        data = user_view(connection, kam.process, entry, kam.lang)
    zh, en = _summary(kam, data)
    _show(kam, data, f"已修改 {zh}", f"changed {en}")


@user.command("disable")
@click.argument("name")
@pass_kam
def user_disable(kam: Kam, name: str) -> None:
    """Disable a person (as an admin): kept with their history, but they may no longer own deals or sign.

    \b
    Example:
      kam --actor 刘总 user disable 孙红
    """
    with kam.db.write() as session:
        connection = session.connection()
        entry = operations.disable_user(connection, kam.process, name, actor=kam.actor)
        data = user_view(connection, kam.process, entry, kam.lang)
    _show(
        kam,
        data,
        f"已停用 {data['name']}：保留其记录，不能再负责商机或审批（恢复：kam user edit {data['name']} --enable）",
        f"disabled {data['name']}: kept with their history, no longer owns deals or signs "
        f"(undo: kam user edit {data['name']} --enable)",
    )


@user.command("key")
@click.argument("name")
@click.option(
    "--public-key", "public_key", required=True, metavar="FILE", help="The OpenSSH public key (id_ed25519.pub)."
)
@pass_kam
def user_key(kam: Kam, name: str, public_key: str) -> None:
    """Register a reviewer's Ed25519 public key: their signed sign-offs are checked against it from now on.

    Make the key with `ssh-keygen -t ed25519` (OpenSSH format; only Ed25519). A new key
    replaces the old one for new signatures; sign-offs signed before stay checked against the
    key registered when they were signed. The reviewer registers their own key, or an admin does.

    \b
    Example:
      ssh-keygen -t ed25519 -f ~/.ssh/kam_ed25519
      kam --actor 钱进 user key 钱进 --public-key ~/.ssh/kam_ed25519.pub
    """
    key = signatures.read_public_key(public_key)
    with kam.db.write() as session:
        connection = session.connection()
        row = operations.register_key(connection, name, key, actor=kam.actor)
        entry = operations.get(connection, name)
        data = user_view(connection, kam.process, entry, kam.lang) | {"registered": row.fingerprint}
    _show(
        kam,
        data,
        f"已登记 {data['name']} 的公钥 {row.fingerprint}（ssh-ed25519）：此后的签名审批用它核对",
        f"registered {data['name']}'s key {row.fingerprint} (ssh-ed25519): signed sign-offs are checked against it",
    )


COMMAND = user
