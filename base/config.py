"""Dataclass configs that round-trip through plain dicts (as stored in checkpoints)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound="DictConfig")


class DictConfig:
    """Mixin for dataclass configs: ``to_dict()`` and ``from_dict()`` that refuses unknown keys,
    so a typo in a config file or a checkpoint from another model is an error, not a silent
    default."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls: type[T], values: Mapping[str, Any]) -> T:
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown {cls.__name__} fields: {', '.join(unknown)}")
        return cls(**values)
