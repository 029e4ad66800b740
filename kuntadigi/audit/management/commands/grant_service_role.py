"""Give the service's database role the rights it needs, and on the audit trail no more than it needs.

    DATABASE_URL=$MIGRATION_DATABASE_URL manage.py migrate
    DATABASE_URL=$MIGRATION_DATABASE_URL manage.py grant_service_role kuntadigi_service [--create]

Run it as the tables' owner (the role that runs the migrations), after `migrate`, every time: it is
idempotent. PostgreSQL only. The service's role gets

- SELECT, INSERT, UPDATE and DELETE on every table of the schema, and the sequences, now and (default
  privileges of the owner) on the tables and sequences later migrations create;
- on the audit trail (audit_auditevent) SELECT and INSERT only: no UPDATE, DELETE or TRUNCATE, and,
  not being the owner, it cannot ALTER the table or disable its triggers;
- on django_migrations SELECT only (the service reads which migrations ran; the owner applies them).

With --create a missing role is created with LOGIN (its password from the environment variable named by
--password-env, default SERVICE_DATABASE_PASSWORD, when set); creating a role needs CREATEROLE.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

AUDIT_TABLE = "audit_auditevent"
READ_ONLY_TABLES = ("django_migrations",)


class Command(BaseCommand):
    help = "Grant the service's database role its rights (PostgreSQL; run as the tables' owner after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the database role the service connects as (the user in its DATABASE_URL)")
        parser.add_argument("--create", action="store_true", help="create the role (LOGIN) when it does not exist")
        parser.add_argument("--password-env", default="SERVICE_DATABASE_PASSWORD", help="environment variable holding the new role's password")

    def handle(self, *args, role, create, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_service_role is for PostgreSQL: SQLite has no roles.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(f"The service's role must not be the role that owns the tables ({owner}): give the service a role of its own.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                if not create:
                    raise CommandError(f"The role {role} does not exist: create it (CREATE ROLE ... LOGIN PASSWORD ...) or run with --create.")
                password = os.environ.get(password_env)
                statement = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role))
                if password:
                    statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
                cursor.execute(statement.as_string(connection.connection))
                self.stdout.write(f"Created the role {role}.")
            names = {"role": sql.Identifier(role), "database": sql.Identifier(database), "schema": sql.Identifier(schema), "audit": sql.Identifier(AUDIT_TABLE)}
            for statement in (
                "GRANT CONNECT ON DATABASE {database} TO {role}",
                "GRANT USAGE ON SCHEMA {schema} TO {role}",
                "REVOKE CREATE ON SCHEMA {schema} FROM {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
                "REVOKE ALL ON TABLE {audit} FROM {role}",
                "GRANT SELECT, INSERT ON TABLE {audit} TO {role}",
            ):
                cursor.execute(sql.SQL(statement).format(**names).as_string(connection.connection))
            for table in READ_ONLY_TABLES:
                for statement in ("REVOKE ALL ON TABLE {table} FROM {role}", "GRANT SELECT ON TABLE {table} TO {role}"):
                    composed = sql.SQL(statement).format(table=sql.Identifier(table), role=sql.Identifier(role))
                    cursor.execute(composed.as_string(connection.connection))
        self.stdout.write(
            f"The role {role} may read and write the tables of {database}.{schema}; on {AUDIT_TABLE} it may only read and insert. "
            f"Tables created later by {owner} are granted to it by default."
        )
