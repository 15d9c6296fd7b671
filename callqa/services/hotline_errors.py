"""What a hotline event can fail with. Domain errors carry no HTTP codes: `api/errors.py` maps each
subtype to its status."""

from __future__ import annotations


class HotlineError(LookupError):
    """A hotline event that cannot be applied (no HTTP codes: `api/errors.py` maps each subtype)."""


class HotlineNotFoundError(HotlineError):
    """Unknown (or inactive) call or agent."""


class HotlineInputError(HotlineError):
    """A request that is invalid in itself (unknown IVR choice, unknown agent status)."""


class HotlineStateError(HotlineError):
    """An event that does not fit the call's or agent's current state (answer an ended call …)."""


class HotlineRefusedError(HotlineError):
    """A call no agent of the hotline could ever take (a skill nobody has, a language nobody speaks);
    refused at arrival rather than queued for ever. The message gives the reason."""


class HotlineNotLeaderError(HotlineError):
    """Another server owns the hotline on this database (see `callqa.services.leader`); the message
    names it."""
