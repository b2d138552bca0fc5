"""Campaign pages for the command room and the desk (thin: the work is in services.py)."""

from django.http import Http404, HttpRequest, HttpResponse


def campaign_list(request: HttpRequest) -> HttpResponse:  # replaced by the campaign pages
    raise Http404
