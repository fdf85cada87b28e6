"""Independent parsers, each run in its own process: libical (Debian's python3 with gi) and vobject.

vobject caches time zones per process, so every call starts a fresh interpreter. Each returns one
dict per VEVENT: uid, sequence, status, summary, start/end as UTC ISO strings, and the METHOD.
"""

from __future__ import annotations

import json
import subprocess
import sys

LIBICAL = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")  # libical-glib: the C libical behind Evolution and GNOME
from gi.repository import ICalGLib as I
root = I.Component.new_from_string(sys.stdin.read())
utc = I.Timezone.get_utc_timezone()
def utc_of(t):
    t = t.clone()
    t.convert_to_zone_inplace(utc)
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % (
        t.get_year(), t.get_month(), t.get_day(), t.get_hour(), t.get_minute(), t.get_second())
out = []
comp = root.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
while comp is not None:
    status = comp.get_status()
    out.append({
        "uid": comp.get_uid(),
        "sequence": comp.get_sequence(),
        "summary": comp.get_summary(),
        "status": I.Property.status_to_string(status) if status != I.PropertyStatus.NONE else "",
        "start": utc_of(comp.get_dtstart()),
        "end": utc_of(comp.get_dtend()),
        "tzid": comp.get_dtstart().get_tzid() or "",
        "attendees": comp.count_properties(I.PropertyKind.ATTENDEE_PROPERTY),
        "properties": comp.count_properties(I.PropertyKind.ANY_PROPERTY),
    })
    comp = root.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
method = root.get_method()
print(json.dumps({"method": I.Property.method_to_string(method) if method != I.PropertyMethod.NONE else "",
                  "events": out}))
"""

VOBJECT = r"""
import json, sys
from datetime import timezone
import vobject
cal = vobject.readOne(sys.stdin.read())
out = []
for ev in getattr(cal, "vevent_list", []):
    def utc_of(v):
        return v.astimezone(timezone.utc).isoformat()
    out.append({
        "uid": ev.uid.value,
        "sequence": int(ev.sequence.value) if hasattr(ev, "sequence") else None,
        "summary": ev.summary.value,
        "status": ev.status.value if hasattr(ev, "status") else "",
        "start": utc_of(ev.dtstart.value),
        "end": utc_of(ev.dtend.value),
        "attendees": len(getattr(ev, "attendee_list", [])),
    })
print(json.dumps({"method": cal.method.value if hasattr(cal, "method") else "", "events": out}))
"""


def _run(python: str, script: str, data: bytes) -> dict:
    result = subprocess.run([python, "-c", script], input=data, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def with_libical(data: bytes) -> dict:
    return _run("/usr/bin/python3", LIBICAL, data)


def with_vobject(data: bytes) -> dict:
    return _run(sys.executable, VOBJECT, data)
