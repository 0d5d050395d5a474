from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("docs/", views.docs, name="docs"),
]

from . import views_webhooks  # noqa: E402

urlpatterns += [
    path("webhooks/", views_webhooks.SubscriptionList.as_view(), name="webhooks"),
    path("webhooks/deliveries/", views_webhooks.DeliveryList.as_view(), name="webhook_deliveries"),
    path("webhooks/<int:pk>/", views_webhooks.SubscriptionDetail.as_view(), name="webhook"),
]
