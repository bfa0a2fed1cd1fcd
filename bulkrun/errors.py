"""The one exception type of the Bulkrun client."""

from __future__ import annotations

from typing import Any, Optional


class BulkrunError(Exception):
    """A failure the Bulkrun server reported, or a server that could not be reached.

    ``code`` is the server's error code (``validation_failed``, ``not_found``,
    ``wrong_state``, ...), ``server_unavailable`` when no server answered, or
    ``http_<status>`` for an error answer that was not the server's JSON (e.g. a proxy's
    HTML page). ``details`` is what the server attached: for a preflight failure a list
    of ``{row, field, message}``, one per problem.
    """

    def __init__(
        self,
        code: str,
        message: str,
        details: Any = None,
        status: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.status = status

    def problems(self) -> list[str]:
        """One line per ``{row, field, message}`` entry of ``details`` (else none)."""
        if not isinstance(self.details, list):
            return []
        lines = []
        for item in self.details:
            if not isinstance(item, dict):
                continue
            row, field, text = item.get("row"), item.get("field"), item.get("message", "")
            where = ", ".join(
                part
                for part in (
                    f"row {row}" if row is not None else "",
                    str(field) if field else "",
                )
                if part
            )
            lines.append(f"{where}: {text}" if where else str(text))
        return lines

    def __str__(self) -> str:
        return "\n".join([self.message, *self.problems()])

    def __repr__(self) -> str:
        return f"BulkrunError(code={self.code!r}, message={self.message!r}, status={self.status!r})"

    def __reduce__(self):  # type: ignore[override]
        # Exception pickles self.args (the message only); keep every field.
        return (type(self), (self.code, self.message, self.details, self.status))
