"""kam's core: the process definition, the state machine, guards and persistence.

Nothing here imports click; `cli.py` and `commands/` are clients of this package.
"""
