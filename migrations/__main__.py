"""`python -m migrations revision -m MSG [--autogenerate --db URL]` for developers."""

from __future__ import annotations

import argparse

from alembic import command

from migrations import config
from workflow.records.db import Database

parser = argparse.ArgumentParser(prog="python -m migrations")
sub = parser.add_subparsers(dest="cmd", required=True)
rev = sub.add_parser("revision")
rev.add_argument("-m", "--message", required=True)
rev.add_argument("--autogenerate", action="store_true")
rev.add_argument("--db")
args = parser.parse_args()
engine = Database(args.db).engine if args.autogenerate else None
command.revision(config(engine), message=args.message, autogenerate=args.autogenerate)
