from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from houses import views as house_views
from registry import views as registry_views

urlpatterns = [
    path("", house_views.HomeView.as_view(), name="home"),
    path(
        "veiligheidshuizen/<slug:code>/", house_views.HouseDetailView.as_view(), name="house-detail"
    ),
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("gezondheid", registry_views.health, name="health"),
]

# Benchmark mode only (make bench): the baseline the benchmark compares every endpoint with.
if settings.BENCHMARK_BASELINE:
    from registry import benchmark

    urlpatterns += [
        path("benchmark/baseline/<int:size>/", benchmark.baseline, name="benchmark-baseline")
    ]
