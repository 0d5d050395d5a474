"""Tags of the site's layout (base.html): the menu's current page and the error summary.

The error summary follows the GOV.UK Design System: at the top of the page, headed "There is a
problem", one link per error to the field it is about; static/js/site.js moves the focus to it
when the page loads. It is written once here and shown by base.html for every form a page was
given (any form or formset in the template's context that was validated and has errors), so a
form page needs nothing of its own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.forms.formsets import BaseFormSet
from django.template import Context
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    message: str
    target: str  # the id of the field the link goes to; "" for an error about the whole form


def _field_target(bound_field: BoundField) -> str:
    if bound_field.is_hidden:
        return ""
    # A group of radio buttons or checkboxes has no single id: the link goes to the first one.
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


def _form_errors(form: BaseForm, prefix_label: str = "") -> list[SummaryError]:
    # Never validated (an unbound form, or one the view did not check): Django's private flag, which
    # the stubs do not declare; `form.errors` would validate it.
    if form._errors is None:  # type: ignore[attr-defined]
        return []
    errors = [SummaryError(f"{prefix_label}{message}", "") for message in form.non_field_errors()]
    for name in form.errors:
        if name not in form.fields:
            continue
        bound_field = form[name]
        named = bound_field.label and not bound_field.is_hidden
        label = f"{prefix_label}{bound_field.label}: " if named else prefix_label
        target = _field_target(bound_field)
        errors.extend(SummaryError(f"{label}{message}", target) for message in bound_field.errors)
    return errors


def _formset_errors(formset: BaseFormSet[Any]) -> list[SummaryError]:
    if formset._errors is None:  # type: ignore[attr-defined]  # (as in _form_errors)
        return []
    errors = [SummaryError(str(message), "") for message in formset.non_form_errors()]
    # "decisions" → "Decision 1, Owner: …"; a formset may name its rows with `summary_label`.
    prefix = formset.prefix or ""
    name = getattr(formset, "summary_label", "") or prefix.replace("_", " ").removesuffix("s").capitalize()
    for number, form in enumerate(formset.forms, start=1):
        errors.extend(_form_errors(form, prefix_label=f"{name} {number}, "))
    return errors


def summary_errors(values: Iterable[object]) -> list[SummaryError]:
    """Every error of the validated forms and formsets among `values`, each once, in order."""
    found: list[SummaryError] = []
    seen_forms: set[int] = set()
    for value in values:
        if id(value) in seen_forms:
            continue
        if isinstance(value, BaseFormSet) and value.is_bound:
            seen_forms.add(id(value))
            found.extend(_formset_errors(value))
        elif isinstance(value, BaseForm) and value.is_bound:
            seen_forms.add(id(value))
            found.extend(_form_errors(value))
    unique: list[SummaryError] = []
    for error in found:
        if error not in unique:
            unique.append(error)
    return unique


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context: Context) -> dict[str, Any]:
    return {"errors": summary_errors(context.flatten().values())}


@register.simple_tag(takes_context=True)
def nav_item(context: Context, url_name: str, label: str, also: str = "") -> str:
    """A menu item; the one for the page shown is marked aria-current="page" (and underlined).
    `also` names another view that is this item's page too (the home page is a role's list)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match is not None and match.view_name in {url_name, also}
    if current:
        return format_html(
            '<li class="nav-item"><a class="nav-link active" href="{}" aria-current="page">{}</a></li>',
            reverse(url_name),
            label,
        )
    return format_html('<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', reverse(url_name), label)
