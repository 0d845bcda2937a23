"""Vietnamese first: the interface is Vietnamese until a person chooses English.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many office
computers run an English browser; civil servants should still get Vietnamese by default. The
choice made with the language switch (Django's language cookie) is kept as usual.
"""

from django.conf import settings


class VietnameseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
