"""Forms for booking, preparing, chairing and recording reviews."""

from datetime import date, datetime
from typing import Any, TypedDict, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.forms import inlineformset_factory
from django.http import QueryDict
from django.utils import timezone

from accounts.selectors import iro_users
from children.code_years import CODES_BY_YEAR, collection_year_label, collection_year_of
from iro_service.formerrors import HiddenErrorsShown

from . import my_review
from .claims import ATTENDEE_FIELDS, DECISION_FIELDS, RECORD
from .codes import (
    USUAL_VENUES,
    DocumentKind,
    EarlyReviewReason,
    ParticipationCode,
    ReviewStatus,
    participation_codes_on,
)
from .models import Decision, Distribution, Invitee, Review, Visit
from .my_review_models import ChairChoice
from .services import RowChange
from .wording import child_names, for_child_draft

User = get_user_model()


def claim_field() -> forms.CharField:
    """The hidden claim of a page that edits a review: a digest of what the page showed
    (reviews.claims). A page posted without it is out of date."""
    return forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": "This page is out of date: open it again and enter your changes."},
    )


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DecisionForm(forms.ModelForm[Decision]):
    """A decision, and beside it the decision said to the child for the letter to the child.

    Until the IRO writes that wording, the box offers a draft (reviews.wording: the child's name
    turned into "you"), and the letter uses the same draft. A draft saved as offered is stored
    blank, so that it follows the decision if the decision is changed later."""

    class Meta:
        model = Decision
        fields = list(DECISION_FIELDS)
        widgets = {
            "deadline": DATE_INPUT,
            "text": forms.Textarea(attrs={"rows": 3}),
            "for_child": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "for_child": "Write this as you would say it to the child, e.g. ‘You will see your mum every "
            "Saturday’. If you leave it blank, the letter uses the decision with the child’s name "
            "changed to ‘you’.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered_draft = ""
        decision = self.instance
        if decision.pk and decision.review_id and not decision.for_child:
            child = decision.review.child
            self.offered_draft = for_child_draft(decision.text, child_names(child))
            self.initial["for_child"] = self.offered_draft

    def clean_for_child(self) -> str:
        wording: str = self.cleaned_data["for_child"]
        if self.offered_draft and " ".join(wording.split()) == self.offered_draft:
            return ""
        return wording


class BookingForm(HiddenErrorsShown, forms.Form):
    day = forms.DateField(label="Date", widget=DATE_INPUT)
    time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    venue = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"list": "usual-venues"}),
        help_text="Choose one of the usual venues or type another.",
    )
    venue_chosen_by_child = forms.BooleanField(label="The child chose this venue", required=False)
    early_review_reason = forms.ChoiceField(
        label="Early review (reg 33(3))",
        choices=[("", "Not an early review"), *EarlyReviewReason.choices],
        required=False,
    )
    lateness_reason = forms.CharField(label="Reason for booking after the due date", widget=TEXTAREA, required=False)
    reschedule_reason = forms.CharField(label="Reason for moving the review", widget=TEXTAREA, required=False)
    claim = claim_field()

    usual_venues = USUAL_VENUES

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        if review.status != ReviewStatus.BOOKED:
            del self.fields["reschedule_reason"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day, time = cleaned.get("day"), cleaned.get("time")
        if day and time:
            booked_for = timezone.make_aware(datetime.combine(day, time))
            if booked_for <= timezone.now():
                self.add_error("day", "A booking must be for a date and time in the future.")
            cleaned["booked_for"] = booked_for
        return cleaned


class InviteeForm(forms.ModelForm[Invitee]):
    class Meta:
        model = Invitee
        fields = ["name", "role", "email"]


# Formsets are capped: a posted TOTAL_FORMS of millions must not make the server build (and
# render) thousands of forms. Fifty people or decisions is more than any review has.
class FormsetLimits(TypedDict):
    max_num: int
    absolute_max: int
    validate_max: bool


FORMSET_LIMITS: FormsetLimits = {"max_num": 50, "absolute_max": 50, "validate_max": True}

InviteeFormSet = forms.formset_factory(InviteeForm, extra=3, **FORMSET_LIMITS)


class CancelBookingForm(HiddenErrorsShown, forms.Form):
    reason = forms.CharField(label="Reason for cancelling", widget=TEXTAREA)
    claim = claim_field()


class CoverForm(HiddenErrorsShown, forms.Form):
    iro = forms.ModelChoiceField(
        label="Covering IRO",
        queryset=iro_users(),
        required=False,
        empty_label="No cover: the case-holding IRO chairs",
    )
    ends_on = forms.DateField(
        label="Cover ends on (optional)",
        widget=DATE_INPUT,
        required=False,
        help_text="The last day the covering IRO may work on this review. Leave blank to end cover when the "
        "minutes are due (20 working days after the review).",
    )
    claim = claim_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        ends_on = cleaned.get("ends_on")
        if ends_on and ends_on < timezone.localdate():
            self.add_error("ends_on", "The end of cover cannot be in the past.")
        if ends_on and not cleaned.get("iro"):
            self.add_error("ends_on", "Choose the covering IRO, or leave the end date blank.")
        return cleaned


YES_NO = [("", "Choose"), (True, "Yes"), (False, "No")]


class VisitForm(HiddenErrorsShown, forms.ModelForm[Visit]):
    """A visit needs its date, whether the child was seen alone (asked, never assumed), and what
    the IRO noted: the minutes quote it, so a blank visit is refused."""

    seen_alone = forms.TypedChoiceField(
        label="Was the child seen alone?",
        choices=YES_NO,
        coerce=lambda value: value == "True",
        error_messages={"required": "Say whether the child was seen alone."},
    )

    class Meta:
        model = Visit
        fields = ["visited_on", "seen_alone", "notes"]
        widgets = {"visited_on": DATE_INPUT, "notes": TEXTAREA}
        labels = {"visited_on": "Date of the visit", "notes": "Notes"}
        help_texts = {
            "notes": "What the child said and what you saw; if the child was not seen alone, say why.",
        }
        error_messages = {
            "visited_on": {"required": "Enter the date of the visit."},
            "notes": {"required": "Enter notes of the visit (or, if the child was not seen alone, why not)."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].required = True
        if self.instance.pk and "seen_alone" not in self.initial:
            self.initial["seen_alone"] = self.instance.seen_alone

    def visit_details(self) -> dict[str, Any]:
        """The visit as the services take it (`visit_record`, `visit_correct`)."""
        return {name: self.cleaned_data[name] for name in ("visited_on", "seen_alone", "notes")}


class VisitCorrectionForm(VisitForm):
    """The IRO corrects a visit recorded in error; the reason is kept with the history."""

    reason = forms.CharField(
        label="Reason for the correction",
        max_length=200,
        error_messages={"required": "Say why the visit is being corrected."},
    )


class PreparationForm(HiddenErrorsShown, forms.Form):
    """Wishes and feelings, and the reports received before the review."""

    wishes_and_feelings_received_on = forms.DateField(
        label="Wishes and feelings form received on", widget=DATE_INPUT, required=False
    )
    child_own_words = forms.CharField(label="The child's own words", widget=TEXTAREA, required=False)
    claim = claim_field()

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reports expected (one rule: reviews.codes.reports_expected), and any other already
        # recorded as received, so that saving the page does not drop it unseen.
        kinds = [kind for kind, _received_on in review.reports_checklist(today=timezone.localdate())]
        for kind in kinds:
            self.fields[f"report_{kind.value}"] = forms.DateField(
                label=f"{kind.label} received on", widget=DATE_INPUT, required=False
            )
        self.report_kinds = kinds

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        today = timezone.localdate()
        for name, value in list(cleaned.items()):
            if isinstance(value, date) and value > today:
                self.add_error(name, "This date is in the future.")
        return cleaned

    def reports(self) -> dict[str, date]:
        return {
            kind.value: self.cleaned_data[f"report_{kind.value}"]
            for kind in self.report_kinds
            if self.cleaned_data.get(f"report_{kind.value}")
        }


class ReviewRecordForm(HiddenErrorsShown, forms.ModelForm[Review]):
    """The chair's record. Saving keeps a draft; marking held needs the date and code."""

    class Meta:
        model = Review
        fields = list(RECORD.fields)  # the fields the chair's record owns (and claims)
        widgets = {
            "held_on": DATE_INPUT,
            "worried_about": TEXTAREA,
            "working_well": TEXTAREA,
            "needs_to_happen": TEXTAREA,
            "child_views": TEXTAREA,
            "parents_participated": forms.Select(choices=[("", "Not recorded"), (True, "Yes"), (False, "No")]),
        }
        labels = {
            "held_on": "Date held",
            "plan_of_adoption_confirmed": "This review confirmed a plan of adoption",
            "child_chaired": "Did the child chair the meeting?",
        }

    claim = claim_field()

    def __init__(self, *args: Any, marking_held: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marking_held = marking_held
        review = self.instance
        self.fields["claim"].initial = RECORD.claim(review)
        self.already_held = review.status == ReviewStatus.HELD
        # Offer only the codes valid for the child's age on the review date (DfE rules 440/441: on the
        # 4th birthday, all of them).
        on = review.review_date or timezone.localdate()
        allowed = participation_codes_on(review.child.date_of_birth, on)
        # The widget offers only those; the field still accepts any code, so that a code posted
        # for the wrong age gets the model's DfE message rather than "not a valid choice".
        self.fields["participation_code"].widget.choices = [("", "Not yet recorded")] + [
            (code.value, code.label) for code in allowed
        ]
        self.fields["held_on"].required = marking_held or self.already_held
        self.fields["participation_code"].required = marking_held or self.already_held
        if not self.initial.get("held_on") and review.booked_for:
            self.initial["held_on"] = timezone.localtime(review.booked_for).date()
        self._my_review_offered(review, allowed)

    def _my_review_offered(self, review: Review, allowed: list[ParticipationCode]) -> None:
        """What the child sent in My review, offered to the chair: the participation hint says they
        sent their views (PN6 if they did not attend), the chairing hint what they asked for, and
        a blank "child's views" starts as their own words (an initial value only: what is stored,
        and so the claim, is unchanged until the chair saves; the child's answers are kept as sent)."""
        sent = my_review.sent_response(review=review) if review.pk else None
        if sent is None:
            return
        sent_on = timezone.localtime(sent.submitted_at)
        hint = f"The child sent their views in My review on {sent_on.day} {sent_on:%B %Y}."
        if ParticipationCode.PN6 in allowed:
            hint += " If they did not attend, PN6 (views conveyed by a facilitative medium, such as My review) may fit."
        self.fields["participation_code"].help_text = hint
        asked = dict(ChairChoice.choices).get(sent.sent_answers.get("chair") or "")
        if asked and asked != ChairChoice.NOT_SAID.label:
            self.fields["child_chaired"].help_text = f"In My review the child said: \u201c{asked}\u201d."
        words = my_review.sent_views_in_their_words(response=sent)
        if words and not review.child_views:
            self.initial["child_views"] = words
            self.fields["child_views"].widget.attrs["rows"] = min(12, words.count("\n") + 4)
            self.fields["child_views"].help_text = (
                "Filled in with the child's own words from My review: edit it for the minutes as you need. "
                "What they sent is kept as they sent it."
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        held_on = cleaned.get("held_on")
        if self.marking_held or self.already_held:
            if held_on and held_on > timezone.localdate():
                self.add_error("held_on", "A review cannot be marked held before the day it happens.")
            # The model's rules for a held review apply to this validation.
            self.instance.status = ReviewStatus.HELD
        elif held_on:
            # A draft keeps the date but the review is not held until "Mark held".
            self.instance.held_on = None
            cleaned["held_on"] = None
        return cleaned

    def _update_errors(self, errors: forms.ValidationError) -> None:
        """The model checks the held date against the pre-review visit, a field this form does
        not show: say it on the date held, where the chair can act on it."""
        if hasattr(errors, "error_dict") and "child_visited_on" in errors.error_dict:
            visited = self.instance.child_visited_on
            errors.error_dict.pop("child_visited_on")
            errors.error_dict.setdefault("held_on", []).append(
                forms.ValidationError(
                    f"The child was visited before this review on {visited:%d/%m/%Y}: the review cannot be held "
                    "before that visit. Check the date held."
                )
            )
        super()._update_errors(errors)  # type: ignore[misc]  # django-stubs omits BaseModelForm._update_errors


AttendeeFormSet = inlineformset_factory(
    Review,
    Invitee,
    form=forms.ModelForm[Invitee],  # the default form, named for the type checker
    fields=list(ATTENDEE_FIELDS),
    extra=1,
    can_delete=False,
    **FORMSET_LIMITS,
    widgets={"attended": forms.Select(choices=[("", "Not recorded"), (True, "Attended"), (False, "Did not attend")])},
)


class BaseDecisionFormSet(forms.BaseInlineFormSet[Decision, Review, DecisionForm]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A decision typed in error can be removed while the record is a draft; once the review
        # is held its decisions are part of the child's record and are kept.
        self.can_delete = self.instance.status != ReviewStatus.HELD


DecisionFormSet = inlineformset_factory(
    Review, Decision, form=DecisionForm, formset=BaseDecisionFormSet, extra=2, can_delete=True, **FORMSET_LIMITS
)


def record_row_changes(formset: forms.BaseInlineFormSet[Any, Review, Any]) -> list[RowChange]:
    """What saving a valid formset of the chair's record would write, for the service to write
    under its lock: rows marked for deletion, changed rows, and new rows typed in; unchanged and
    blank rows are left out (as Django's BaseModelFormSet.save leaves them)."""
    deleted = {id(form) for form in formset.deleted_forms} if formset.can_delete else set()
    shown = {id(form) for form in formset.initial_forms}
    changes = []
    for form in formset.forms:
        pk = form.instance.pk
        if id(form) in shown and pk is None:
            continue  # a row that has gone since the page was shown (the claim refuses the save)
        if id(form) in deleted:
            if pk is not None:
                changes.append(RowChange(pk=pk, delete=True))
        elif form.has_changed():
            # The inline formset lists its foreign key among the form's fields: the service sets that.
            named = form._meta.fields
            if named is None:  # the record's forms name their fields (ATTENDEE_FIELDS, DecisionForm.Meta)
                raise ImproperlyConfigured("The chair's record forms must name their fields.")
            fields = [name for name in named if name != formset.fk.name]
            changes.append(RowChange(pk=pk, values={name: form.cleaned_data[name] for name in fields}))
    return changes


def decision_formset_with_another_row(
    data: QueryDict, *, instance: Review, prefix: str = "decisions"
) -> forms.BaseInlineFormSet[Decision, Review, DecisionForm]:
    """The decisions as typed, with one more blank row ("Add another decision", no script): the
    posted total is raised by one, within the formset's cap."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    data[key] = str(min(max(total, 0) + 1, FORMSET_LIMITS["max_num"]))
    return DecisionFormSet(data, instance=instance, prefix=prefix)


class DocumentIssueForm(forms.Form):
    understood = forms.BooleanField(
        label="I understand that issuing cannot be undone",
        error_messages={"required": "Confirm that you understand issuing cannot be undone."},
    )


class DocumentRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Document", choices=DocumentKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(label="Reason for a new version", required=False, max_length=500)


class DistributionForm(forms.ModelForm[Distribution]):
    class Meta:
        model = Distribution
        fields = ["recipient", "method", "sent_on"]
        widgets = {"sent_on": DATE_INPUT}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        return [single(item, initial) for item in data] if isinstance(data, list | tuple) else [single(data, initial)]


def _collection_year_choices() -> list[tuple[str, str]]:
    years = [(str(year), f"{collection_year_label(year)} (April {year - 1} to March {year})") for year in CODES_BY_YEAR]
    return [("", "The year of the latest date in the files"), *years[::-1]]


class SSDA903UploadForm(forms.Form):
    ALL_OR_NOTHING, VALID_CHILDREN_ONLY = "all", "valid_children_only"

    # A field named like BaseForm.files: the form's metaclass moves it into base_fields, so the
    # instance's files (the upload) are untouched; the stubs see a class attribute.
    files = MultipleFileField(  # type: ignore[assignment]
        label="SSDA903 files",
        help_text="The header, episodes and reviews CSV files (any names: each is recognised by its header row).",
    )
    year = forms.TypedChoiceField(
        label="Collection year",
        choices=_collection_year_choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The files are checked against the DfE code lists of this year (placement codes and SEX coding "
        "change by year).",
    )
    mode = forms.ChoiceField(
        label="If some children's rows have problems",
        choices=[
            (ALL_OR_NOTHING, "Import nothing: list every problem"),
            (VALID_CHILDREN_ONLY, "Import every child whose rows are all valid, and list the children refused"),
        ],
        initial=ALL_OR_NOTHING,
        required=False,  # all or nothing unless chosen
        widget=forms.RadioSelect,
    )

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or self.ALL_OR_NOTHING

    def clean_files(self) -> list[UploadedFile[bytes]]:
        from .ssda903 import describe_size, max_file_bytes  # noqa: PLC0415 - kept inside this form (shared file)

        limit = max_file_bytes()
        files: list[UploadedFile[bytes]] = self.cleaned_data["files"]
        # The size Django already knows (the upload waits in a temporary file): refused before
        # anything reads it. (Every upload has its size; the stubs allow None for any File.)
        too_big = [(upload.name, upload.size) for upload in files if upload.size is not None and upload.size > limit]
        if too_big:
            raise forms.ValidationError(
                [
                    f"{name} is {describe_size(size)}, over the {describe_size(limit)} limit for one "
                    "SSDA903 file (IRO_SSDA903_MAX_BYTES)."
                    for name, size in too_big
                ]
            )
        return files


class ReturnCheckForm(forms.Form):
    """Choose the collection year whose SSDA903 return to check."""

    year = forms.TypedChoiceField(label="Collection year", coerce=int, choices=())

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        # Declared above as a TypedChoiceField; self.fields is typed as holding any Field.
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [
            (year, f"{collection_year_label(year)} (April {year - 1} to March {year})")
            for year in sorted(CODES_BY_YEAR, reverse=True)
        ]
        # The return is made for the last complete year.
        last_complete = collection_year_of(today) - 1
        self.fields["year"].initial = last_complete if last_complete in CODES_BY_YEAR else max(CODES_BY_YEAR)
