"""Pages for residents: the navigator (誰に相談したらいい？), the directory search and a service's page.

Nothing a resident types into the navigator is stored: the form is posted (so the text is not in
addresses or server logs), answered in memory and sent back with Cache-Control: no-store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.safestring import SafeString
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from tsunagari.http import HtmxRequest
from tsunagari.orgs.selectors import memberships_of
from tsunagari.pagecache import public_page
from tsunagari.text.analysis import analyze, analyze_query
from tsunagari.text.analysis import phrases as written_phrases

from ..answers import why
from ..cards import card_parts, with_card_details
from ..crisis import assess, matches_crisis_pattern
from ..embeddings import DIM as EMBEDDING_DIM
from ..forms import AUDIENCES, DirectorySearchForm, NavigatorForm
from ..hotlines import crisis_hotlines
from ..load import answering_slot, over_rate_limit
from ..models import Service, ServiceAtLocation
from ..navigator import CANDIDATES, SHOWN_GUESS_RATIO, SHOWN_GUESSES, navigate, word_scores
from ..search import matching
from ..selectors import public_services


def with_display_details(qs: QuerySet[Service]) -> QuerySet[Service]:
    """A card's details, and its categories and places (a service's page, the staff's lists)."""
    return with_card_details(qs).prefetch_related(
        "categories",
        Prefetch(
            "service_at_locations", queryset=ServiceAtLocation.objects.select_related("location__district")
        ),
    )


FIRST_ANSWERS = 5  # shown first; the rest behind 「もっと見る」
MORE_ANSWERS = 10


@dataclass(frozen=True)
class ResultRow:
    card: SafeString  # the whole card (cards.py)
    attribution: str  # a national scheme's source, given once under the answers


@sensitive_variables("data", "answer", "written", "tokens")
def answer_context(
    form: NavigatorForm, *, include_members_only: bool, tokens: dict[str, float] | None = None
) -> dict:
    """The answer to a valid form; ``tokens`` is the text's ``analyze_query`` when already computed."""
    data = form.cleaned_data
    chosen = data["categories"] if data.get("refine") else None
    district = data.get("district")
    # Every candidate, not only the rows shown: the visibility check below may drop a few.
    answer = navigate(
        data["text"], district_id=district.pk if district else None, categories=chosen,
        include_members_only=include_members_only, limit=CANDIDATES, tokens=tokens,
    )  # fmt: skip
    # The in-memory index could lag a change made outside the app: visibility is checked again, with each
    # service's last change (what its kept card is keyed by, cards.py), for the rows to show. A candidate
    # hidden since the index was built is simply not returned, and the next candidates are read in its place.
    wanted = FIRST_ANSWERS + MORE_ANSWERS
    base = Service.objects.all() if include_members_only else public_services()
    candidates = [m.entry.pk for m in answer.matches]
    versions: dict = {}
    while len(versions) < wanted and candidates:
        batch, candidates = candidates[: wanted - len(versions)], candidates[wanted - len(versions) :]
        versions |= dict(base.filter(pk__in=batch).values_list("pk", "last_modified"))
    parts = card_parts(versions)
    labels = {t.code: t for t in form.terms}
    names = {code: term.label for code, term in labels.items()}
    written = written_phrases(data["text"])
    rows = [
        ResultRow(
            card=parts[m.entry.pk].card(why=why(m, names, written)), attribution=parts[m.entry.pk].attribution
        )
        for m in answer.matches
        if m.entry.pk in parts
    ]
    # Show the guessed kinds of trouble that are close to the best guess, not filler (navigator.py).
    best = answer.categories[0].score if answer.categories else 0.0
    guessed = [g.code for g in answer.categories[:SHOWN_GUESSES] if g.score >= SHOWN_GUESS_RATIO * best] or [
        g.code for g in answer.categories[:1]
    ]
    shown_categories = chosen if chosen is not None else guessed
    return {
        "answer": answer,
        "crisis": answer.crisis,
        "hotlines": crisis_hotlines(),
        "first": rows[:FIRST_ANSWERS],
        "more": rows[FIRST_ANSWERS:wanted],
        # national schemes' source, once under the answers rather than on every one-line card
        "attributions": list(dict.fromkeys(r.attribution for r in rows[:wanted] if r.attribution)),
        "guessed": [labels[c] for c in shown_categories if c in labels],
        "labels": labels,
    }


