from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from notifications.views import account
from registry import api, views

handler400 = "registry.views.bad_request"
handler500 = "registry.views.server_error"

urlpatterns = [
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("gezondheid", views.health, name="health"),
    # REST API v1 (registry/api.py); everything else under /api/ is a problem+json 404.
    path("api/", include((api.urlpatterns, "api"))),
    # Pages (server-rendered, Dutch with an English switch).
    path("", views.DashboardView.as_view(), name="home"),
    path("rollen/<slug:code>/", views.RoleDetailView.as_view(), name="role-detail"),
    path("zoeken/", views.SearchView.as_view(), name="search"),
    path("te-beoordelen/", views.ReviewListView.as_view(), name="review-list"),
    path("account/", account, name="account"),
    path("taal/", login_not_required(set_language), name="set_language"),
    path("", include("houses.urls")),
    path("", include("roles.urls")),
]

# Benchmark mode only (make bench): the baseline the benchmark compares every endpoint with.
if settings.BENCHMARK_BASELINE:
    from registry import benchmark

    urlpatterns += [
        path("benchmark/baseline/<int:size>/", benchmark.baseline, name="benchmark-baseline")
    ]
