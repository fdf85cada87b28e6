"""The password rules, in one place: every way of setting a password (an admin, `flask create-user`,
the account page, a reset link) asks `check_password_rules` and shows its reasons.

Length alone lets `aaaaaaaaaaaa` and `password1234` through, so the password must also be hard to
guess by zxcvbn's estimate (which knows common and breached passwords, keyboard walks, dates, l33t),
counting the person's own name and e-mail address as guessable.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's scale: 0 too guessable ... 4 very unguessable; 3 is "safely unguessable" (about 10^10 guesses).
MIN_SCORE = 3
# zxcvbn refuses longer input; what lies past this many characters only makes a password stronger.
_ZXCVBN_MAX = 72


def _user_inputs(email: str, name: str) -> list[str]:
    local, _, domain = email.lower().partition("@")
    words = [email.lower(), local, domain, name.lower(), *re.split(r"[\W_]+", f"{local} {name.lower()}")]
    return [word for word in dict.fromkeys(words) if len(word) > 1]


def check_password_rules(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why `password` may not be used, one sentence per reason; empty when it may."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters (this one has {len(password)})."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_user_inputs(email, name))
    if result["score"] >= MIN_SCORE:
        return []
    feedback = result["feedback"]
    warning = str(feedback.get("warning") or "").strip()
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        reason = "This password is too easy to guess: it contains your name or e-mail address."
    elif warning:
        reason = f"This password is too common or too easy to guess: {warning.rstrip('.')}."
    else:
        reason = "This password is too common or too easy to guess."
    hints = [str(hint) for hint in feedback.get("suggestions") or []]
    return [reason, *hints] if hints else [reason, "Try a few unrelated words."]
