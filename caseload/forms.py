from django import forms
from django.contrib.auth import get_user_model

from accounts.selectors import iro_users

User = get_user_model()


class CaseloadFilterForm(forms.Form):
    iro = forms.ModelChoiceField(
        label="IRO",
        queryset=iro_users(),
        required=False,
        empty_label="All IROs",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
