"""kam's core, in four floors; each imports only from the floors below it (import-linter holds this).

    views/       what a command prints or renders: the --json objects, the PDF page contexts
    operations/  the transactions that change things: moves, fills, sign-offs, follow-ups, imports
    rules/       pure functions, no database: the process, the lifecycle, the machine, requirements,
                 compliance rules, plan dates, ratings, the audit's checks
    records/     tables, models, the database, the hash chain, the queries several places share

Ground, imported by everything: `errors` (the one error tree) and `i18n` (`Text`, `t`).
Nothing here imports click; `cli.py` and `commands/` are clients of this package.
"""
