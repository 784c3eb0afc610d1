"""Seed the global agent registry: the council, the 7 lords, their specialists and workers.

Upsert by slug (capabilities by (agent, capability)), writing a row only when
it differs: re-running changes nothing, not even updated_at. Set-based: one
SELECT per table finds the rows already there, one INSERT per table adds the
missing ones (ids are made in Python, so an agent's supervisor is known before
its row is written; the self-referencing key is checked at the end of the
statement), and only a row that differs is updated. On an empty database that
is four statements instead of a SELECT and an INSERT for each of the 171 rows.
The reverse deletes exactly the seeded slugs with their capabilities. It
runs before the tenant tables are put under RLS (0003), so on the way back,
when RLS is already gone, it also removes the workspaces' assignments and
performance of those agents instead of failing on their foreign keys.

Constants live here (migrations never import app code).
"""

from django.db import migrations

COUNCIL_MODEL = "claude-opus-4-1"
LORD_MODEL = "claude-sonnet-4-5"
SPECIALIST_MODEL = "claude-sonnet-4-5"
WORKER_MODEL = "claude-haiku-4-5"

TIER_CONFIG = {
    "council": {"temperature": 0.2, "max_tokens": 8000, "timeout_s": 300, "review_required": False},
    "lord": {"temperature": 0.3, "max_tokens": 6000, "timeout_s": 240, "review_required": True},
    "specialist": {"temperature": 0.5, "max_tokens": 4000, "timeout_s": 120, "review_required": True},
    "worker": {"temperature": 0.2, "max_tokens": 1500, "timeout_s": 60, "review_required": False, "batch_size": 20},
}

LORDS = ["strategy", "brand", "growth", "content", "analytics", "customer", "operations"]

