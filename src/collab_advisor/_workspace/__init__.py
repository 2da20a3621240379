"""Team workspaces kept in a database, rounds, and signed decision records (issue 23).

Needs the 'workspaces' extra (SQLAlchemy, Alembic, cryptography, krippendorff, psycopg).
"""
