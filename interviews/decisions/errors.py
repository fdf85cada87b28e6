"""The decisions feature's refusal: a message for the person who tried, with nothing stored changed."""


class DecisionError(Exception):
    """A refused action, with a message for the person who tried it."""