# (slug, name, tier, domain, supervisor slug, description, {config extras}, [(capability, description), ...])
AGENTS = [
    # ------------------------------------------------------------ council
    ("council-conductor", "Council Conductor", "council", "council", None,
     "Chairs the Council of Lords: turns a workspace goal into a plan, routes each part to the right lord, "
     "resolves conflicts between their recommendations and signs off the final campaign plan.",
     {"delegates_to": [f"{lord}-lord" for lord in LORDS], "model_fallback": LORD_MODEL},
     [("goal-decomposition", "Break a business goal into workstreams owned by the lords."),
      ("council-arbitration", "Weigh conflicting lord recommendations and record the decision."),
      ("plan-approval", "Approve or send back a consolidated campaign plan.")]),
    # ------------------------------------------------------------ the Council of Lords
    ("strategy-lord", "Lord of Strategy", "lord", "strategy", "council-conductor",
     "Strategic supervisor for positioning, market choice and go-to-market sequencing; reviews every "
     "strategy specialist's output against the workspace's positioning.",
     {"review_threshold": 0.8},
     [("strategy-review", "Review a positioning or GTM proposal and score it against the brief."),
      ("market-prioritisation", "Rank segments and markets by attractiveness and right to win.")]),
    ("brand-lord", "Lord of Brand", "lord", "brand", "council-conductor",
     "Strategic supervisor of brand voice, identity and message architecture; the last word on "
     "whether an asset is on-brand.",
     {"review_threshold": 0.85},
     [("brand-review", "Approve or reject assets and messages for brand fit."),
      ("message-hierarchy", "Maintain the primary message and its pillars.")]),
    ("growth-lord", "Lord of Growth", "lord", "growth", "council-conductor",
     "Strategic supervisor of acquisition and activation: allocates budget across paid, organic and "
     "lifecycle channels and holds specialists to CAC and payback targets.",
     {"review_threshold": 0.75, "kpis": ["cac", "payback_months", "activation_rate"]},
     [("channel-allocation", "Split a budget across channels from expected marginal return."),
      ("growth-review", "Review growth experiments and scale or stop them.")]),
    ("content-lord", "Lord of Content", "lord", "content", "council-conductor",
     "Strategic supervisor of the editorial engine: themes, calendar and quality bar for every "
     "format from long-form to short video.",
     {"review_threshold": 0.8},
     [("editorial-direction", "Set quarterly themes and the editorial calendar's priorities."),
      ("content-review", "Review drafts for accuracy, structure and message fit.")]),
    ("analytics-lord", "Lord of Analytics", "lord", "analytics", "council-conductor",
     "Strategic supervisor of measurement: owns the metric definitions, attribution approach and the "
     "verdict on experiments.",
     {"review_threshold": 0.9},
     [("measurement-plan", "Define the KPIs, events and attribution for a campaign."),
      ("insight-review", "Challenge analyses for statistical and causal soundness.")]),
    ("customer-lord", "Lord of Customers", "lord", "customer", "council-conductor",
     "Strategic supervisor of customer understanding and retention: personas, voice of the customer, "
     "onboarding and churn prevention.",
     {"review_threshold": 0.8},
     [("customer-review", "Check plans against personas and customer evidence."),
      ("retention-strategy", "Set the retention and expansion priorities.")]),
    ("operations-lord", "Lord of Operations", "lord", "operations", "council-conductor",
     "Strategic supervisor of marketing operations: budgets, approvals, tooling, compliance and the "
     "schedule every campaign runs on.",
     {"review_threshold": 0.85},
     [("ops-review", "Check a campaign plan for budget, compliance and schedule feasibility."),
      ("capacity-planning", "Match the plan to team and agent capacity.")]),
    # ------------------------------------------------------------ strategy
    ("positioning-strategist", "Positioning Strategist", "specialist", "strategy", "strategy-lord",
     "Drafts positioning statements (target, problem, value, differentiators, proof) from research and "
     "the competitive landscape.", {},
     [("positioning-draft", "Draft a positioning statement with differentiators and proof points."),
      ("differentiator-test", "Stress-test claimed differentiators against competitors.")]),
    ("competitive-intelligence-analyst", "Competitive Intelligence Analyst", "specialist", "strategy", "strategy-lord",
     "Builds and refreshes competitor profiles: offers, pricing, messaging, channels and recent moves.", {},
     [("competitor-teardown", "Produce a teardown of one competitor's offer and messaging."),
      ("battlecard", "Write a sales battlecard against a named competitor.")]),
    ("market-sizing-analyst", "Market Sizing Analyst", "specialist", "strategy", "strategy-lord",
     "Estimates TAM, SAM and SOM bottom-up and top-down, with every assumption stated.", {},
     [("market-sizing", "Estimate TAM/SAM/SOM for a segment with sources and assumptions.")]),
    ("pricing-strategist", "Pricing Strategist", "specialist", "strategy", "strategy-lord",
     "Designs packaging and price points from willingness-to-pay evidence and competitor pricing.", {},
     [("packaging-design", "Propose tiers, value metrics and fences."),
      ("price-test-plan", "Plan a price test with guardrail metrics.")]),
    ("gtm-planner", "Go-to-Market Planner", "specialist", "strategy", "strategy-lord",
     "Sequences a launch: segments, channels, milestones and the owner of each step.", {},
     [("launch-plan", "Build a phased launch plan with milestones and owners.")]),
    ("competitor-site-crawler", "Competitor Site Crawler", "worker", "strategy", "competitive-intelligence-analyst",
     "Fetches competitor pricing and product pages on a schedule and extracts structured changes.",
     {"tools": ["web_fetch", "html_extract"], "rate_limit_per_min": 30},
     [("page-diff", "Extract and diff the structured content of a watched page.")]),
    ("review-miner", "Review Miner", "worker", "strategy", "competitive-intelligence-analyst",
     "Collects public reviews of competitors (G2, Capterra, app stores) and tags praise and complaints.",
     {"tools": ["web_fetch"]},
     [("review-tagging", "Tag reviews by theme and sentiment.")]),
    ("tam-calculator", "TAM Calculator", "worker", "strategy", "market-sizing-analyst",
     "Runs the arithmetic of market-sizing models from firmographic counts and price assumptions.", {},
     [("sizing-calculation", "Compute a sizing model from counts, penetration and price.")]),
    ("swot-drafter", "SWOT Drafter", "worker", "strategy", "positioning-strategist",
     "Turns research notes into a first-pass SWOT for the positioning strategist to refine.", {},
     [("swot-draft", "Draft a SWOT table from notes.")]),
    # ------------------------------------------------------------ brand
    ("brand-voice-guardian", "Brand Voice Guardian", "specialist", "brand", "brand-lord",
     "Scores copy against the workspace's voice and tone guidelines and suggests on-brand rewrites.", {},
     [("voice-score", "Score copy for voice and tone fit with reasons."),
      ("on-brand-rewrite", "Rewrite copy to the brand voice, keeping the meaning.")]),
    ("messaging-architect", "Messaging Architect", "specialist", "brand", "brand-lord",
     "Builds message architectures: core message, pillars and proof for each audience.", {},
     [("message-architecture", "Draft a core message with pillars and proof points."),
      ("audience-adaptation", "Adapt the message architecture to one audience.")]),
    ("visual-identity-reviewer", "Visual Identity Reviewer", "specialist", "brand", "brand-lord",
     "Reviews creative for logo use, colour, typography and imagery rules.",
     {"tools": ["image_analysis"]},
     [("creative-review", "Check an image or layout against identity rules.")]),
    ("naming-specialist", "Naming Specialist", "specialist", "brand", "brand-lord",
     "Generates and screens names for products, features and campaigns.", {},
     [("name-generation", "Generate name candidates with rationale."),
      ("name-screening", "Screen names for conflicts, meaning and pronunciation.")]),
    ("brand-compliance-auditor", "Brand Compliance Auditor", "specialist", "brand", "brand-lord",
     "Audits live assets across channels for outdated claims, logos and messaging.", {},
     [("asset-audit", "Audit a set of live assets and list violations.")]),
    ("tone-checker", "Tone Checker", "worker", "brand", "brand-voice-guardian",
     "Flags sentences that break tone rules (jargon, hype, passive voice) in bulk.", {},
     [("tone-lint", "Flag tone violations sentence by sentence.")]),
    ("tagline-generator", "Tagline Generator", "worker", "brand", "messaging-architect",
     "Produces short tagline variants from a message pillar.", {"temperature": 0.9},
     [("tagline-variants", "Generate tagline variants for a pillar.")]),
    ("asset-tagger", "Asset Tagger", "worker", "brand", "visual-identity-reviewer",
     "Tags images and videos in the asset library with subjects, colours and usage rights.",
     {"tools": ["image_analysis"]},
     [("asset-tagging", "Tag a media asset with descriptive metadata.")]),
    ("style-guide-linter", "Style Guide Linter", "worker", "brand", "brand-compliance-auditor",
     "Checks spelling, capitalisation and product names against the style guide.", {},
     [("style-lint", "List style-guide deviations in a text.")]),
    # ------------------------------------------------------------ growth
    ("paid-media-strategist", "Paid Media Strategist", "specialist", "growth", "growth-lord",
     "Plans paid search and social campaigns: audiences, budgets, bidding and creative rotation.",
     {"channels": ["google_ads", "meta", "linkedin"]},
     [("media-plan", "Draft a paid media plan with budgets per channel."),
      ("audience-design", "Define targeting audiences and exclusions.")]),
    ("seo-strategist", "SEO Strategist", "specialist", "growth", "growth-lord",
     "Builds topic clusters and technical SEO priorities from search demand and site audits.", {},
     [("topic-cluster", "Propose a topic cluster with pillar and supporting pages."),
      ("seo-audit", "Prioritise technical SEO fixes.")]),
    ("conversion-optimizer", "Conversion Rate Optimizer", "specialist", "growth", "growth-lord",
     "Finds funnel leaks and designs A/B tests for landing pages and sign-up flows.", {},
     [("funnel-diagnosis", "Locate the biggest drop-offs in a funnel."),
      ("ab-test-design", "Design an A/B test with hypothesis and sample size.")]),
    ("lifecycle-email-strategist", "Lifecycle Email Strategist", "specialist", "growth", "growth-lord",
     "Designs onboarding, nurture and win-back email journeys with triggers and exit rules.", {},
     [("journey-design", "Design a triggered email journey."),
      ("email-draft", "Write a lifecycle email for a journey step.")]),
    ("referral-program-designer", "Referral Program Designer", "specialist", "growth", "growth-lord",
     "Designs referral and affiliate incentives and estimates their viral coefficient.", {},
     [("referral-design", "Propose a referral incentive structure with economics.")]),
    ("keyword-researcher", "Keyword Researcher", "worker", "growth", "seo-strategist",
     "Expands seed terms into keyword lists with volume, difficulty and intent.",
     {"tools": ["search_volume_api"]},
     [("keyword-expansion", "Expand seed keywords with volume and intent.")]),
    ("ad-copy-variant-generator", "Ad Copy Variant Generator", "worker", "growth", "paid-media-strategist",
     "Writes headline and description variants within each ad platform's character limits.", {"temperature": 0.8},
     [("ad-variants", "Generate ad copy variants within platform limits.")]),
    ("bid-adjuster", "Bid Adjuster", "worker", "growth", "paid-media-strategist",
     "Proposes daily bid and budget adjustments from yesterday's cost and conversion data.",
     {"tools": ["ads_reporting_api"], "max_change_pct": 20},
     [("bid-recommendation", "Recommend bid changes per ad group.")]),
    ("landing-page-auditor", "Landing Page Auditor", "worker", "growth", "conversion-optimizer",
     "Audits landing pages for message match, load time, form friction and trust signals.",
     {"tools": ["web_fetch", "lighthouse"]},
     [("landing-audit", "Score a landing page and list fixes.")]),
    ("utm-builder", "UTM Builder", "worker", "growth", "paid-media-strategist",
     "Generates consistent UTM-tagged links from the workspace's naming convention.", {},
     [("utm-links", "Build UTM links for a campaign's placements.")]),
    # ------------------------------------------------------------ content
    ("editorial-planner", "Editorial Planner", "specialist", "content", "content-lord",
     "Fills the editorial calendar from themes, search demand and campaign dates.", {},
     [("calendar-plan", "Plan a month of content with formats and owners.")]),
    ("long-form-writer", "Long-form Writer", "specialist", "content", "content-lord",
     "Writes articles, guides and white papers from a brief and an outline, citing sources.",
     {"max_tokens": 8000},
     [("article-draft", "Draft an article from a brief and outline."),
      ("whitepaper-draft", "Draft a white paper section by section.")]),
    ("social-media-producer", "Social Media Producer", "specialist", "content", "content-lord",
     "Produces platform-native posts and threads for LinkedIn, X, Instagram and TikTok.",
     {"channels": ["linkedin", "x", "instagram", "tiktok"]},
     [("social-posts", "Write a set of platform-native posts from one idea.")]),
    ("video-script-writer", "Video Script Writer", "specialist", "content", "content-lord",
     "Writes scripts and shot lists for product videos, explainers and short-form clips.", {},
     [("video-script", "Write a script with scenes, voice-over and on-screen text.")]),
    ("content-repurposer", "Content Repurposer", "specialist", "content", "content-lord",
     "Turns one flagship piece into derivative assets: posts, emails, slides and clips.", {},
     [("repurpose", "Derive a set of assets from a flagship piece.")]),
    ("headline-tester", "Headline Tester", "worker", "content", "editorial-planner",
     "Generates headline options and predicts click-through from past performance.", {},
     [("headline-options", "Generate and rank headline options.")]),
    ("meta-description-writer", "Meta Description Writer", "worker", "content", "long-form-writer",
     "Writes SEO titles and meta descriptions within length limits.", {},
     [("meta-tags", "Write an SEO title and meta description for a page.")]),
    ("hashtag-researcher", "Hashtag Researcher", "worker", "content", "social-media-producer",
     "Suggests hashtags by reach and relevance for each platform.", {},
     [("hashtag-suggestions", "Suggest hashtags for a post.")]),
    ("alt-text-writer", "Alt Text Writer", "worker", "content", "content-repurposer",
     "Writes accessible alt text for images in posts and pages.", {"tools": ["image_analysis"]},
     [("alt-text", "Write alt text for an image.")]),
    ("proofreader", "Proofreader", "worker", "content", "long-form-writer",
     "Corrects grammar, spelling and consistency without changing the voice.", {},
     [("proofread", "Return a corrected text with a change list.")]),
    # ------------------------------------------------------------ analytics
    ("attribution-modeler", "Attribution Modeler", "specialist", "analytics", "analytics-lord",
     "Fits multi-touch and media-mix models and explains channel contribution.", {"tools": ["sql", "python"]},
     [("attribution-model", "Estimate channel contribution with a stated model."),
      ("mmm-readout", "Summarise a media-mix model run.")]),
    ("experiment-analyst", "Experiment Analyst", "specialist", "analytics", "analytics-lord",
     "Analyses A/B tests: power, significance, guardrails and a plain-language verdict.", {"tools": ["python"]},
     [("experiment-readout", "Analyse a finished experiment and state the verdict.")]),
    ("forecasting-analyst", "Forecasting Analyst", "specialist", "analytics", "analytics-lord",
     "Forecasts pipeline, sign-ups and spend with uncertainty ranges.", {"tools": ["python"]},
     [("kpi-forecast", "Forecast a KPI with an interval.")]),
    ("dashboard-curator", "Dashboard Curator", "specialist", "analytics", "analytics-lord",
     "Designs dashboards per audience and retires the ones nobody reads.", {},
     [("dashboard-spec", "Specify a dashboard's metrics, cuts and layout.")]),
    ("anomaly-detector", "Anomaly Detector", "specialist", "analytics", "analytics-lord",
     "Watches KPIs for breaks from seasonality and explains likely causes.", {"tools": ["sql"]},
     [("anomaly-scan", "Scan KPIs for anomalies and rank them.")]),
    ("event-schema-validator", "Event Schema Validator", "worker", "analytics", "dashboard-curator",
     "Checks tracked events against the tracking plan and reports missing or malformed properties.", {},
     [("event-validation", "Validate a batch of events against the tracking plan.")]),
    ("cohort-builder", "Cohort Builder", "worker", "analytics", "experiment-analyst",
     "Turns audience definitions into warehouse queries and size estimates.", {"tools": ["sql"]},
     [("cohort-query", "Write the query for a cohort definition and estimate its size.")]),
    ("report-summarizer", "Report Summarizer", "worker", "analytics", "dashboard-curator",
     "Writes the weekly performance summary from dashboard numbers.", {},
     [("weekly-summary", "Summarise a week of KPIs in five bullet points.")]),
    ("data-freshness-monitor", "Data Freshness Monitor", "worker", "analytics", "anomaly-detector",
     "Checks that each data source landed on time and raises stale ones.", {"tools": ["sql"]},
     [("freshness-check", "Report sources whose data is late.")]),
    # ------------------------------------------------------------ customer
    ("persona-researcher", "Persona Researcher", "specialist", "customer", "customer-lord",
     "Builds evidence-based personas and jobs-to-be-done from interviews, CRM and product data.", {},
     [("persona-build", "Draft a persona with jobs, pains and evidence."),
      ("jtbd-map", "Map the jobs-to-be-done of a segment.")]),
    ("voice-of-customer-analyst", "Voice of Customer Analyst", "specialist", "customer", "customer-lord",
     "Synthesises tickets, reviews, calls and surveys into ranked themes with quotes.", {},
     [("voc-synthesis", "Rank customer themes with supporting quotes.")]),
    ("churn-predictor", "Churn Predictor", "specialist", "customer", "customer-lord",
     "Scores accounts for churn risk and names the drivers for each.", {"tools": ["sql", "python"]},
     [("churn-scoring", "Score accounts for churn risk with drivers.")]),
    ("onboarding-designer", "Onboarding Designer", "specialist", "customer", "customer-lord",
     "Designs activation paths and in-app guidance to the first value moment.", {},
     [("activation-path", "Design the steps to a first value moment.")]),
    ("community-manager", "Community Manager", "specialist", "customer", "customer-lord",
     "Plans community programmes and drafts replies for forums and social mentions.", {},
     [("community-plan", "Plan a community programme for a quarter."),
      ("mention-reply", "Draft a reply to a community post or mention.")]),
    ("survey-designer", "Survey Designer", "worker", "customer", "voice-of-customer-analyst",
     "Writes unbiased survey questions and answer scales for a research goal.", {},
     [("survey-draft", "Draft a survey for a research goal.")]),
    ("sentiment-tagger", "Sentiment Tagger", "worker", "customer", "voice-of-customer-analyst",
     "Tags feedback items with sentiment, topic and urgency in bulk.", {"batch_size": 100},
     [("sentiment-tagging", "Tag feedback items with sentiment and topic.")]),
    ("interview-synthesizer", "Interview Synthesizer", "worker", "customer", "persona-researcher",
     "Summarises customer interview transcripts into needs, quotes and follow-ups.", {},
     [("interview-summary", "Summarise an interview transcript.")]),
    ("nps-follow-up-writer", "NPS Follow-up Writer", "worker", "customer", "churn-predictor",
     "Writes personal follow-ups to detractors and passives from their NPS comments.", {},
     [("nps-follow-up", "Write a follow-up message to an NPS response.")]),
    # ------------------------------------------------------------ operations
    ("campaign-orchestrator", "Campaign Orchestrator", "specialist", "operations", "operations-lord",
     "Turns an approved plan into tasks, dependencies and hand-offs between agents and people.", {},
     [("task-breakdown", "Break a campaign plan into tasks with dependencies."),
      ("handoff-routing", "Route a finished task to its next owner.")]),
    ("budget-controller", "Budget Controller", "specialist", "operations", "operations-lord",
     "Tracks committed and actual spend against budget and flags overruns early.", {"tools": ["sql"]},
     [("spend-tracking", "Compare spend to budget and project the month-end.")]),
    ("marketing-ops-integrator", "Marketing Ops Integrator", "specialist", "operations", "operations-lord",
     "Maps fields and syncs between CRM, marketing automation and ad platforms.", {"tools": ["crm_api"]},
     [("field-mapping", "Map fields between two marketing systems.")]),
    ("compliance-reviewer", "Compliance Reviewer", "specialist", "operations", "operations-lord",
     "Checks claims, consent and disclosures against GDPR, CAN-SPAM and industry rules.", {},
     [("claim-check", "Flag claims that need substantiation or disclaimers."),
      ("consent-check", "Check a journey for consent and unsubscribe requirements.")]),
    ("workflow-automator", "Workflow Automator", "specialist", "operations", "operations-lord",
     "Designs automations for recurring marketing operations and documents them.", {},
     [("automation-design", "Specify an automation with trigger, steps and failure handling.")]),
    ("calendar-scheduler", "Calendar Scheduler", "worker", "operations", "campaign-orchestrator",
     "Schedules posts, sends and launches around blackout dates and time zones.", {"tools": ["calendar_api"]},
     [("schedule-slots", "Propose publish slots for a set of assets.")]),
    ("approval-router", "Approval Router", "worker", "operations", "campaign-orchestrator",
     "Sends assets to the right approvers and chases overdue approvals.", {},
     [("approval-routing", "Pick approvers for an asset and track their answers.")]),
    ("crm-hygiene-worker", "CRM Hygiene Worker", "worker", "operations", "marketing-ops-integrator",
     "Finds duplicates, missing fields and stale records in the CRM.", {"tools": ["crm_api"], "batch_size": 500},
     [("dedupe-records", "Find likely duplicate contacts and accounts.")]),
    ("asset-localizer", "Asset Localizer", "worker", "operations", "compliance-reviewer",
     "Localises copy for target markets, keeping legal lines and units right.", {"locales": ["de", "fr", "es", "nl"]},
     [("localize-copy", "Translate and adapt copy to a locale.")]),
]  # fmt: skip

