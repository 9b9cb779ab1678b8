"""Sign-up and the locked-out login page; login and logout are Django's own views."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import SignupForm


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and sign in; the first account becomes a superuser."""
    if not settings.SIGNUP_ENABLED:
        return render(request, "accounts/signup_disabled.html", status=403)
    if request.user.is_authenticated:
        return redirect("index")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = services.user_create(
            username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("index")
    return render(request, "accounts/signup.html", {"form": form})


def login_locked_out(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """The login page with a "try again in …" message: django-axes's answer to a locked login."""
    # Axes calls this with (request, response, credentials) or, on its async path, with
    # (request, credentials): neither is needed, the form is rebuilt from the request.
    now = timezone.now()
    wait = timeuntil(now + settings.AXES_COOLOFF_TIME, now)
    context = {
        "form": AuthenticationForm(request, initial={"username": request.POST.get("username")}),
        "lockout": f"Too many failed logins. Try again in {wait}.",
    }
    return render(request, "accounts/login.html", context, status=429)
