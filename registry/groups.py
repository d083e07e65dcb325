"""The groups that carry each kind of user's Django model permissions.

An account needs only a kind (and an eenheid for unit staff): saving a user puts it in the
group of its kind, and ``manage.py setup_groups`` (also run after every ``migrate``) creates or
updates the groups and re-syncs every account. The model permissions say what a kind may do
with a model at all; which objects it may change is decided by the edit-rights module
(``registry.lib.rights``), which the admin asks as well.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)

#: Every model people maintain, by "app_label.model".
STANDARD_MODELS = ["roles.standardversion", "roles.role", "roles.task", "roles.casemeetingtype"]
LOCAL_MODELS = [
    "houses.policeunit",
    "houses.district",
    "houses.house",
    "houses.housecasemeeting",
    "houses.assignment",
    "houses.variation",
]
REGISTRY_MODELS = STANDARD_MODELS + LOCAL_MODELS

#: kind -> (group name, {model: actions}).
GROUPS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "national": (
        "Landelijk beheer",
        {
            **dict.fromkeys(REGISTRY_MODELS, ALL),
            # Revoke API tokens, and lift login lockouts (delete the failed attempts).
            "registry.apitoken": ("view", "change", "delete"),
            "axes.accessattempt": ("view", "delete"),
        },
    ),
    "unit": (
        "Eenheid",
        {
            **dict.fromkeys(REGISTRY_MODELS, VIEW),
            "houses.house": ("view", "change"),
            "houses.district": ALL,
            "houses.housecasemeeting": ALL,
            "houses.assignment": ALL,
            "houses.variation": ALL,
        },
    ),
    "ketenmanager": ("Ketenmanager", dict.fromkeys(REGISTRY_MODELS, VIEW)),
    "reader": ("Lezer", dict.fromkeys(REGISTRY_MODELS, VIEW)),
}
GROUP_NAMES = {name for name, _perms in GROUPS.values()}


def _permissions(spec, using):
    wanted = []
    for label, actions in spec.items():
        app_label, model = label.split(".")
        wanted += [(app_label, f"{action}_{model}") for action in actions]
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.using(using)
        .filter(content_type__app_label__in={app for app, _c in wanted})
        .select_related("content_type")
    }
    return [found[key] for key in wanted if key in found]


def ensure_group(kind: str, using: str = DEFAULT_DB_ALIAS, update: bool = False) -> Group | None:
    """The group of ``kind``, created (or, with ``update``, refreshed) with its permissions."""
    if kind not in GROUPS:
        return None
    name, spec = GROUPS[kind]
    group, created = Group.objects.using(using).get_or_create(name=name)
    if created or update:
        group.permissions.set(_permissions(spec, using))
    return group


def sync_user_groups(user, using: str = DEFAULT_DB_ALIAS) -> None:
    """Put ``user`` in the group of its kind and out of the other kinds' groups."""
    target = ensure_group(user.kind, using)
    current = set(user.groups.filter(name__in=GROUP_NAMES).values_list("name", flat=True))
    wanted = {target.name} if target else set()
    if current == wanted:
        return
    stale = current - wanted
    if stale:
        user.groups.remove(*Group.objects.using(using).filter(name__in=stale))
    if target and target.name not in current:
        user.groups.add(target)


@transaction.atomic
def setup_groups(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create or update every group, then re-sync every account. Idempotent."""
    from django.contrib.auth import get_user_model

    done = []
    for kind in GROUPS:
        group = ensure_group(kind, using, update=True)
        done.append(f"{group.name}: {group.permissions.count()} rechten")
    for user in get_user_model().objects.using(using).all():
        sync_user_groups(user, using)
    return done


def setup_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if ContentType.objects.using(using).filter(app_label="houses").exists():
        setup_groups(using)
