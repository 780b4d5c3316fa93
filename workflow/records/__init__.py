"""The first floor: tables, ORM models, the database, the hash chain, files, and the queries several places read."""
