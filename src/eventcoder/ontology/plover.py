"""The PLOVER ontology as one table, and the crosswalks to older names and to CAMEO.

The table lives in ``plover.tsv`` beside this module (event type, quad class, CAMEO root,
intensity, modes). A user can point the ``ontology_path`` argument of :func:`load_ontology`
at their own file of the same shape to swap in a custom ontology.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ONTOLOGY_PATH = Path(__file__).with_name("plover.tsv")

# PLOVER 0.5 (the gold-standard records) and earlier drafts used names that were later
# merged or renamed. Value: (current type, mode or None).
PLOVER05_CROSSWALK: dict[str, tuple[str, str | None]] = {
    "DEMAND": ("REQUEST", None),
    "DISAPPROVE": ("ACCUSE", "disapprove"),
    "INVESTIGATE": ("ACCUSE", "investigate"),
    "FIGHT": ("ASSAULT", None),
    "YIELD": ("CONCEDE", None),
    "ENGAGE": ("COOPERATE", None),
}

# Modes whose CAMEO root differs from the type's default (CAMEO 09 investigate, 19 fight).
CAMEO_ROOT_BY_MODE: dict[tuple[str, str], str] = {
    ("ACCUSE", "investigate"): "09",
    ("ASSAULT", "firearms"): "19",
    ("ASSAULT", "heavy-weapons"): "19",
    ("ASSAULT", "aerial"): "19",
    ("ASSAULT", "unconventional"): "20",
    ("ASSAULT", "cleansing"): "20",
    ("COERCE", "seize"): "17",
}


@dataclass(frozen=True)
class EventType:
    name: str
    quad_class: int
    quad_name: str
    cameo_root: str
    intensity: float
    modes: tuple[str, ...]
    description: str


@lru_cache(maxsize=4)
def load_ontology(ontology_path: Path = ONTOLOGY_PATH) -> dict[str, EventType]:
    """Read the ontology table into {event type: EventType}."""
    with open(ontology_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        row["event_type"]: EventType(
            name=row["event_type"],
            quad_class=int(row["quad_class"]),
            quad_name=row["quad_name"],
            cameo_root=row["cameo_root"],
            intensity=float(row["intensity"]),
            modes=tuple(m for m in row["modes"].strip().split(",") if m),
            description=row["description"],
        )
        for row in rows
    }


def current_name(name: str) -> tuple[str, str | None]:
    """Map a PLOVER 0.5 (or current) type name to (current type, implied mode)."""
    name = name.strip().upper()
    return PLOVER05_CROSSWALK.get(name, (name, None))


def cameo_root(event_type: str, mode: str | None = None) -> str:
    """The CAMEO root code ('01'..'20') for a PLOVER type, refined by mode where CAMEO splits it."""
    if mode and (event_type, mode) in CAMEO_ROOT_BY_MODE:
        return CAMEO_ROOT_BY_MODE[(event_type, mode)]
    return load_ontology()[event_type].cameo_root


def describe(event_type: str, mode: str | None = None) -> dict[str, object]:
    """quad_class, intensity and CAMEO root for an event, as stored on every Event."""
    entry = load_ontology()[event_type]
    return {
        "quad_class": entry.quad_class,
        "intensity": entry.intensity,
        "cameo_root": cameo_root(event_type, mode),
    }
