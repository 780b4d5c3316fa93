"""click's own messages in the language of the invocation: usage errors and the `Error:` / `错误：` prefix (issue 16).

click writes every message through gettext (`_("Missing argument")`, `ngettext(...)`);
kam ships no compiled catalogue, so `begin(args)` gives click's modules a `_` and an
`ngettext` that look the English text up in `ZH` when the invocation is in Chinese,
and a usage error is shown by `UsageError` here (用法：… / 运行 'kam … --help' 查看帮助。
/ 错误：…). The language is known before click parses anything: the last `--lang`
on the command line (global, or after the command name), else KAM_LANG, else Chinese.

    begin(args)        read the language from the command line, put the translation in place
    language()         the language of this invocation ("zh" or "en")
    prefix(lang)       "错误：" or "Error: ", the one prefix of every error line
    localized(exc)     a click usage error as this module shows it (exit code 2, as click's)
"""

from __future__ import annotations

import os
from typing import Any

import click

_state = {"lang": "zh"}

# click's English messages (click 8.x msgids) and what a Chinese user reads instead. A placeholder that click fills
# with a repr (`{value!r}`) is written without it here: 「」 quote the value as every other kam message does.
ZH: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项「{name}」。",
    "No such command {name!r}.": "没有命令「{name}」。",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数「{args}」",
    "Got unexpected extra arguments ({args})": "多余的参数「{args}」",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} requires an argument.": "选项「{name}」后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项「{name}」后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项「{name}」不带值。",
    "Argument {name!r} takes {nargs} values.": "参数「{name}」需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{value!r} is not a valid {number_type}.": "「{value}」不是{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not {choice}.": "「{value}」不是可选值；可选：{choice}。",
    "{value!r} is not one of {choices}.": "「{value}」不是可选值；可选：{choices}。",
    "{value!r} does not match the format {format}.": "「{value}」不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "「{value}」不符合格式 {formats}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "「{value}」应为是/否；可写：{states}",
    "{value!r} is not a valid UUID.": "「{value}」不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "{name} {filename!r} is a file.": "{name}「{filename}」是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "没有权限读取{name}「{filename}」。",
    "{name} {filename!r} is not writable.": "没有权限写入{name}「{filename}」。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件「{filename}」：{message}",
    "Aborted!": "已中止。",
}
# Words click puts into those messages, formatted in English before the language is known (a `click.Path` names
# itself "file" when the command is declared) or not translated at all (the number types).
_WORDS = {
    "integer": "整数",
    "float": "数字",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
}
_USAGE = {"zh": "用法：", "en": "Usage: "}
_HINT = "Try '{command} {option}' for help."


class _Chinese(str):
    """A Chinese template whose `format` also turns click's English words (integer, file) into Chinese."""

    __slots__ = ()

    def format(self, *args: Any, **values: Any) -> str:
        words = {k: _WORDS.get(v.lower(), v) if isinstance(v, str) else v for k, v in values.items()}
        return str.format(self, *args, **words)


# click's English messages that echo what was typed without quotes: quoted, as every kam message quotes it.
EN: dict[str, str] = {
    "Got unexpected extra argument ({args})": "Got unexpected extra argument “{args}”",
    "Got unexpected extra arguments ({args})": "Got unexpected extra arguments “{args}”",
}


def _gettext(message: str) -> str:
    if _state["lang"] == "zh" and message in ZH:
        return _Chinese(ZH[message])
    return EN.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _gettext(singular if count == 1 else plural)


def begin(args: list[str] | tuple[str, ...] | None) -> str:
    """The language of this invocation, from `args` (the whole command line), put in place for click's messages."""
    lang = os.environ.get("KAM_LANG", "zh")
    words = list(args or ())
    for i, word in enumerate(words):
        if word == "--":
            break
        value = words[i + 1] if word == "--lang" and i + 1 < len(words) else word.partition("=")[2]
        if (word == "--lang" or word.startswith("--lang=")) and value in ("zh", "en"):
            lang = value
    _state["lang"] = lang if lang in ("zh", "en") else "zh"
    for module in (click.core, click.exceptions, click.parser, click.types):
        vars(module)["_"] = _gettext
        if "ngettext" in vars(module):
            vars(module)["ngettext"] = _ngettext
    return _state["lang"]


def language() -> str:
    return _state["lang"]


def prefix(lang: str) -> str:
    """How every error line starts: 错误： in Chinese, `Error: ` in English."""
    return "错误：" if lang == "zh" else "Error: "


class UsageError(click.UsageError):
    """A usage error as the user reads it: the usage line, the help hint and one error line, in their language."""

    def __init__(self, message: str, ctx: click.Context | None, lang: str) -> None:
        super().__init__(message, ctx)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        if self.ctx is not None:
            usage = self.ctx.get_usage()
            if usage.startswith(_USAGE["en"]):
                usage = _USAGE[self.lang] + usage[len(_USAGE["en"]) :]
            hint = _HINT if self.lang == "en" else ZH[_HINT]
            names = self.ctx.command.get_help_option_names(self.ctx)
            click.echo(usage, err=True)
            if names:
                click.echo(hint.format(command=self.ctx.command_path, option=max(names, key=len)), err=True)
            click.echo(err=True)
        click.echo(prefix(self.lang) + self.format_message(), err=True)


def localized(exc: click.UsageError, clean: Any) -> UsageError:
    """`exc` (any click usage error, already worded through `ZH`) with its message made safe for a terminal."""
    lang = language()
    message = clean(exc.format_message())
    if lang == "zh" and message.endswith("."):
        message = message[:-1] + "。"  # click ends "Missing argument 'X'" with an English full stop itself
    return UsageError(message, exc.ctx, lang)
