"""What an API client may do: each endpoint names the scope it needs (docs/architecture.md, "API")."""

from django.db import models


class Scope(models.TextChoices):
    CHILDREN_READ = "children:read", "Read children, their current period, IRO and next review due"
    CARE_EVENTS_WRITE = "care-events:write", "Write children, episodes (care events) and IRO allocations"
    REVIEWS_READ = "reviews:read", "Read reviews, decisions and timeliness"
    DOCUMENTS_READ = "documents:read", "Read issued documents' details and download them"
    WEBHOOKS_MANAGE = "webhooks:manage", "Subscribe to events and read deliveries"
