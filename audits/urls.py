from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("children/<int:child_pk>/midway/new/", views.midway_new, name="midway_new"),
    path("reviews/<int:review_pk>/monitoring-form/", views.monitoring_form, name="monitoring_form"),
    path("children/<int:child_pk>/escalations/new/", views.escalation_new, name="escalation_new"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/", views.escalations_open, name="escalations_open"),
    path("report/", views.qa_report, name="qa_report"),
    path("reviews/<int:review_pk>/feedback/new/", views.feedback_new, name="feedback_new"),
    path("children/<int:child_pk>/disruption-meetings/new/", views.disruption_new, name="disruption_new"),
]
