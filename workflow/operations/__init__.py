"""The third floor: the transactions that change things, each in the caller's session (see `Database.write()`)."""
