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
    path("children/new/", views.child_new, name="child_new"),
    path("children/<int:child_pk>/visits/new/", views.visit_new, name="visit_new"),
]
