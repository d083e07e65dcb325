"""Pages. The parts that depend only on the registry's data are cached (``roles.cache``)
until the next write; what depends on the user (edit links) is part of the cache key."""

from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from houses.models import House, PoliceUnit
from houses.package import task_package
from roles.cache import cached, current_revision


class HomeView(TemplateView):
    """The houses per eenheid, each linking to its task package."""

    template_name = "houses/home.html"

    def get_context_data(self, **kwargs):
        content = cached(
            ["home", translation.get_language()],
            lambda: render_to_string(
                "houses/_home_content.html", {"units": self.units_with_houses()}
            ),
        )
        return super().get_context_data(content=mark_safe(content), **kwargs)  # noqa: S308

    @staticmethod
    def units_with_houses():
        return PoliceUnit.objects.prefetch_related(
            Prefetch("houses", queryset=House.objects.filter(active=True).order_by("name"))
        )


class HouseDetailView(TemplateView):
    """A house and its task package."""

    template_name = "houses/house_detail.html"

    def get_context_data(self, **kwargs):
        revision = current_revision()
        code = self.kwargs["code"]
        house = cached(
            ["house", code],
            lambda: House.objects.select_related("police_unit").filter(code=code).first(),
            revision=revision,
        )
        if house is None:
            raise Http404("Dit veiligheidshuis bestaat niet.")
        can_edit = house.is_editable_by(self.request.user)
        today = timezone.localdate()
        content = cached(
            ["house-page", house.pk, can_edit, today, translation.get_language()],
            lambda: render_to_string(
                "houses/_house_content.html",
                {
                    "house": house,
                    "package": task_package(house, today=today),
                    "can_edit": can_edit,
                },
            ),
            revision=revision,
        )
        return super().get_context_data(
            house=house,
            content=mark_safe(content),  # noqa: S308 - rendered by our own template
            **kwargs,
        )
