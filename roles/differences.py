"""What changed between two versions of the standard, role by role and task by task.

Roles are matched on their code, tasks on role code and task code (as the task package matches
variations). ``differences(new, old)`` is the one computation; the standard's pages and the API
show its result. A task that changes kind (for example from core to excluded) is listed, so a
change in what houses must deliver never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from roles.models import Role, StandardVersion, Task

ROLE_ADDED = "rol_toegevoegd"
ROLE_REMOVED = "rol_vervallen"
TASK_ADDED = "taak_toegevoegd"
TASK_REMOVED = "taak_vervallen"
TITLE_CHANGED = "titel_gewijzigd"
DESCRIPTION_CHANGED = "omschrijving_gewijzigd"
KIND_CHANGED = "soort_gewijzigd"
NORM_CHANGED = "norm_gewijzigd"

#: Every kind of difference, in the order they are listed, with its Dutch label.
KIND_LABELS = {
    ROLE_ADDED: _("Rol toegevoegd"),
    ROLE_REMOVED: _("Rol vervallen"),
    TASK_ADDED: _("Taak toegevoegd"),
    TASK_REMOVED: _("Taak vervallen"),
    TITLE_CHANGED: _("Titel gewijzigd"),
    DESCRIPTION_CHANGED: _("Omschrijving gewijzigd"),
    KIND_CHANGED: _("Soort gewijzigd"),
    NORM_CHANGED: _("Norm gewijzigd"),
}

#: Task fields compared, with the kind of difference each gives.
COMPARED_FIELDS = [
    ("title", TITLE_CHANGED),
    ("description", DESCRIPTION_CHANGED),
    ("kind", KIND_CHANGED),
    ("norm", NORM_CHANGED),
]


@dataclass
class Difference:
    kind: str
    role_code: str
    role_name: str
    task_code: str = ""
    task_title: str = ""
    old: str = ""
    new: str = ""

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def affects_package(self) -> bool:
        """Does it change which tasks houses must deliver (the conformance denominator)?"""
        return self.kind in {ROLE_ADDED, ROLE_REMOVED, TASK_ADDED, TASK_REMOVED, KIND_CHANGED}


def _display(task: Task, field: str) -> str:
    if field == "kind":
        return str(task.get_kind_display())
    return getattr(task, field) or ""


def load_versions(*versions: StandardVersion) -> dict[int, list[Role]]:
    """Roles with their tasks of each version, in two queries."""
    ids = [v.pk for v in versions if v is not None]
    roles = Role.objects.filter(standard_version_id__in=ids).prefetch_related(
        Prefetch("tasks", queryset=Task.objects.order_by("position", "code"))
    )
    by_version: dict[int, list[Role]] = {pk: [] for pk in ids}
    for role in roles.order_by("position", "code"):
        by_version[role.standard_version_id].append(role)
    return by_version


def differences(new: StandardVersion, old: StandardVersion | None) -> list[Difference]:
    """What ``new`` changes compared with ``old`` (nothing when there is no ``old``)."""
    if old is None:
        return []
    loaded = load_versions(new, old)
    return compare(loaded[new.pk], loaded[old.pk])


def compare(new_roles: list[Role], old_roles: list[Role]) -> list[Difference]:
    """The differences between two lists of roles with prefetched tasks (no queries)."""
    result: list[Difference] = []
    old_by_code = {role.code: role for role in old_roles}
    new_codes = {role.code for role in new_roles}
    for role in new_roles:
        previous = old_by_code.get(role.code)
        if previous is None:
            result.append(Difference(ROLE_ADDED, role.code, role.name))
            continue
        old_tasks = {task.code: task for task in previous.tasks.all()}
        new_tasks = list(role.tasks.all())
        for task in new_tasks:
            before = old_tasks.get(task.code)
            if before is None:
                result.append(
                    Difference(
                        TASK_ADDED,
                        role.code,
                        role.name,
                        task.code,
                        task.title,
                        new=_display(task, "kind"),
                    )
                )
                continue
            for field, kind in COMPARED_FIELDS:
                if getattr(before, field) != getattr(task, field):
                    result.append(
                        Difference(
                            kind,
                            role.code,
                            role.name,
                            task.code,
                            task.title,
                            old=_display(before, field),
                            new=_display(task, field),
                        )
                    )
        kept = {task.code for task in new_tasks}
        for code, task in old_tasks.items():
            if code not in kept:
                result.append(
                    Difference(
                        TASK_REMOVED,
                        role.code,
                        role.name,
                        code,
                        task.title,
                        old=_display(task, "kind"),
                    )
                )
    for role in old_roles:
        if role.code not in new_codes:
            result.append(Difference(ROLE_REMOVED, role.code, role.name))
    return result
