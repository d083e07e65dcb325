from django.urls import path, register_converter

from houses import views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "fmt")

urlpatterns = [
    path("veiligheidshuizen/", views.HouseListView.as_view(), name="house-list"),
    path("veiligheidshuizen/<slug:code>/", views.HouseDetailView.as_view(), name="house-detail"),
    path(
        "veiligheidshuizen/<slug:code>/takenpakket.<fmt:fmt>",
        views.PackageExportView.as_view(),
        name="house-package-export",
    ),
    path(
        "veiligheidshuizen/<slug:code>/geschiedenis/",
        views.HouseHistoryView.as_view(),
        name="house-history",
    ),
    path("vergelijk/", views.CompareView.as_view(), name="compare"),
    path("eenheden/", views.UnitListView.as_view(), name="unit-list"),
    path("eenheden/<slug:code>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("kaart/", views.RegionMapView.as_view(), name="region-map"),
    path("afbouw/", views.PhaseOutListView.as_view(), name="phase-out-list"),
    path("afbouw.<fmt:fmt>", views.PhaseOutExportView.as_view(), name="phase-out-export"),
    path("wat-wacht-op-mij/", views.InboxView.as_view(), name="inbox"),
    path(
        "afwijkingen/<int:pk>/afspraak/",
        views.AgreementView.as_view(),
        name="variation-agreement",
    ),
    path("matrix.<fmt:fmt>", views.MatrixExportView.as_view(), name="matrix-export"),
]
