from django import forms
from django.utils import timezone

from .models import MidwayReview


class MidwayReviewForm(forms.ModelForm):
    class Meta:
        model = MidwayReview
        fields = ["held_on", "note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"note": "Midway review of the care plan"}

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("This date is in the future.")
        return held_on
