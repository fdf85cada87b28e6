"""On PostgreSQL, triggers that refuse to change or delete a final vote, its parts, publications and the audit trail.

The app never needs to: finalising is the last UPDATE of a vote row (from closed to final), ballots,
totals, presence and options are written only before that, publications and audit events are only
ever inserted. So the triggers stop an app bug, or a stray UPDATE or DELETE sent through the app's
own database role, before it reaches the record. They do not stop whoever may drop or disable
triggers (the tables' owner, a superuser; the tests empty their tables with the triggers off, as a
superuser), nor TRUNCATE (row triggers do not see it), nor a restore of an old backup:
`votes verify --head` with a head an outside witness kept is what catches a chain rewritten wholesale.

The same `install` runs from the Alembic revision and after `create_all` (the tests' schema).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, MetaData, event, text

from interviews.extensions import db

# The parts of a vote that its final record covers, each with a vote_id column.
FINAL_VOTE_PARTS = ("vote_options", "vote_roll", "ballots", "ballot_box_totals")
# Rows that are only ever inserted.
APPEND_ONLY = ("vote_publications", "audit_events")

FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION refuse_change_of_final_vote() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'final' THEN
            RAISE EXCEPTION 'vote % is final: its row cannot be changed or deleted', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION refuse_change_of_final_vote_part() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM votes WHERE id = OLD.vote_id AND status = 'final'))
           OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM votes WHERE id = NEW.vote_id AND status = 'final')) THEN
            RAISE EXCEPTION '% of a final vote cannot be added, changed or deleted', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION refuse_change_of_appended_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: rows cannot be changed or deleted', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END $$
    """,
]

# (trigger, table, events, function)
TRIGGERS = [
    ("votes_final_guard", "votes", "UPDATE OR DELETE", "refuse_change_of_final_vote"),
    *[
        (f"{t}_final_guard", t, "INSERT OR UPDATE OR DELETE", "refuse_change_of_final_vote_part")
        for t in FINAL_VOTE_PARTS
    ],
    *[(f"{t}_append_only", t, "UPDATE OR DELETE", "refuse_change_of_appended_row") for t in APPEND_ONLY],
]


def install(connection: Connection) -> None:
    """Create (or replace) the functions and triggers; nothing on other databases."""
    if connection.dialect.name != "postgresql":
        return
    for statement in FUNCTIONS:
        connection.execute(text(statement))
    for name, table, events, function in TRIGGERS:
        connection.execute(text(f'DROP TRIGGER IF EXISTS {name} ON "{table}"'))
        connection.execute(
            text(f'CREATE TRIGGER {name} BEFORE {events} ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}()')
        )


def uninstall(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for name, table, _events, _function in TRIGGERS:
        connection.execute(text(f'DROP TRIGGER IF EXISTS {name} ON "{table}"'))
    for function in sorted({function for _name, _table, _events, function in TRIGGERS}):
        connection.execute(text(f"DROP FUNCTION IF EXISTS {function}()"))


def _after_create_all(target: MetaData, connection: Connection, **kw: Any) -> None:
    install(connection)


event.listen(db.metadata, "after_create", _after_create_all)
