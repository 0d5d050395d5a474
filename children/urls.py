from django.urls import path

from . import views

app_name = "children"

urlpatterns = [
    path("<int:pk>/allocate/", views.allocate, name="allocate"),
]
