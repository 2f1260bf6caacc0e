"""Inspector: offline-first desktop app for product-quality field inspectors."""

from __future__ import annotations

#: The distribution name in pyproject.toml, whose metadata holds the one version.
DISTRIBUTION = "inspector"


def version() -> str:
    """The installed version, from the package metadata (pyproject.toml's `version`).

    A checkout run without installing it (PYTHONPATH) reads pyproject.toml beside it.
    """
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(name)
