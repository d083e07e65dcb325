"""Helpers to post admin forms as a browser would: the data of the page as it was served."""

from django import forms
from django.urls import reverse


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_data(form, data):
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if not isinstance(field, forms.JSONField):  # value() has prepared it already
            value = field.prepare_value(value)
        if isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[form.add_prefix(name)] = value


def page_data(response) -> dict:
    """The POST data of the change (or revert) form in ``response``, unchanged."""
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _form_data(form, data)
    return data
