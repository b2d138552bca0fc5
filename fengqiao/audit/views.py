from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .selectors import search_audit


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All actions")), *AuditEntry.Action.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("All outcomes")), *AuditEntry.Outcome.choices])
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    """Who did what, when, from where: searchable by leaders and administrators."""
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = search_audit(
        request.user, text=filters.get("q", ""), action=filters.get("action", ""),
        outcome=filters.get("outcome", ""), start=filters.get("start"), end=filters.get("end"),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    type_names = {model._meta.label_lower: model._meta.verbose_name for model in apps.get_models()}
    for row in page:
        row.object_type_name = type_names.get(row.object_type, row.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "query": query.urlencode()})
