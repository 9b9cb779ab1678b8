"""Sign-up; login and logout are Django's own views (see accounts.urls)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
        login(request, user)
        return redirect("index")
    return render(request, "accounts/signup.html", {"form": form})
