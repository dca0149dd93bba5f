"""Persistence of ``g`` (§B.3): the platform pickles ``g`` at its save points and, after a server restart,
runs ``initialize`` again and restores the last saved ``g`` over what it set.  The account and orders
carry over a restart."""
from __future__ import annotations

import pickle


class GPersistence:
    def __init__(self, rt):
        self.rt = rt
        self.snapshot: dict[str, bytes] = {}

    def save(self, g) -> None:
        """Pickle ``g`` as the platform does at its save points: public attributes only; an attribute that
        cannot be pickled is skipped with a warning (once per name)."""
        state = {}
        for name, value in g.persistable().items():
            try:
                state[name] = pickle.dumps(value, protocol=4)
            except Exception as exc:  # unpicklable values are silently dropped by the platform
                self.rt.warn_once(f"persist:{name}", f"g.{name} cannot be pickled ({type(exc).__name__}); it is not "
                                  f"persisted — name it g.__{name} to mark it private")
        self.snapshot = state

    def restore(self, g) -> None:
        """Set the last saved attributes on ``g`` (after a restart's ``initialize``)."""
        for name, blob in self.snapshot.items():
            setattr(g, name, pickle.loads(blob))
