"""kam — the key-account six-step workflow from the command line.

The entry point: global options, error conversion, and the command groups
(each in `commands/`). Exit codes: 0 success, 1 refused or invalid input,
2 usage error. Every error line, click's usage errors too, is in the language
of the invocation (`commands._usage`).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from typing import Any

import click

import commands
from commands import _usage
from commands._common import Kam, KamCommandError, check_arguments, clean, convert
from workflow.errors import KamError
from workflow.records import acting


def _start_up_over() -> None:
    """Turn the cyclic garbage collector back on, past everything loaded so far.

    `main` starts with the collector off: importing the command's module (the
    core, SQLAlchemy's mapping, the schema) allocates tens of thousands of
    long-lived objects, and the collections they set off cost about a tenth of
    a second of every command. Once the command is resolved, those objects are
    frozen (never scanned again) and collection resumes for the work itself,
    however long it runs.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class KamGroup(click.Group):
    """The lazy top-level group, and the edge where domain errors become one clear message and exit code 1.

    The commands are `commands.names()`; a command's module is imported only to
    run it (`kam opp show` imports `commands/opp.py`, not all seventeen), and
    `kam --help` lists them from their modules' first docstring lines.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return commands.names()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `kam --help`, each command's summary read without importing it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, (self.commands.get(name) or _stand_in(name)).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """`kam <Tab>`: the commands with their summaries, read without importing a command module."""
        from click.shell_completion import CompletionItem

        names = [name for name in self.list_commands(ctx) if name.startswith(incomplete)]
        return [CompletionItem(name, help=commands.summary(name)) for name in names] + click.Command.shell_complete(
            self, ctx, incomplete
        )

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            command = commands.load(cmd_name)
            if command is None:
                return None
            self.add_command(command)
        return self.commands[cmd_name]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        resolved = super().resolve_command(ctx, args)
        _start_up_over()  # the command's module is loaded: the work starts here
        return resolved

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if parent is None:
            _usage.begin(args)  # click's own messages in the language asked for, before it parses anything
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _usage.UsageError:
            raise
        except click.UsageError as exc:
            raise _usage.localized(exc, clean) from None  # a usage error quotes what was typed: made safe
        except click.ClickException as exc:
            exc.message = clean(exc.message)  # type: ignore[misc]  # click declares it final; a usage error quotes what was typed
            raise

    def invoke(self, ctx: click.Context) -> Any:
        from_kam = ctx.find_object(Kam)
        try:
            return super().invoke(ctx)
        except _usage.UsageError:
            raise
        except click.UsageError as exc:
            raise _usage.localized(exc, clean) from None  # usage errors quote what was typed: no escape sequences back
        except click.ClickException as exc:
            exc.message = clean(exc.message)  # type: ignore[misc]  # usage errors quote what was typed: no escape sequences back
            raise
        except (click.exceptions.Exit, click.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            kam = ctx.find_object(Kam) or from_kam
            if isinstance(exc, KamError):
                raise convert(exc, kam) from None
            if os.environ.get("KAM_DEBUG"):
                raise
            raise KamCommandError(
                f"internal error: {type(exc).__name__}: {exc} (set KAM_DEBUG=1 for the traceback and please report it)",
                [],
                None,
                kam.lang if kam else _usage.language(),
            ) from None
        finally:
            acting.recording_for(None)  # an admin's recording for someone ends with the command


def _stand_in(name: str) -> click.Command:
    """An unloaded command's help line, shortened by click as the real command's would be."""
    return click.Command(name, help=commands.summary(name))


@click.group(cls=KamGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    "db_url",
    envvar="KAM_DATABASE_URL",
    metavar="URL",
    help="SQLAlchemy database URL or SQLite file path (env KAM_DATABASE_URL).",
)
@click.option(
    "--actor",
    envvar="KAM_USER",
    help="Who is acting (env KAM_USER; default: the database role on PostgreSQL, else the login name).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    envvar="KAM_LANG",
    default="zh",
    show_default=True,
    help="Language of output.",
)
@click.option(
    "--process",
    "process_path",
    envvar="KAM_PROCESS",
    metavar="FILE",
    help="A company process file (YAML) instead of the built-in six steps.",
)
@click.version_option("0.1.0", prog_name="kam")
@click.pass_context
def cli(
    ctx: click.Context, db_url: str | None, actor: str | None, as_json: bool, lang: str, process_path: str | None
) -> None:
    """kam: move key-account deals through the six steps (客户开发六步法).

    \b
    Example:
      kam account add 包头鑫达物流 --type enterprise --class A --industry 物流 --fleet-size 120
      kam opp new 1 "20 台牵引车" --quantity 20
      kam opp check 1
    """
    check_arguments(ctx.command, ctx)
    ctx.obj = Kam(db_url, actor, as_json, lang, process_path)


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM ends kam as an exception does, so a file being written is removed, not left half done."""
    raise SystemExit(128 + signum)


def main() -> None:
    gc.disable()  # until the command's module is loaded: see _start_up_over
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(prog_name="kam")
    except KeyboardInterrupt:
        click.echo("已中止。" if _usage.language() == "zh" else "Aborted.", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # the reader went away (`kam opp list | head`): stop quietly; Python must not fail flushing stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
