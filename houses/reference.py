"""Loading the reference data (``houses/data/*.yaml``) without overwriting local edits.

Each record is matched on its code. A field takes the reference value only when nobody changed
it since the reference data was last loaded: the loader compares the current value with the
value of the last history record it wrote itself (change reason ``REFERENCE_REASON``). A field
somebody edited keeps their value; a record somebody created keeps all of theirs. Nothing is
saved when nothing changes, so loading twice writes no history.
"""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import yaml
from django.db import transaction

from houses.models import House, PoliceUnit
from roles.models import CaseMeetingType, Role, StandardVersion, Task

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_REASON = "Referentiegegevens geladen"


def read(name: str) -> dict:
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class ReferenceLoader:
    def __init__(self):
        self.stats = Counter()

    def sync(self, model, lookup: dict, values: dict, create_only: dict | None = None):
        """Create or update one record; returns it. ``create_only`` fields are set on creation."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(create_only or {}))
            obj.full_clean()
            obj._change_reason = REFERENCE_REASON
            obj.save()
            self.stats[f"{model._meta.model_name}: aangemaakt"] += 1
            return obj
        last_loaded = (
            obj.history.filter(history_change_reason=REFERENCE_REASON)
            .order_by("-history_date", "-history_id")
            .first()
        )
        changed = False
        for name, new in values.items():
            current = getattr(obj, name)
            if current == new:
                continue
            if last_loaded is None or getattr(last_loaded, name) != current:
                self.stats[f"{model._meta.model_name}: lokale wijziging behouden"] += 1
                continue
            setattr(obj, name, new)
            changed = True
        if changed:
            obj.full_clean()
            obj._change_reason = REFERENCE_REASON
            obj.save()
            self.stats[f"{model._meta.model_name}: bijgewerkt"] += 1
        return obj

    @transaction.atomic
    def load(self):
        units = self.load_units()
        self.load_standard()
        self.load_houses(units)
        return self.stats

    def load_units(self) -> dict[str, PoliceUnit]:
        data = read("police-units.yaml")
        units = {}
        for unit in data["units"]:
            units[unit["code"]] = self.sync(
                PoliceUnit,
                {"code": unit["code"]},
                {
                    "name": unit["name"],
                    "kind": unit["kind"],
                    "safety_regions": unit.get("safety_regions") or [],
                    "source": data.get("source", ""),
                },
            )
        return units

    def load_standard(self):
        data = read("standard.yaml")
        std = data["standard"]
        existing = StandardVersion.objects.filter(version=std["version"]).first()
        # A published or superseded version never changes, not even from the reference data.
        if existing is None or not existing.is_frozen:
            self.build_standard(std, new=existing is None)
        self.load_case_meeting_types(data)

    def build_standard(self, std, *, new: bool):
        """Create (or update, while a draft) the version of the reference data; a new one is
        built as a draft and then published, or marked superseded when a newer version is
        already published."""
        version = self.sync(
            StandardVersion,
            {"version": std["version"]},
            {
                "title": std["title"],
                "source": std.get("source", ""),
                "principles": std.get("principles") or [],
            },
        )
        for position, role in enumerate(std["roles"], start=1):
            role_obj = self.sync(
                Role,
                {"standard_version": version, "code": role["code"]},
                {
                    "name": role["name"],
                    "purpose": role.get("purpose", ""),
                    "expected_presence": role["expected_presence"],
                    "position": position,
                },
            )
            for task_position, task in enumerate(role.get("tasks", []), start=1):
                self.sync(
                    Task,
                    {"role": role_obj, "code": task["code"]},
                    {
                        "title": task["title"],
                        "description": task.get("description", ""),
                        "norm": task.get("norm", ""),
                        "kind": task["kind"],
                        "note": task.get("note", ""),
                        "position": task_position,
                    },
                )
        if new:
            published_on = std.get("published_on") or datetime.date(2013, 2, 1)
            changes = "Eerste versie van de standaard."
            if StandardVersion.objects.published().exists():
                version.retire(on=published_on, changes=changes)
            else:
                version.publish(on=published_on, changes=changes)

    def load_case_meeting_types(self, data):
        source = data.get("case_meeting_types_source", "")
        for meeting in data["case_meeting_types"]:
            self.sync(
                CaseMeetingType,
                {"code": meeting["code"]},
                {
                    "name": meeting["name"],
                    "theme": meeting.get("theme", ""),
                    "police_involvement": meeting["police_involvement"],
                    "source": source,
                },
            )

    def load_houses(self, units: dict[str, PoliceUnit]):
        for house in read("houses.yaml")["houses"]:
            self.sync(
                House,
                {"code": house["code"]},
                {
                    "name": house["name"],
                    "former_names": house.get("former_names") or [],
                    "seat": house.get("seat") or "",
                    "locations": house.get("locations") or [],
                    "safety_region": house["safety_region"],
                    "police_unit_id": units[house["police_unit"]].pk,
                    "municipalities": house.get("municipalities") or [],
                    "website": house.get("website") or "",
                    "confidence": house.get("confidence", House.Confidence.CONFIRMED),
                    "opened_on": house.get("opened_on") or house.get("opened"),
                    "source": house.get("source") or "",
                    "notes": house.get("notes") or "",
                },
            )


def load_reference() -> Counter:
    return ReferenceLoader().load()
