from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("to-book/", views.to_book, name="to_book"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/cancel-booking/", views.cancel_booking, name="cancel_booking"),
    path("<int:pk>/cover/", views.cover, name="cover"),
    path("<int:pk>/prepare/", views.prepare, name="prepare"),
    path("<int:pk>/documents/new/", views.document_request, name="document_request"),
    path("documents/<int:pk>/issue/", views.document_issue, name="document_issue"),
    path("documents/<int:pk>/distribution/", views.distribution_new, name="distribution_new"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("children/new/", views.child_new, name="child_new"),
    path("ssda903/import/", views.ssda903_import, name="ssda903_import"),
    path("children/<int:child_pk>/visits/new/", views.visit_new, name="visit_new"),
]
