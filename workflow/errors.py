"""The one error tree: raised by the core, `forms` and `reports`, converted once at the command-line edge.

    KamError                      base: a bilingual message (`Text`) and detail lines; exit code 1
    ├── NotFound                  an account, opportunity, document or version that does not exist
    ├── InvalidInput              a bad value or file; `details` lists each field and rule
    │   ├── forms.UnknownKind     a document kind no schema declares
    │   └── forms.FormInvalid     a document that fails its schema (`errors`: every FieldError)
    ├── Refused                   a move whose guard failed; `missing` lists every unmet requirement
    ├── ConcurrentChange          someone else changed the opportunity since it was read
    ├── DatabaseBusy              the database stayed locked past the wait
    ├── DatabaseNotReady          no schema yet, an older one (`kam init`), or no connection
    ├── PermissionDenied          the database server refused the write (a read-only role)
    └── reports.ReportError       this machine cannot render the PDF (`kam doctor` says why)
        ├── MissingFont           no Chinese font
        ├── MissingSubsetter      no HarfBuzz subsetter
        ├── MissingRenderer       WeasyPrint or Pango cannot be loaded
        └── RefusedResource       a URL outside kam's packaged assets

The foreign exceptions that can reach a user are mapped into it once, where
they enter: the database driver's in `records.db`, WeasyPrint's in
`reports.pdf`, the file system's where files are read or written. "Internal
error" is left for bugs. Every message names the object and says what to do.
"""

from __future__ import annotations

from typing import NamedTuple

from workflow.i18n import Text


class KamError(Exception):
    code = "error"

    def __init__(self, message: Text, details: list[Text] | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        self.details = details or []

    def render(self, lang: str = "zh") -> str:
        return self.message.render(lang)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled whole, rebuilt without calling __init__ (subclasses take other arguments): a refusal raised
        # in a render worker process (`reports.batch`) reaches the command as the same refusal.
        return (_rebuilt, (type(self), self.__dict__))


def _rebuilt(cls: type[KamError], state: dict[str, object]) -> KamError:
    error = cls.__new__(cls)
    message = state["message"]
    Exception.__init__(error, getattr(message, "en", message))
    error.__dict__.update(state)
    return error


class NotFound(KamError):
    code = "not-found"


class InvalidInput(KamError):
    code = "invalid-input"


class ConcurrentChange(KamError):
    code = "concurrent-change"


class DatabaseBusy(KamError):
    code = "database-busy"


class DatabaseNotReady(KamError):
    code = "database-not-ready"


class Missing(NamedTuple):  # a tuple, not a dataclass: `kam --help` imports this module and dataclasses costs 1.4 ms
    """One unmet requirement of a transition: a stable code, a message and the command that supplies it."""

    code: str
    message: Text
    command: str = ""

    def to_dict(self, lang: str = "zh") -> dict[str, str]:
        return {"code": self.code, "message": self.message.render(lang), "command": self.command}


class Refused(KamError):
    code = "refused"

    def __init__(self, message: Text, missing: list[Missing]) -> None:
        super().__init__(message)
        self.missing = missing


class PermissionDenied(KamError):
    """The database server refused the write: the role kam connects as may not do it (a read-only role)."""

    code = "permission-denied"
