"""The three roles of the service. Each is a Django group of the same name."""

from django.db import models


class Role(models.TextChoices):
    IRO = "iro", "Independent Reviewing Officer"
    MANAGER = "manager", "Manager"
    BUSINESS_SUPPORT = "business_support", "Business support"
