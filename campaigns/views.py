"""Marketer pages under /campaigns/: campaigns, their quest tree and cohorts, positioning and messaging.

Every view needs a signed-in user working in a workspace (else the
choose-workspace page). Reads are open to every member; anything that writes
(every POST, and the pages that only hold a write form) needs a role that can
write: viewers get 403. Queries name the workspace explicitly, on top of RLS,
so they use the workspace-leading indexes.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns import services
from campaigns.forms import CampaignForm, CohortTargetForm, MessageArchitectureForm, PositioningForm, QuestForm
from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow import roles
from raptorflow.middleware import forbidden
from raptorflow.pagination import EstimatedCountPaginator

PAGE_SIZE = 20
# The campaign form's "Update messaging choices" button (shown without JavaScript): re-render, save nothing.
UPDATE_CHOICES = "update_choices"
READ_ONLY_MESSAGE = "Your role in this workspace can read campaigns but not change them."


def can_write(request) -> bool:
    """The role matrix's campaigns column (raptorflow.roles): owners, admins and marketers write."""
    return roles.can_write(request, roles.CAMPAIGNS)


def workspace_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.workspace is None:
            return redirect(f"{reverse('choose_workspace')}?{urlencode({'next': request.get_full_path()})}")
        if request.method not in ("GET", "HEAD") and not can_write(request):
            return forbidden(READ_ONLY_MESSAGE)
        return view(request, *args, **kwargs)

    return wrapped


def writer_required(view):
    """For pages that exist only to write (forms, confirmations): viewers get 403 on GET too."""

    @workspace_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_write(request):
            return forbidden(READ_ONLY_MESSAGE)
        return view(request, *args, **kwargs)

    return wrapped


