from django.urls import path

from . import views

app_name = "caseload"

urlpatterns = [
    path("mine/", views.my_caseload, name="mine"),
    path("all/", views.all_caseloads, name="all"),
    path("children/<int:pk>/", views.child_detail, name="child"),
]
