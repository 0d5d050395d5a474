from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("children/<int:child_pk>/midway/new/", views.midway_new, name="midway_new"),
]
