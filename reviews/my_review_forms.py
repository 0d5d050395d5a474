""" "My review" forms: the IRO's invitation, and the child's pages (plain words)."""

from typing import Any

from django import forms

from .codes import USUAL_VENUES
from .my_review import BUILT_VERSIONS, CODE_LENGTH
from .my_review_models import (
    CHILD_VENUE_WORDS,
    VENUE_NO_PREFERENCE,
    ChairChoice,
    Face,
    ListenedTo,
    MyReviewResponse,
    TimeOfDay,
)

# A child's answer is their own words: long enough for a lot, short enough to keep a page light.
ANSWER_MAX_LENGTH = 5000
WORD_MAX_LENGTH = 50


class InvitationForm(forms.Form):
    word = forms.CharField(
        label="Memorable word",
        max_length=WORD_MAX_LENGTH,
        min_length=3,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Choose a word with the child and tell them it in person. It is not printed on the card "
        "and cannot be shown again.",
        error_messages={"required": "Enter a memorable word.", "min_length": "Use a word of 3 letters or more."},
    )
    version = forms.ChoiceField(
        label="Version",
        choices=[(version.value, version.label) for version in BUILT_VERSIONS],
        widget=forms.RadioSelect,
        help_text="The one for the child's age on the review day is chosen for you. You can choose the other.",
        error_messages={"required": "Choose a version.", "invalid_choice": "Choose a version."},
    )

    def __init__(self, *args: Any, child_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offered only when the young person's own email is recorded (children.Child.email).
        if child_email:
            self.fields["email_child"] = forms.BooleanField(
                label=f"Also email the link and code to {child_email}",
                required=False,
                initial=True,
                help_text="Sent when you make the invitation. The memorable word is never emailed: the email "
                "says you will tell them it.",
            )

    def clean_word(self) -> str:
        word: str = self.cleaned_data["word"]
        if "\x00" in word:
            raise forms.ValidationError("Use letters and numbers only.")
        return word


class FaceSelect(forms.RadioSelect):
    """Three faces, each drawn beside its word (templates/my_review/_faces.html)."""

    is_faces = True


class BaseChildForm(forms.Form):
    """A form on a child's page: each box is tied to its hint and error (aria-describedby); a
    group of radios gets them on its fieldset (templates/my_review/_field.html)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def _describe(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                faces = isinstance(field.widget, FaceSelect)
                field.widget.attrs["class"] = "face-input" if faces else "form-check-input"
                continue
            field.widget.attrs["class"] = "form-control"
            auto_id = self[name].auto_id
            ids = [f"{auto_id}_hint"] if field.help_text else []
            if getattr(self, "_errors", None) and name in self.errors:
                ids.append(f"{auto_id}_error")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)


class CodeForm(BaseChildForm):
    code = forms.CharField(
        label="Your code",
        max_length=20,
        strip=True,
        help_text=f"It has {CODE_LENGTH} letters and numbers. It is on the card from your IRO.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": "Type the code from your card."},
    )


class WordForm(BaseChildForm):
    word = forms.CharField(
        label="Your memorable word",
        max_length=WORD_MAX_LENGTH,
        strip=True,
        help_text="Your IRO told you this word.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Type your memorable word."},
    )


def _answer(label: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "This is too long. Please make it shorter."},
    )


class BaseAnswersForm(BaseChildForm):
    """A NUL cannot be stored (PostgreSQL text): say so rather than fail."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, "Please take out the odd character.")
        return cleaned


class HowThingsAreForm(BaseAnswersForm):
    where_i_live = _answer("Where I live", "How do you feel about where you live?")
    school = _answer("School or college", "How are things at school or college?")
    family_time = _answer("Family time", "How do you feel about seeing your family?")
    health = _answer("My health", "How are you feeling? Is there anything you need?")
    friends = _answer("Friends", "How are things with your friends?")
    going_well = _answer("What is going well")
    worries = _answer("What worries me")
    next_steps = _answer("What I want to happen next")


YES_NO = [("yes", "Yes"), ("no", "No")]


def _blank_last(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A question's choices with its "I don't mind" / "not decided" answer (stored blank) last."""
    return [choice for choice in choices if choice[0]] + [choice for choice in choices if not choice[0]]


class MeetingForm(BaseAnswersForm):
    want_there = _answer("Who I want at my meeting")
    not_want_there = _answer("Who I don't want at my meeting")
    venue = forms.ChoiceField(
        label="Where I want to meet",
        required=False,
        choices=[(venue, CHILD_VENUE_WORDS.get(venue, venue)) for venue in USUAL_VENUES]
        + [(VENUE_NO_PREFERENCE, "I don't mind")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the places."},
    )
    time_of_day = forms.ChoiceField(
        label="When I want to meet",
        required=False,
        choices=_blank_last(TimeOfDay.choices),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the times."},
    )
    chair = forms.ChoiceField(
        label="Chairing my meeting",
        help_text="The chair helps the meeting run and makes sure everyone is heard.",
        required=False,
        choices=_blank_last(ChairChoice.choices),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one."},
    )
    advocate = forms.TypedChoiceField(
        label="Would you like an advocate?",
        help_text="An advocate is someone who helps you say what you think.",
        required=False,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose yes or no."},
    )
    talk_alone_first = forms.TypedChoiceField(
        label="Would you like to talk to your IRO on your own first?",
        required=False,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose yes or no."},
    )


class PrivateNoteForm(BaseAnswersForm):
    private_note = _answer(
        "Just for my IRO",
        "Only your IRO will read this. It will not go in the notes of the meeting.",
    )


def initial_answers(response: MyReviewResponse, form_class: type[forms.Form]) -> dict[str, Any]:
    """A child's saved answers as a form's initial values (yes/no as the radios show them)."""
    initial: dict[str, Any] = {}
    for name in form_class.base_fields:
        value = getattr(response, name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        initial[name] = value
    return initial


class RenewalForm(forms.Form):
    """After the review: a new link and code for the child's letter and "Did you feel listened to?"."""

    word = forms.CharField(
        label="Memorable word (leave blank to keep the child's word)",
        required=False,
        max_length=WORD_MAX_LENGTH,
        min_length=3,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Left blank, the child opens the new link with the word they already know. A new word must be "
        "told to them in person.",
        error_messages={"min_length": "Use a word of 3 letters or more."},
    )

    def clean_word(self) -> str:
        word: str = self.cleaned_data["word"]
        if "\x00" in word:
            raise forms.ValidationError("Use letters and numbers only.")
        return word


class ListenedToForm(BaseChildForm):
    """ "Did you feel listened to?": one answer, each a face with its word
    (templates/my_review/letter.html draws the faces)."""

    answer = forms.ChoiceField(
        label="Did you feel listened to?",
        choices=ListenedTo.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a face.", "invalid_choice": "Choose a face."},
    )


# --- The younger version (under 11): faces and short choices, the same questions in fewer words.


def _face(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=Face.choices,
        widget=FaceSelect,
        error_messages={"invalid_choice": "Pick one of the faces."},
    )


def _short(label: str, hint: str = "") -> forms.CharField:
    field = _answer(label, hint)
    field.widget.attrs["rows"] = 2
    return field


class YoungerHowThingsAreForm(BaseAnswersForm):
    where_i_live_face = _face("Where I live")
    school_face = _face("School")
    family_time_face = _face("Seeing my family")
    health_face = _face("My health")
    friends_face = _face("My friends")
    going_well = _short("What is good?")
    worries = _short("What makes you sad or worried?")
    next_steps = _short("What would you like to happen next?")


YES_NO_NOT_SURE = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]


def _yes_no(label: str, hint: str = "") -> forms.TypedChoiceField:
    # "Not sure" is kept as no answer: the IRO asks them in person.
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        required=False,
        choices=YES_NO_NOT_SURE,
        coerce={"yes": True, "no": False}.get,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick yes, no or not sure."},
    )


class YoungerMeetingForm(BaseAnswersForm):
    want_there = _short("Who would you like at your meeting?")
    not_want_there = _short("Is there anyone you do not want there?")
    venue = forms.ChoiceField(
        label="Where would you like to meet?",
        required=False,
        choices=MeetingForm.base_fields["venue"].choices,  # type: ignore[attr-defined]
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick one of the places."},
    )
    time_of_day = forms.ChoiceField(
        label="When would you like to meet?",
        required=False,
        choices=[
            (TimeOfDay.MORNING, "In the morning"),
            (TimeOfDay.AFTERNOON, "In the afternoon"),
            (TimeOfDay.AFTER_SCHOOL, "After school"),
            (TimeOfDay.NO_PREFERENCE, "I don't mind"),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick one of the times."},
    )
    chair = forms.ChoiceField(
        label="Would you like to help run your meeting?",
        help_text="You can ask who speaks next and help make sure all are heard.",
        required=False,
        choices=[
            (ChairChoice.ALL, "Yes, all of it"),
            (ChairChoice.PART, "Yes, some of it"),
            (ChairChoice.NONE, "No, my IRO can do it"),
            (ChairChoice.NOT_SAID, "Not sure"),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick one."},
    )
    advocate = _yes_no("Would you like someone to help you say what you think?", "This person is called an advocate.")
    talk_alone_first = _yes_no("Would you like to talk to your IRO on your own first?")


class YoungerPrivateNoteForm(BaseAnswersForm):
    private_note = _short("Just for my IRO", "Only your IRO will read this.")


# The younger version's form for each page of the older one.
YOUNGER_FORMS: dict[type[BaseAnswersForm], type[BaseAnswersForm]] = {
    HowThingsAreForm: YoungerHowThingsAreForm,
    MeetingForm: YoungerMeetingForm,
    PrivateNoteForm: YoungerPrivateNoteForm,
}
