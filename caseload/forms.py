from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
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
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-auto g-2 align-items-end mb-3"
        self.helper.layout = Layout(Field("iro"), Submit("filter", "Show", css_class="btn-secondary"))
