from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import Role

User = get_user_model()


class CaseloadFilterForm(forms.Form):
    iro = forms.ModelChoiceField(
        label="IRO",
        queryset=User.objects.filter(groups__name=Role.IRO).order_by("last_name", "first_name"),
        required=False,
        empty_label="All IROs",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
