"""The PLOVER ontology as one table, and the crosswalks to older names and to CAMEO.

The table lives in ``plover.tsv`` beside this module (event type, quad class, CAMEO root,
intensity, modes). A user can point the ``ontology_path`` argument of :func:`load_ontology`
at their own file of the same shape to swap in a custom ontology.

``modes.tsv`` beside it is the CAMEO crosswalk: for each type (blank mode) and each of its
modes, the most specific CAMEO code the pair supports ("REQUEST" + "meet" is 106 *Demand
meeting, negotiation*, "ASSAULT" + "aerial" is 195 *Employ aerial weapons*) and what the
mode means, for exports in GDELT's shape and for the event page.
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

MODES_PATH = Path(__file__).with_name("modes.tsv")


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


@dataclass(frozen=True)
class CameoCode:
    """One row of ``modes.tsv``: a PLOVER type and mode (None: the type itself) and its CAMEO code."""

    event_type: str
    mode: str | None
    code: str  # 3 or 4 digits: "106", "0874"
    name: str  # CAMEO's name for the code
    meaning: str  # what the mode (or the type without one) means, in a few words

    @property
    def base_code(self) -> str:
        """GDELT's EventBaseCode: the first three digits."""
        return self.code[:3]

    @property
    def root_code(self) -> str:
        """GDELT's EventRootCode: the first two digits."""
        return self.code[:2]


@lru_cache(maxsize=4)
def load_cameo_codes(modes_path: Path = MODES_PATH) -> dict[tuple[str, str | None], CameoCode]:
    """Read ``modes.tsv`` into {(event type, mode or None): CameoCode}."""
    with open(modes_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        (row["event_type"], row["mode"] or None): CameoCode(
            event_type=row["event_type"], mode=row["mode"] or None, code=row["cameo_code"],
            name=row["cameo_name"], meaning=row["meaning"],
        )  # fmt: skip
        for row in rows
    }


def cameo_code(event_type: str, mode: str | None = None) -> CameoCode | None:
    """The most specific CAMEO code for a type and mode: the mode's row, else the type's
    (a mode the table does not list, as a custom ontology may have, falls back to its type);
    None for a type the table does not know."""
    codes = load_cameo_codes()
    return codes.get((event_type, mode)) or codes.get((event_type, None))


def cameo_root(event_type: str, mode: str | None = None) -> str:
    """The CAMEO root code ('01'..'20') for a PLOVER type, refined by mode where CAMEO splits it
    (ACCUSE + investigate is 09, ASSAULT + firearms is 19)."""
    found = cameo_code(event_type, mode)
    return found.root_code if found else load_ontology()[event_type].cameo_root


def describe(event_type: str, mode: str | None = None) -> dict[str, object]:
    """quad_class, intensity and CAMEO root for an event, as stored on every Event."""
    entry = load_ontology()[event_type]
    return {
        "quad_class": entry.quad_class,
        "intensity": entry.intensity,
        "cameo_root": cameo_root(event_type, mode),
    }