MODEL_BY_TIER = {"council": COUNCIL_MODEL, "lord": LORD_MODEL, "specialist": SPECIALIST_MODEL, "worker": WORKER_MODEL}
INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "brief": {"type": "string", "description": "What to do, in plain language."},
        "context": {"type": "object", "description": "Workspace facts: positioning, audience, constraints."},
        "campaign_id": {"type": ["string", "null"], "format": "uuid"},
    },
    "required": ["brief"],
}
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "result": {"type": ["object", "string"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["result"],
}
SEEDED_SLUGS = [agent[0] for agent in AGENTS]


def agent_fields(tier, domain, name, description, extras):
    return {
        "name": name,
        "tier": tier,
        "domain": domain,
        "description": description,
        "default_model": MODEL_BY_TIER[tier],
        "version": "1.0.0",
        "is_active": True,
        "config": {**TIER_CONFIG[tier], **extras},
    }


def _changed(obj, fields):
    return [name for name, value in fields.items() if getattr(obj, name) != value]


def _update(obj, changed, fields):
    for name in changed:
        setattr(obj, name, fields[name])
    obj.save(update_fields=changed)


def seed(apps, schema_editor):
    Agent = apps.get_model("agents", "AgentRegistry")
    Capability = apps.get_model("agents", "AgentCapability")
    existing = {agent.slug: agent for agent in Agent.objects.filter(slug__in=SEEDED_SLUGS)}
    by_slug, new_agents, stale_agents = {}, [], []
    for slug, name, tier, domain, supervisor, description, extras, _capabilities in AGENTS:
        fields = agent_fields(tier, domain, name, description, extras)
        fields["supervisor_id"] = by_slug[supervisor].pk if supervisor else None
        agent = existing.get(slug)
        if agent is None:
            agent = Agent(slug=slug, **fields)
            new_agents.append(agent)
        elif changed := _changed(agent, fields):
            stale_agents.append((agent, changed, fields))
        by_slug[slug] = agent
    Agent.objects.bulk_create(new_agents)
    for agent, changed, fields in stale_agents:
        _update(agent, changed, fields)

    existing_caps = {
        (cap.agent_id, cap.capability): cap
        for cap in Capability.objects.filter(agent__slug__in=SEEDED_SLUGS)
    }
    new_caps = []
    for slug, *_agent, capabilities in AGENTS:
        agent = by_slug[slug]
        for code, cap_description in capabilities:
            fields = {"description": cap_description, "input_schema": INPUT_SCHEMA, "output_schema": OUTPUT_SCHEMA}
            cap = existing_caps.get((agent.pk, code))
            if cap is None:
                new_caps.append(Capability(agent=agent, capability=code, **fields))
            elif changed := _changed(cap, fields):
                _update(cap, changed, fields)
    Capability.objects.bulk_create(new_caps)
    assert Agent.objects.filter(slug__in=SEEDED_SLUGS).count() == len(AGENTS) >= 70


def unseed(apps, schema_editor):
    """Delete the seeded agents and the rows of this app that hang off them.

    This app's tables only, in this order, instead of the ORM's cascade over
    every model of the historical state: rolling agents back to zero takes
    intelligence down first (its insights point here, and their key nulls
    itself in the database, ON DELETE SET NULL), while its model stays in the
    state this runs with (agents 0005 renames the model intelligence points
    at, so it depends on intelligence), and the cascade would update a table
    that is gone.
    """
    Agent = apps.get_model("agents", "AgentRegistry")
    seeded = Agent.objects.filter(slug__in=SEEDED_SLUGS)
    for name in ("AgentPerformance", "AgentAssignment", "AgentCapability"):
        apps.get_model("agents", name).objects.filter(agent__in=seeded).delete()
    Agent.objects.filter(supervisor__in=seeded).exclude(slug__in=SEEDED_SLUGS).update(supervisor=None)
    schema_editor.execute(f'DELETE FROM "{Agent._meta.db_table}" WHERE slug = ANY(%s)', [list(SEEDED_SLUGS)])


class Migration(migrations.Migration):
    dependencies = [("agents", "0001_tables")]

    operations = [migrations.RunPython(seed, unseed)]
