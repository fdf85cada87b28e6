"""The audit trail's filters offer each kind of record once, whatever the length of the trail."""

from __future__ import annotations

import re

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.database import distinct_values
from interviews.extensions import db


def test_the_record_filter_lists_each_kind_once_in_order(app, client, auth, make_user, count_queries):  # type: ignore[no-untyped-def]
    kinds = ["vote", "race", "candidate", "race", "note", "vote", "candidate", "interview", "race"]
    db.session.add_all(
        AuditEvent(actor_kind=ActorKind.system, actor_label="test", action="test.seeded", entity_type=k, entity_id=n)
        for n, k in enumerate(kinds * 5, start=1)
    )
    db.session.commit()
    # Whatever else the app has audited (the admin made below), each kind comes once, sorted.
    stored = sorted({t for (t,) in db.session.query(AuditEvent.entity_type).all()})
    with count_queries() as q:
        assert distinct_values(AuditEvent.entity_type) == stored
    assert q.count == 1
    assert {"candidate", "interview", "note", "race", "vote"} <= set(stored)
    auth.login(make_user("admin"))
    page = client.get("/admin/audit/").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="entity_type"[^>]*>(.*?)</select>', page, flags=re.S)
    assert select is not None
    offered = re.findall(r'<option value="([^"]+)"', select.group(1))
    assert offered == sorted(set(offered)) and {"candidate", "interview", "note", "race", "vote"} <= set(offered)
