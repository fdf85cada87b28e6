"""The Alembic revisions build exactly the schema the models describe, and go back down."""

from __future__ import annotations

import os
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from config import TestConfig
from interviews import create_app
from interviews.database import include_in_migrations
from interviews.extensions import db


def _fresh_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}", None
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"interviews_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


def test_upgrade_matches_models_and_downgrade_empties(tmp_path):
    url, cleanup = _fresh_database_url(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": include_in_migrations}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == [], f"models and migrations differ: {differences}"
            # The full-text search structures, which the models do not describe, are made too.
            inspector = inspect(db.engine)
            if db.engine.dialect.name == "sqlite":
                assert {"notes_fts", "candidates_fts"} <= set(inspector.get_table_names())
            else:
                assert "ix_notes_search_vector" in {ix["name"] for ix in inspector.get_indexes("notes")}
                assert "search_vector" in {c["name"] for c in inspector.get_columns("candidates")}
            # The demo loads on the migrated schema (not only on create_all's).
            from interviews.demo import load_demo

            assert load_demo() is True
            db.session.remove()
            downgrade(revision="base")
            tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
