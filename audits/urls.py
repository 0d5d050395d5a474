from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("children/<int:child_pk>/midway/new/", views.midway_new, name="midway_new"),
    path("reviews/<int:review_pk>/monitoring-form/", views.monitoring_form, name="monitoring_form"),
]