def archived_read_only(view):
    """A write to an archived campaign's quests or cohorts: its page with a message, nothing changed, never a 500.

    The services refuse it (:class:`campaigns.services.CampaignArchived`), and so
    does the database (trigger ``campaign_children_refuse_archived``) if the
    campaign was archived meanwhile.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.CampaignArchived as refusal:
            messages.error(request, str(refusal))
            return redirect("campaigns:detail", pk=refusal.campaign_id)

    return wrapped


def _campaign(request, pk, queryset=None):
    return get_object_or_404((queryset or Campaign.objects).filter(workspace=request.workspace), pk=pk)


def _quest(request, pk):
    return get_object_or_404(CampaignQuest.objects.filter(workspace=request.workspace).select_related("campaign"), pk=pk)


def _count_of(model, field):
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# ---------------------------------------------------------------- campaigns


@workspace_required
def campaign_list(request):
    """Search by name, filter by status (archived hidden unless asked for), paginate."""
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    campaigns = Campaign.objects.filter(workspace=request.workspace)
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    elif status != "all":
        status = ""
        campaigns = campaigns.exclude(status=Campaign.Status.ARCHIVED)
    if query:
        campaigns = campaigns.filter(name__icontains=query)
    campaigns = (
        campaigns.select_related("positioning")
        .annotate(
            quest_total=_count_of(CampaignQuest, "campaign"),
            quest_done=Coalesce(
                Subquery(
                    CampaignQuest.objects.filter(campaign=OuterRef("pk"), status=CampaignQuest.Status.COMPLETED)
                    .order_by().values("campaign").annotate(n=Count("*")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            cohort_total=_count_of(CampaignCohort, "campaign"),
        )
        .order_by("name")
    )
    # No full COUNT of a large workspace's campaigns on every view: exact up to 1,000, estimated beyond.
    page = EstimatedCountPaginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in {"q": query, "status": status}.items() if v}
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": Campaign.Status.choices,
            "filter_query": urlencode(filters),
            "can_write": can_write(request),
            "nav": "campaigns",
        },
    )


@writer_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, workspace=request.workspace, initial={"status": Campaign.Status.DRAFT})
    if UPDATE_CHOICES in request.POST:
        form = form.unvalidated_copy()
    elif request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        campaign = form.save_unique()
        if campaign is not None:
            messages.success(request, f"Campaign \u201c{campaign.name}\u201d created. Add its quests and cohorts below.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "nav": "campaigns"})


@writer_required
def campaign_update(request, pk):
    campaign = _campaign(request, pk)
    if campaign.is_archived:
        messages.error(request, f"\u201c{campaign.name}\u201d is archived and read-only. Restore it to edit it.")
        return redirect("campaigns:detail", pk=campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign, workspace=request.workspace)
    if UPDATE_CHOICES in request.POST:
        form = form.unvalidated_copy()
    elif request.method == "POST" and form.is_valid():
        if form.save_unique() is not None:
            messages.success(request, f"Campaign \u201c{campaign.name}\u201d saved.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign, "nav": "campaigns"})


@writer_required
def campaign_archive(request, pk):
    campaign = _campaign(request, pk)
    if campaign.is_archived:
        messages.info(request, f"\u201c{campaign.name}\u201d is archived already.")
        return redirect("campaigns:detail", pk=campaign.pk)
    if request.method == "POST":
        services.archive_campaign(campaign=campaign)
        messages.success(request, f"Campaign \u201c{campaign.name}\u201d archived. It no longer shows in the default list.")
        return redirect("campaigns:list")
    return render(request, "campaigns/campaign_archive.html", {"campaign": campaign, "nav": "campaigns"})


@require_POST
@writer_required
def campaign_restore(request, pk):
    """Archiving is not final: the campaign comes back as a draft, its quests and cohorts writable again."""
    campaign = _campaign(request, pk)
    if campaign.is_archived:
        services.restore_campaign(campaign=campaign)
        messages.success(request, f"Campaign \u201c{campaign.name}\u201d restored as a draft; its quests and cohorts can change again.")
    return redirect("campaigns:detail", pk=campaign.pk)


def build_tree(quests):
    """Quests (any order) -> top-level nodes, each ``{"quest", "children", "first", "last"}``, siblings by position."""
    by_parent = {}
    for quest in sorted(quests, key=lambda q: (q.position, q.created_at, str(q.id))):
        by_parent.setdefault(quest.parent_id, []).append(quest)

    def nodes(parent_id):
        siblings = by_parent.get(parent_id, [])
        return [
            {"quest": q, "children": nodes(q.id), "first": i == 0, "last": i == len(siblings) - 1}
            for i, q in enumerate(siblings)
        ]

    return nodes(None)


def _render_detail(request, campaign, *, quest_form=None, cohort_form=None, status=200):
    quests = list(CampaignQuest.objects.filter(workspace=request.workspace, campaign=campaign))
    targets = list(
        CampaignCohort.objects.filter(workspace=request.workspace, campaign=campaign).select_related("cohort").order_by("role", "cohort__name")
    )
    writer = can_write(request)
    # An archived campaign is read-only for everyone; writers may restore it.
    changeable = writer and not campaign.is_archived
    context = {
        "campaign": campaign,
        "tree": build_tree(quests),
        "quest_count": len(quests),
        "quests_done": sum(q.status == CampaignQuest.Status.COMPLETED for q in quests),
        "xp_total": sum(q.xp_reward for q in quests),
        "targets": targets,
        "can_write": writer,
        "can_change": changeable,
        "nav": "campaigns",
    }
    if changeable:
        context["quest_form"] = quest_form or QuestForm(workspace=request.workspace, campaign=campaign, prefix="quest")
        context["cohort_form"] = cohort_form or CohortTargetForm(workspace=request.workspace, campaign=campaign, prefix="cohort")
    return render(request, "campaigns/campaign_detail.html", context, status=status)


@workspace_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk, Campaign.objects.select_related("positioning", "message_architecture"))
    return _render_detail(request, campaign)


# ---------------------------------------------------------------- quests


@require_POST
@workspace_required
@archived_read_only
def quest_add(request, pk):
    campaign = _campaign(request, pk, Campaign.objects.select_related("positioning", "message_architecture"))
    services.ensure_writable(campaign)
    form = QuestForm(request.POST, workspace=request.workspace, campaign=campaign, prefix="quest")
    if form.is_valid():
        data = form.cleaned_data
        try:
            quest = services.add_quest(
                campaign=campaign,
                title=data["title"],
                parent=data["parent"],
                xp_reward=data["xp_reward"],
                due_at=data["due_at"],
                description=data["description"],
            )
        except services.QuestTreeError as exc:
            form.add_error("parent", str(exc))
        else:
            messages.success(request, f"Quest \u201c{quest.title}\u201d added.")
            return redirect(f"{reverse('campaigns:detail', args=[campaign.pk])}#quest-{quest.pk}")
    return _render_detail(request, campaign, quest_form=form, status=400)


@writer_required
@archived_read_only
def quest_edit(request, pk):
    quest = _quest(request, pk)
    services.ensure_writable(quest.campaign)
    form = QuestForm(request.POST or None, instance=quest, workspace=request.workspace, campaign=quest.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            quest = services.save_quest(quest=form.save(commit=False), parent=form.cleaned_data["parent"])
        except services.QuestTreeError as exc:
            form.add_error("parent", str(exc))
        else:
            messages.success(request, f"Quest \u201c{quest.title}\u201d saved.")
            return redirect(f"{reverse('campaigns:detail', args=[quest.campaign_id])}#quest-{quest.pk}")
    return render(request, "campaigns/quest_form.html", {"form": form, "quest": quest, "campaign": quest.campaign, "nav": "campaigns"})


@require_POST
@workspace_required
@archived_read_only
def quest_move(request, pk):
    quest = _quest(request, pk)
    direction = request.POST.get("direction")
    try:
        if direction in ("up", "down"):
            if not services.move_quest(quest=quest, direction=direction):
                messages.info(request, f"\u201c{quest.title}\u201d is already at the {'top' if direction == 'up' else 'bottom'}.")
        elif direction == "in":
            services.indent_quest(quest=quest)
        elif direction == "out":
            services.outdent_quest(quest=quest)
        else:
            raise Http404("unknown direction")
    except services.QuestTreeError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('campaigns:detail', args=[quest.campaign_id])}#quest-{quest.pk}")


@require_POST
@workspace_required
@archived_read_only
def quest_complete(request, pk):
    quest = _quest(request, pk)
    if request.POST.get("action") == "reopen":
        services.reopen_quest(quest=quest)
        messages.success(request, f"Quest \u201c{quest.title}\u201d reopened.")
    else:
        services.complete_quest(quest=quest)
        messages.success(request, f"Quest \u201c{quest.title}\u201d completed (+{quest.xp_reward} XP).")
    return redirect(f"{reverse('campaigns:detail', args=[quest.campaign_id])}#quest-{quest.pk}")


@require_POST
@workspace_required
@archived_read_only
def quest_delete(request, pk):
    quest = _quest(request, pk)
    deleted = services.delete_quest(quest=quest)
    extra = f" with {deleted - 1} sub-quest{'s' if deleted != 2 else ''}" if deleted > 1 else ""
    messages.success(request, f"Quest \u201c{quest.title}\u201d deleted{extra}.")
    return redirect("campaigns:detail", pk=quest.campaign_id)


# ---------------------------------------------------------------- cohort targeting


@require_POST
@workspace_required
@archived_read_only
def cohort_add(request, pk):
    campaign = _campaign(request, pk, Campaign.objects.select_related("positioning", "message_architecture"))
    services.ensure_writable(campaign)
    form = CohortTargetForm(request.POST, workspace=request.workspace, campaign=campaign, prefix="cohort")
    if form.is_valid():
        target, _ = services.target_cohort(campaign=campaign, cohort=form.cleaned_data["cohort"], role=form.cleaned_data["role"])
        messages.success(request, f"Now targeting \u201c{target.cohort.name}\u201d as {target.get_role_display().lower()}.")
        return redirect(f"{reverse('campaigns:detail', args=[campaign.pk])}#cohorts")
    return _render_detail(request, campaign, cohort_form=form, status=400)


@require_POST
@workspace_required
@archived_read_only
def cohort_remove(request, pk, target_pk):
    target = get_object_or_404(
        CampaignCohort.objects.filter(workspace=request.workspace, campaign_id=pk).select_related("cohort", "campaign"), pk=target_pk
    )
    services.untarget_cohort(target=target)
    messages.success(request, f"No longer targeting \u201c{target.cohort.name}\u201d.")
    return redirect(f"{reverse('campaigns:detail', args=[pk])}#cohorts")


# ---------------------------------------------------------------- positioning and messaging


@workspace_required
def positioning_list(request):
    items = (
        Positioning.objects.filter(workspace=request.workspace)
        .annotate(
            campaign_total=_count_of(Campaign, "positioning"),
            message_total=_count_of(MessageArchitecture, "positioning"),
        )
        .order_by("name")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/positioning_list.html", {"page": page, "can_write": can_write(request), "nav": "positioning"})


@workspace_required
def positioning_detail(request, pk):
    positioning = get_object_or_404(Positioning.objects.filter(workspace=request.workspace), pk=pk)
    architectures = list(MessageArchitecture.objects.filter(workspace=request.workspace, positioning=positioning).order_by("-is_primary", "name", "-version"))
    campaigns = list(Campaign.objects.filter(workspace=request.workspace, positioning=positioning).order_by("name")[:50])
    return render(
        request,
        "campaigns/positioning_detail.html",
        {"positioning": positioning, "architectures": architectures, "campaigns": campaigns, "can_write": can_write(request), "nav": "positioning"},
    )


@writer_required
def positioning_form(request, pk=None):
    positioning = get_object_or_404(Positioning.objects.filter(workspace=request.workspace), pk=pk) if pk else None
    form = PositioningForm(request.POST or None, instance=positioning, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        if positioning is None:
            form.instance.created_by = request.user
        saved = form.save_unique()
        if saved is not None:
            messages.success(request, f"Positioning \u201c{saved.name}\u201d saved.")
            return redirect("campaigns:positioning_detail", pk=saved.pk)
    return render(request, "campaigns/positioning_form.html", {"form": form, "positioning": positioning, "nav": "positioning"})


@writer_required
def positioning_delete(request, pk):
    positioning = get_object_or_404(Positioning.objects.filter(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        positioning.delete()
        messages.success(request, f"Positioning \u201c{positioning.name}\u201d deleted with its messaging; its campaigns keep running without it.")
        return redirect("campaigns:positioning_list")
    campaign_count = Campaign.objects.filter(workspace=request.workspace, positioning=positioning).count()
    return render(
        request,
        "campaigns/confirm_delete.html",
        {"object": positioning, "kind": "positioning", "campaign_count": campaign_count,
         "cancel_url": reverse("campaigns:positioning_detail", args=[pk]), "nav": "positioning"},
    )


@writer_required
def message_form(request, positioning_pk=None, pk=None):
    if pk:
        architecture = get_object_or_404(MessageArchitecture.objects.filter(workspace=request.workspace).select_related("positioning"), pk=pk)
        positioning = architecture.positioning
    else:
        architecture = None
        positioning = get_object_or_404(Positioning.objects.filter(workspace=request.workspace), pk=positioning_pk)
    form = MessageArchitectureForm(request.POST or None, instance=architecture, workspace=request.workspace, positioning=positioning)
    if request.method == "POST" and form.is_valid():
        # Through the service: making it primary demotes the positioning's previous primary.
        saved = form.save_unique(lambda architecture: services.save_message_architecture(architecture=architecture))
        if saved is not None:
            messages.success(request, f"Message architecture \u201c{saved}\u201d saved.")
            return redirect("campaigns:positioning_detail", pk=positioning.pk)
    return render(
        request,
        "campaigns/message_form.html",
        {"form": form, "architecture": architecture, "positioning": positioning, "nav": "positioning"},
    )


@require_POST
@workspace_required
def message_primary(request, pk):
    architecture = get_object_or_404(MessageArchitecture.objects.filter(workspace=request.workspace), pk=pk)
    services.make_primary(architecture=architecture)
    messages.success(request, f"\u201c{architecture}\u201d is now the primary messaging.")
    return redirect("campaigns:positioning_detail", pk=architecture.positioning_id)


@writer_required
def message_delete(request, pk):
    architecture = get_object_or_404(MessageArchitecture.objects.filter(workspace=request.workspace), pk=pk)
    if request.method == "POST":
        architecture.delete()
        messages.success(request, f"Message architecture \u201c{architecture}\u201d deleted.")
        return redirect("campaigns:positioning_detail", pk=architecture.positioning_id)
    campaign_count = Campaign.objects.filter(workspace=request.workspace, message_architecture=architecture).count()
    return render(
        request,
        "campaigns/confirm_delete.html",
        {"object": architecture, "kind": "message architecture", "campaign_count": campaign_count,
         "cancel_url": reverse("campaigns:positioning_detail", args=[architecture.positioning_id]), "nav": "positioning"},
    )
