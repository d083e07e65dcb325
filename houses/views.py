from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from houses.models import House, PoliceUnit
from houses.package import task_package


class HomeView(TemplateView):
    """The houses per eenheid, each linking to its task package."""

    template_name = "houses/home.html"

    def get_context_data(self, **kwargs):
        units = PoliceUnit.objects.prefetch_related(
            Prefetch("houses", queryset=House.objects.filter(active=True).order_by("name"))
        )
        return super().get_context_data(units=units, **kwargs)


class HouseDetailView(DetailView):
    template_name = "houses/house_detail.html"
    context_object_name = "house"

    def get_object(self, queryset=None):
        return get_object_or_404(
            House.objects.select_related("police_unit"), code=self.kwargs["code"]
        )

    def get_context_data(self, **kwargs):
        house = self.object
        return super().get_context_data(
            package=task_package(house),
            can_edit=house.is_editable_by(self.request.user),
            **kwargs,
        )
