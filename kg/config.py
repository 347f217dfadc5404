"""Settings, declared once. Read from the environment only at the edge (CLI, `make run`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlparse


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the product reads, with the environment variable that sets it."""

    build_dir: Path = Path("data/build")  # KG_BUILD_DIR
    raw_dir: Path = Path("data/raw")  # KG_RAW_DIR
    base_uri: str = "https://example.org/glossary/"  # KG_BASE_URI
    model: str = "all-MiniLM-L6-v2"  # KG_MODEL: the packaged model's name or a local folder
    cache_dir: Path = Path("data/cache")  # KG_CACHE_DIR: embedding cache and ONNX export
    backend: str = "onnx"  # KG_BACKEND: onnx (fast) or torch
    precision: str = "int8"  # KG_PRECISION: int8 (8-bit weights, faster queries) or fp32
    curation: Path = Path("data/curation.toml")  # KG_CURATION: reviewed human decisions

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"KG_{f.name.upper()}")
            if raw:
                values[f.name] = Path(raw) if f.type in ("Path", Path) else raw
        settings = cls(**values)  # type: ignore[arg-type]
        return replace(settings, base_uri=base_uri(settings.base_uri))

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"KG_BACKEND is {self.backend!r}; choose {' or '.join(BACKENDS)}")


BACKENDS = ("onnx", "torch")


def base_uri(value: str) -> str:
    """An absolute http(s) URI that concept ids can follow: a "/" is added unless it ends
    with "/" or "#" ("https://x.test/g" gives https://x.test/g/churn, not .../gchurn)."""
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError(
            f"KG_BASE_URI is {value!r}; give an absolute http(s) URI such as "
            "https://example.org/glossary/"
        )
    return value if value.endswith(("/", "#")) else value + "/"


def environment_variables() -> list[str]:
    """Every environment variable the product reads (one per setting)."""
    return [f"KG_{f.name.upper()}" for f in fields(Settings)]
