"""Pages of the subscriptions app: the overview with its four lists, the request and
subscription pages (decided in place with htmx), and subscribing from a listing.

Views are thin: selectors narrow what the user sees (anything else is a 404), forms check
shape, services decide. A refusal answers its status (400 bad input, 403 not allowed, 409
moved on) with the reason shown where the person clicked; htmx swaps the panel in place.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from catalog.choices import ListingStatus
from catalog.selectors import listing_get
from meshportal.exceptions import Conflict
from meshportal.forms import form_page, service_error_text
from meshportal.htmx import is_htmx_partial

from . import selectors, services
from .filters import SubscriptionFilterSet, SubscriptionRequestFilterSet
from .forms import AcceptForm, RejectForm, RevokeForm, SubscribeForm
from .models import EmailPreference
from .permissions import is_approver, is_consumer_canceller

PAGE_SIZE = 25

TABS = [
    ("to_decide", "Waiting for my decision", "requests"),
    ("our_requests", "Our requests", "requests"),
    ("consumed", "What we consume", "subscriptions"),
    ("provided", "Who consumes our data", "subscriptions"),
]


@require_safe
def overview(request):
    """The Subscriptions section: one of four lists, with all four counts."""
    tab = request.GET.get("tab") or "to_decide"
    if tab not in {t[0] for t in TABS}:
        tab = "to_decide"
    user = request.user
    if tab == "to_decide":
        rows = selectors.request_list(user=user, direction="incoming").filter(status="PENDING")
        filterset = SubscriptionRequestFilterSet(request.GET, queryset=rows, request=request)
    elif tab == "our_requests":
        rows = selectors.request_list(user=user, direction="outgoing")
        filterset = SubscriptionRequestFilterSet(request.GET, queryset=rows, request=request)
    else:
        direction = "consumed" if tab == "consumed" else "provided"
        rows = selectors.subscription_list(user=user, direction=direction)
        filterset = SubscriptionFilterSet(request.GET, queryset=rows, request=request)
    rows = filterset.qs if filterset.is_valid() else rows.none()
    preference = EmailPreference.objects.filter(user=user).first()
    return render(
        request,
        "subscriptions/overview.html",
        {
            "tab": tab,
            "tabs": TABS,
            "kind": dict((t[0], t[2]) for t in TABS)[tab],
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "filterset": filterset,
            "email_enabled": preference is None or preference.email_enabled,
        },
    )


# --- Requests -----------------------------------------------------------------------------


def _request_context(request, subscription_request, **extra) -> dict:
    user = request.user
    pending = subscription_request.status == "PENDING"
    context = {
        "req": subscription_request,
        "timeline": selectors.request_timeline(request=subscription_request),
        "can_decide": pending and is_approver(user, subscription_request.listing),
        "can_cancel": pending and is_consumer_canceller(user, subscription_request),
        "accept_form": AcceptForm(),
        "reject_form": RejectForm(),
    }
    context.update(extra)
    return context


def _panel_action(request, obj, act, *, render_panel, reread, detail: str, forms=None):
    """A decision on a request or a subscription, answered as its panel: ``act()`` calls
    the service and returns the message. A refusal comes back on the panel with its
    reason — 403 (a full page re-raises it), 409 after re-reading the object, 400 with
    the ``forms`` as sent; success is the ``reread()`` panel with the message (htmx) or
    the message and a redirect to the ``detail`` page."""
    try:
        message = act()
    except PermissionDenied as error:
        if not is_htmx_partial(request):
            raise
        return render_panel(obj, status=403, refusal=str(error))
    except Conflict as error:
        obj.refresh_from_db()
        return render_panel(obj, status=409, refusal=error.message)
    except ValidationError as error:
        return render_panel(obj, status=400, refusal=service_error_text(error), **(forms or {}))
    obj = reread()  # as the user now sees it (and a 404 if they no longer may)
    if is_htmx_partial(request):
        return render_panel(obj, notice=message)
    messages.success(request, message)
    return redirect(detail, pk=obj.pk)


def _render_request(request, subscription_request, status=200, **extra):
    template = (
        "subscriptions/_request_panel.html"
        if is_htmx_partial(request)
        else "subscriptions/request_detail.html"
    )
    context = _request_context(request, subscription_request, **extra)
    return render(request, template, context, status=status)


@require_safe
def request_detail(request, pk):
    return _render_request(request, selectors.request_get(user=request.user, pk=pk))


def _decide(request, pk, act, form_class=None):
    """Run one decision; answer the panel with the outcome or the refusal's reason."""
    subscription_request = selectors.request_get(user=request.user, pk=pk)
    form = form_class(request.POST) if form_class else None
    forms = {}
    if form is not None:
        forms["accept_form" if form_class is AcceptForm else "reject_form"] = form
        if not form.is_valid():
            return _render_request(
                request,
                subscription_request,
                status=400,
                refusal="Please correct the form.",
                **forms,
            )
    data = form.cleaned_data if form is not None else {}
    return _panel_action(
        request,
        subscription_request,
        lambda: act(subscription_request, data),
        render_panel=lambda obj, **kw: _render_request(request, obj, **kw),
        reread=lambda: selectors.request_get(user=request.user, pk=pk),
        detail="subscription-request-detail",
        forms=forms,
    )


