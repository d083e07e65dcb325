from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from houses import views as house_views
from registry import api

urlpatterns = [
    path("", house_views.HomeView.as_view(), name="home"),
    path(
        "veiligheidshuizen/<slug:code>/", house_views.HouseDetailView.as_view(), name="house-detail"
    ),
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # REST API v1 (registry/api.py); everything else under /api/ is a problem+json 404.
    path("api/", include((api.urlpatterns, "api"))),
]
