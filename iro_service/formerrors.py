"""A service's refusal shown on the form that asked for it: one home for every view."""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# A form mixin is, for the type checker, the form it is mixed into.
if TYPE_CHECKING:
    FormMixin = forms.BaseForm
else:
    FormMixin = object


def form_errors_apply(form: forms.BaseForm, error: ValidationError) -> None:
    """Each message against the field it names when the form has that field, else at the top."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, field_errors in by_field.items():
        form.add_error(field if field in form.fields else None, field_errors)


class HiddenErrorsShown(FormMixin):
    """A form mixin: an error on a hidden field (a page's claim on what it showed) is said at
    the top of the form, where the person sees it, not against a field they cannot see."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in [name for name in self.errors if name in self.fields and self.fields[name].widget.is_hidden]:
            self.errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).extend(
                self.errors.pop(name)
            )
