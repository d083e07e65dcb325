"""The 25 safety regions (veiligheidsregio's) as a tile map, coloured from the task packages.

Each region is one square tile on a grid, placed roughly where it lies in the Netherlands (a
cartogram, not a map: every region gets the same size). The page draws the tiles as an SVG on
the server; no map tiles or scripts are loaded from anywhere. Like ``houses.overview`` this
reads task packages and runs no queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from houses.models import House
from houses.package import TaskPackage

#: Region name, short label on the tile, grid column (west to east), grid row (north to south).
REGIONS = [
    ("Fryslân", "FR", 3, 0),
    ("Groningen", "GR", 4, 0),
    ("Noord-Holland-Noord", "NHN", 2, 1),
    ("Drenthe", "DR", 4, 1),
    ("Kennemerland", "KEN", 1, 2),
    ("Zaanstreek-Waterland", "ZW", 2, 2),
    ("Flevoland", "FL", 3, 2),
    ("IJsselland", "IJS", 4, 2),
    ("Twente", "TW", 5, 2),
    ("Haaglanden", "HGL", 0, 3),
    ("Hollands Midden", "HM", 1, 3),
    ("Amsterdam-Amstelland", "AA", 2, 3),
    ("Gooi en Vechtstreek", "GV", 3, 3),
    ("Noord- en Oost-Gelderland", "NOG", 5, 3),
    ("Rotterdam-Rijnmond", "RR", 1, 4),
    ("Zuid-Holland-Zuid", "ZHZ", 2, 4),
    ("Utrecht", "UT", 3, 4),
    ("Gelderland-Midden", "GM", 4, 3),
    ("Gelderland-Zuid", "GZ", 4, 4),
    ("Zeeland", "ZE", 1, 5),
    ("Midden- en West-Brabant", "MWB", 2, 5),
    ("Brabant-Noord", "BN", 3, 5),
    ("Brabant-Zuidoost", "BZO", 3, 6),
    ("Limburg-Noord", "LN", 4, 6),
    ("Zuid-Limburg", "ZL", 4, 7),
]

TILE = 84
GAP = 6
COLUMNS = max(column for _n, _s, column, _r in REGIONS) + 1
ROWS = max(row for _n, _s, _c, row in REGIONS) + 1

COLOUR_BY = {
    "conformiteit": _("conformiteit"),
    "aandacht": _("open punten"),
}

#: Legend per colouring: (class, label). Every fill keeps dark text readable (WCAG AA).
LEGENDS = {
    "conformiteit": [
        ("full", _("alle standaardtaken conform")),
        ("high", _("vanaf 80 procent conform")),
        ("mid", _("50 tot 80 procent conform")),
        ("low", _("minder dan 50 procent conform")),
        ("none", _("geen huis of geen gegevens")),
    ],
    "aandacht": [
        ("full", _("geen open punten")),
        ("mid", _("1 of 2 open punten")),
        ("low", _("3 of meer open punten")),
        ("none", _("geen huis")),
    ],
}


@dataclass
class RegionTile:
    name: str
    short: str
    x: int
    y: int
    houses: list[House] = field(default_factory=list)
    standard_tasks: int = 0
    as_standard: int = 0
    vacant_roles: int = 0
    proposed: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int | None:
        if not self.standard_tasks:
            return None
        return round(100 * self.as_standard / self.standard_tasks)

    @property
    def open_items(self) -> int:
        """Open points: roles left vacant, proposals awaiting a decision, overdue phase-outs."""
        return self.vacant_roles + self.proposed + self.overdue

    def shade(self, colour_by: str) -> str:
        if not self.houses:
            return "none"
        if colour_by == "aandacht":
            if self.open_items == 0:
                return "full"
            return "mid" if self.open_items <= 2 else "low"
        percent = self.percent
        if percent is None:
            return "none"
        if percent == 100:
            return "full"
        if percent >= 80:
            return "high"
        return "mid" if percent >= 50 else "low"

    @property
    def text_x(self) -> int:
        return self.x + TILE // 2

    @property
    def label_y(self) -> int:
        return self.y + TILE // 2 - 4

    @property
    def value_y(self) -> int:
        return self.y + TILE // 2 + 18


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def region_tiles(houses, packages: dict[int, TaskPackage]) -> tuple[list[RegionTile], list]:
    """The tiles of the 25 regions with their houses' figures, and the houses whose region is
    not one of them (shown below the map, so nothing silently disappears)."""
    tiles = [
        RegionTile(name=name, short=short, x=column * (TILE + GAP), y=row * (TILE + GAP))
        for name, short, column, row in REGIONS
    ]
    by_name = {_key(tile.name): tile for tile in tiles}
    elsewhere = []
    for house in houses:
        tile = by_name.get(_key(house.safety_region))
        if tile is None:
            elsewhere.append(house)
            continue
        summary = packages[house.pk].summary
        tile.houses.append(house)
        tile.standard_tasks += summary.standard_tasks
        tile.as_standard += summary.delivered_as_standard
        tile.vacant_roles += summary.vacant_roles
        tile.proposed += summary.proposed
        tile.overdue += summary.overdue_phase_outs
    return tiles, elsewhere


def map_size() -> tuple[int, int]:
    return COLUMNS * (TILE + GAP) - GAP, ROWS * (TILE + GAP) - GAP
