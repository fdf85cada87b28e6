"""The endorsement interviews application: create_app builds it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, config_from_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides: object) -> Flask:
    config_class = config_class or config_from_environment()
    from config import INSTANCE_DIR
    from interviews.urls import App

    app = App(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set. In production it is required: set the SECRET_KEY variable.")

    # `database` registers the SQLite connection settings when imported.
    from interviews import access, database, errors, extensions, filters, navigation, sections, security

    # First: the id converter must be in place before any route is added, the headers on every response.
    security.register(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.login_manager.init_app(app)
    extensions.login_manager.login_view = "auth.login"
    extensions.login_manager.login_message = "Please sign in to see that page."
    extensions.login_manager.login_message_category = "info"
    # The access policy runs before CSRF so that a refused role gets 403, not a token complaint.
    app.before_request(access.enforce_access_policy)
    app.before_request(access.refuse_nul_characters)
    app.teardown_request(database.forget_request_memo)
    app.teardown_request(database.end_read_only_transaction)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    import interviews.models
    import interviews.subscribers  # noqa: F401  (features subscribe to each other's events)
    from interviews.audit.views import bp as audit_bp
    from interviews.auth.views import bp as auth_bp
    from interviews.calendar.views import bp as calendar_bp
    from interviews.decisions.body_views import bp as bodies_bp
    from interviews.decisions.slate_views import bp as slate_bp
    from interviews.decisions.views import bp as decisions_bp
    from interviews.inbox.views import bp as inbox_bp
    from interviews.invitations.views import bp as invitations_bp
    from interviews.mail.views import bp as mail_bp
    from interviews.main.views import bp as main_bp
    from interviews.notes.views import bp as notes_bp
    from interviews.questionnaires.views import bp as questionnaires_bp
    from interviews.races.views import bp as races_bp
    from interviews.scheduling.views import bp as scheduling_bp
    from interviews.votes.views import bp as votes_bp

    for bp in (
        main_bp,
        auth_bp,
        audit_bp,
        races_bp,
        invitations_bp,
        scheduling_bp,
        calendar_bp,
        notes_bp,
        votes_bp,
        bodies_bp,
        decisions_bp,
        slate_bp,
        questionnaires_bp,
        mail_bp,
        inbox_bp,
    ):
        app.register_blueprint(bp)

    errors.register(app)
    filters.register(app)
    navigation.register(app)
    sections.register(app)

    from interviews import cli

    cli.register(app)
    return app