@require_POST
def request_accept(request, pk):
    def act(subscription_request, data):
        services.subscription_request_accept(
            acting_user=request.user,
            request=subscription_request,
            decision_comment=data.get("decision_comment", ""),
            expires_at=data.get("expires_at"),
        )
        return "Accepted: the subscription is approved and access is being set up."

    return _decide(request, pk, act, AcceptForm)


@require_POST
def request_reject(request, pk):
    def act(subscription_request, data):
        services.subscription_request_reject(
            acting_user=request.user,
            request=subscription_request,
            decision_comment=data["decision_comment"],
        )
        return "Rejected: the requester was told why."

    return _decide(request, pk, act, RejectForm)


@require_POST
def request_cancel(request, pk):
    def act(subscription_request, data):
        services.subscription_request_cancel(acting_user=request.user, request=subscription_request)
        return "Request cancelled."

    return _decide(request, pk, act)


# --- Subscriptions ------------------------------------------------------------------------


def _render_subscription(request, subscription, status=200, **extra):
    user = request.user
    approved = subscription.status == "APPROVED"
    context = {
        "subscription": subscription,
        "req": subscription.request,
        "timeline": selectors.subscription_timeline(subscription=subscription),
        "can_revoke": approved and is_approver(user, subscription.listing),
        "can_cancel": approved and is_consumer_canceller(user, subscription.request),
        "revoke_form": RevokeForm(),
    }
    context.update(extra)
    template = (
        "subscriptions/_subscription_panel.html"
        if is_htmx_partial(request)
        else "subscriptions/subscription_detail.html"
    )
    return render(request, template, context, status=status)


@require_safe
def subscription_detail(request, pk):
    return _render_subscription(request, selectors.subscription_get(user=request.user, pk=pk))


def _end(request, pk, act):
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    return _panel_action(
        request,
        subscription,
        lambda: act(subscription),
        render_panel=lambda obj, **kw: _render_subscription(request, obj, **kw),
        reread=lambda: selectors.subscription_get(user=request.user, pk=pk),
        detail="subscription-detail",
    )


@require_POST
def subscription_revoke(request, pk):
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")

    def act(subscription):
        services.subscription_revoke(
            acting_user=request.user, subscription=subscription, reason=reason
        )
        return "Revoked: access is being taken away."

    return _end(request, pk, act)


@require_POST
def subscription_cancel(request, pk):
    def act(subscription):
        services.subscription_cancel(acting_user=request.user, subscription=subscription)
        return "Unsubscribed: access is being taken away."

    return _end(request, pk, act)


# --- Subscribing from a listing -----------------------------------------------------------


@require_POST
def listing_subscribe(request, pk):
    listing = listing_get(user=request.user, pk=pk)
    projects = selectors.requestable_projects(user=request.user, listing=listing)
    form = SubscribeForm(request.POST, projects=projects)

    def save(form):
        return services.subscription_request_create(
            acting_user=request.user, listing=listing, **form.service_kwargs()
        )

    def requested(outcome):
        subscription_request, created = outcome
        if not created:
            messages.info(request, "Your project has already asked for it: here is the request.")
        elif subscription_request.status == "ACCEPTED":
            messages.success(request, "Subscribed: the listing is open to all.")
        else:
            messages.success(request, "Requested: the owners have been asked to decide.")
        return redirect(reverse("subscription-request-detail", args=[subscription_request.pk]))

    # The service's reasons read as one sentence above the form, where the person looks.
    return form_page(
        request,
        form,
        save,
        requested,
        "subscriptions/subscribe.html",
        {"listing": listing, "active": listing.status == ListingStatus.ACTIVE},
        attach=_attach_as_sentence,
    )


def _attach_as_sentence(form, error) -> None:
    form.add_error(None, service_error_text(error))


@require_POST
def email_preference(request):
    enabled = request.POST.get("email_enabled") == "on"
    services.email_preference_set(acting_user=request.user, email_enabled=enabled)
    messages.success(
        request,
        "Email about subscriptions is "
        + ("on." if enabled else "off (the inbox keeps everything)."),
    )
    return redirect(reverse("subscriptions") + "?tab=" + request.POST.get("tab", "to_decide")[:20])
