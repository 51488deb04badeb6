"""Seeding: the demo practices (`seed_demo`) and bulk data for benchmarks (`seed_scale`)."""

from __future__ import annotations

from .seed_demo import SeedReport, seed_demo
from .seed_demo_data import (
    DEMO_CLIENT_USER_IDS,
    DEMO_PROFESSIONAL_IDS,
    DEMO_PROFESSIONAL_USER_IDS,
    DEMO_PROFESSIONALS,
    DEMO_SLUGS,
    DEMO_USER_IDS,
)
from .seed_scale import ScaleReport, seed_scale

__all__ = [
    "DEMO_CLIENT_USER_IDS",
    "DEMO_PROFESSIONALS",
    "DEMO_PROFESSIONAL_IDS",
    "DEMO_PROFESSIONAL_USER_IDS",
    "DEMO_SLUGS",
    "DEMO_USER_IDS",
    "ScaleReport",
    "SeedReport",
    "seed_demo",
    "seed_scale",
]