@sensitive_variables("text")
def waiting_context(text: str, reason: str) -> dict:
    """What a resident sees when the navigator cannot answer now (load.py): the crisis lines if their
    words match the curated danger patterns (no embedding needed), and a way to try again."""
    return {"waiting": reason, "answer": assess(text, np.zeros(EMBEDDING_DIM, dtype=np.float32))}


@sensitive_variables("form", "context", "text", "tokens")
def navigator_page(request: HtmxRequest, *, staff: bool) -> HttpResponse:
    """The navigator page, for residents (public services) or staff (members-only services too)."""
    form = NavigatorForm(request.POST or None)
    context: dict = {"form": form, "staff": staff}
    status = 200
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        tokens = analyze_query(text)  # analysed once: the same tokens answer the question below
        if not tokens and not matches_crisis_pattern(text):
            context["too_short"] = True  # nothing to go on (e.g. "あ"): ask instead of guessing
        elif not staff and over_rate_limit(request):
            context |= waiting_context(text, "limited")
            status = 429
        else:
            with answering_slot() as answering:
                if answering:
                    context |= answer_context(form, include_members_only=staff, tokens=tokens)
                    context["chosen_codes"] = [g.code for g in context["guessed"]]
                else:
                    context |= waiting_context(text, "busy")
                    status = 503
    template = "directory/navigator.html"
    if request.htmx:
        template += "#navi-results"
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
@public_page
def navigator(request: HtmxRequest) -> HttpResponse:
    return navigator_page(request, staff=False)


def search_services(form: DirectorySearchForm, base: QuerySet[Service]) -> QuerySet[Service]:
    qs = base
    if not form.is_valid():
        return qs.order_by("source", "name")
    data = form.cleaned_data
    if data.get("category"):
        qs = qs.filter(categories=data["category"])
    if data.get("district"):  # a service with no districts listed is for the whole city
        qs = qs.filter(Q(districts=data["district"]) | Q(districts__isnull=True))
    if data.get("availability"):
        qs = qs.filter(availability=data["availability"])
    if data.get("audience"):
        _, low, high = AUDIENCES[data["audience"]]
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=high)).filter(
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=low)
        )
    if data.get("q"):
        qs = matching(qs, analyze(data["q"]))
    return qs.distinct().order_by("source", "name")


def ranked_page(
    request: HttpRequest,
    form: DirectorySearchForm,
    results: QuerySet[Service],
    per_page: int,
    *,
    details: Callable[[QuerySet[Service]], QuerySet[Service]] = with_card_details,
) -> Page:
    """One page of results: by relevance when words were given (BM25), else by kind and name; ``details``
    reads what the page shows of each (cards by default)."""
    words = form.cleaned_data.get("q") if form.is_valid() else ""
    if not words:
        return Paginator(details(results), per_page).get_page(request.GET.get("page"))
    scores = word_scores(words)
    ids = sorted(results.values_list("pk", flat=True), key=lambda pk: -scores.get(pk, 0.0))
    page = Paginator(ids, per_page).get_page(request.GET.get("page"))
    by_pk = details(Service.objects.filter(pk__in=list(page.object_list))).in_bulk()
    page.object_list = [by_pk[pk] for pk in page.object_list]  # type: ignore[misc]
    return page


@login_not_required
@require_GET
@public_page
def directory_search(request: HtmxRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    page = ranked_page(request, form, search_services(form, public_services()), 20)
    query = request.GET.copy()
    query.pop("page", None)
    template = "directory/service_search.html"
    response = render(
        request, f"{template}#search-results" if request.htmx else template,
        {"form": form, "page": page, "query": query.urlencode()},
    )  # fmt: skip
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
@require_GET
@public_page
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    is_member = request.user.is_authenticated and memberships_of(request.user).exists()  # type: ignore[arg-type]
    base = Service.objects.all() if is_member else public_services()
    service = get_object_or_404(
        with_display_details(base).prefetch_related(
            "languages", "service_areas", "districts", "service_at_locations__location__addresses"
        ),
        pk=service_id,
    )
    return render(request, "directory/service_detail.html", {"service": service})


@login_not_required
@require_GET
@public_page
def hotline_sources(request: HttpRequest) -> HttpResponse:
    """Every line the crisis box can show, with its hours, the date of the facts and their source."""
    from ..hotlines import all_hotlines

    return render(request, "directory/hotline_sources.html", {"hotlines": all_hotlines()})
