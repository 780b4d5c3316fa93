"""The command groups of `kam`, one module per group; `cli.py` registers them.

Each module exposes COMMANDS and imports the core only inside its commands.
"""
