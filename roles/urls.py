from django.urls import path

from roles import views

urlpatterns = [
    path("standaard/", views.StandardView.as_view(), name="standard"),
    path(
        "standaard/<str:version>/",
        views.StandardVersionView.as_view(),
        name="standard-version",
    ),
]
