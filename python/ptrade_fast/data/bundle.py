"""Where the data root is: explicit argument, then ``$PTRADE_FAST_DATA``, then the bundled sample."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_VAR = "PTRADE_FAST_DATA"


def bundle_root() -> Path:
    """The sample bundle: ``ptrade_fast/_bundle`` in an installed wheel (CMake installs the repo's
    ``data/`` there), else the source checkout's ``data/`` (editable installs, PYTHONPATH=python)."""
    try:
        installed = Path(str(resources.files("ptrade_fast") / "_bundle"))
        if (installed / "meta.json").is_file():
            return installed
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[3] / "data"


def resolve_root(root=None) -> Path:
    """Pick the data root: ``root`` if given, then the ``PTRADE_FAST_DATA`` environment variable, then
    the bundle.  Raises FileNotFoundError if the chosen folder has no ``meta.json``."""
    if root is not None:
        path = Path(root)
    elif os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR])
    else:
        path = bundle_root()
    if not (path / "meta.json").is_file():
        if (path / "meta.json.importing").is_file():
            raise FileNotFoundError(f"data root {path} is incomplete: an import was interrupted "
                                    f"(meta.json.importing present, meta.json missing); re-run the import to complete it")
        raise FileNotFoundError(f"no ptrade_fast data root at {path} (meta.json missing)")
    return path
