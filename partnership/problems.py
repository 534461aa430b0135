"""A scenario's problems: the error that carries them, shared by the reader and the schema (MODEL.md section 5)."""

from __future__ import annotations

__all__ = ["ScenarioError"]


class ScenarioError(ValueError):
    """A scenario that breaks a rule: ``problems`` holds one plain-English line per problem,
    each starting with the dotted name of the field (``prices.host: must be >= 0, got -5``)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
