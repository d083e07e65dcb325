"""Pages about the national standard itself: the published version and a page per version."""

from django.db.models import Prefetch
from django.http import Http404
from django.views.generic import TemplateView

from roles.differences import compare
from roles.models import Role, StandardVersion, Task, version_key


def versions_with_roles():
    """Every version with its roles and their tasks, in three queries, newest first."""
    versions = list(
        StandardVersion.objects.prefetch_related(
            Prefetch(
                "roles",
                queryset=Role.objects.order_by("position", "code").prefetch_related(
                    Prefetch("tasks", queryset=Task.objects.order_by("position", "code"))
                ),
            )
        )
    )
    return sorted(versions, key=lambda v: version_key(v.version), reverse=True)


def previous_of(version, versions):
    """The version ``version`` follows, among loaded ``versions`` (see
    ``StandardVersion.previous``)."""
    if version.status == StandardVersion.Status.DRAFT:
        current = next((v for v in versions if v.status == StandardVersion.Status.PUBLISHED), None)
        if current is not None:
            return current
    earlier = [
        v
        for v in versions
        if v.pk != version.pk
        and v.status in StandardVersion.FROZEN_STATUSES
        and version_key(v.version) < version_key(version.version)
    ]
    return max(earlier, key=lambda v: version_key(v.version), default=None)


def with_differences(version, versions):
    """``version`` with ``previous`` and ``differences`` against it set (no queries)."""
    version.previous_version = previous_of(version, versions)
    version.differences = (
        compare(list(version.roles.all()), list(version.previous_version.roles.all()))
        if version.previous_version
        else []
    )
    return version


class StandardView(TemplateView):
    """The published standard: principles and roles; every other version and what changed."""

    template_name = "roles/standard.html"

    def get_context_data(self, **kwargs):
        versions = versions_with_roles()
        for version in versions:
            with_differences(version, versions)
        current = next((v for v in versions if v.status == StandardVersion.Status.PUBLISHED), None)
        others = [v for v in versions if v is not current]
        return super().get_context_data(current=current, others=others, **kwargs)


class StandardVersionView(TemplateView):
    """One version of the standard: its roles and tasks, and what it changed."""

    template_name = "roles/version_detail.html"

    def get_context_data(self, **kwargs):
        versions = versions_with_roles()
        version = next((v for v in versions if v.version == self.kwargs["version"]), None)
        if version is None:
            raise Http404
        with_differences(version, versions)
        kwargs["version"] = version
        return super().get_context_data(**kwargs)
