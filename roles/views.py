"""Pages about the national standard itself."""

from django.db.models import Prefetch
from django.views.generic import TemplateView

from roles.models import Role, StandardVersion, Task


class StandardView(TemplateView):
    """The published standard: principles and roles; earlier versions and what changed."""

    template_name = "roles/standard.html"

    def get_context_data(self, **kwargs):
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
        current = next((v for v in versions if v.status == StandardVersion.Status.PUBLISHED), None)
        others = [v for v in versions if v is not current]
        return super().get_context_data(current=current, others=others, **kwargs)
