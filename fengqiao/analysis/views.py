"""Analysis pages (thin: the work is in the pure modules and selectors)."""

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:  # replaced by the statistics page
    raise Http404
