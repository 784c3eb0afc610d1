-- Reverse of agent_registry_seed.sql: deletes exactly the seeded agents and what the ORM's
-- cascade deleted with them in the state of agents 0002: their capabilities, assignments and
-- performance; an agent that is not seeded but reports to a seeded one loses its supervisor.
-- One statement: the foreign keys to agent_registry are DEFERRABLE INITIALLY DEFERRED.
-- Run by agents/migrations/0002_agent_registry.py on the way back, which reads this file at
-- this path. Never edit this file after release.

WITH seeded AS MATERIALIZED (
    SELECT id FROM agent_registry WHERE slug IN (
        'council-conductor', 'strategy-lord', 'brand-lord', 'growth-lord',
        'content-lord', 'analytics-lord', 'customer-lord', 'operations-lord',
        'positioning-strategist', 'competitive-intelligence-analyst', 'market-sizing-analyst', 'pricing-strategist',
        'gtm-planner', 'competitor-site-crawler', 'review-miner', 'tam-calculator',
        'swot-drafter', 'brand-voice-guardian', 'messaging-architect', 'visual-identity-reviewer',
        'naming-specialist', 'brand-compliance-auditor', 'tone-checker', 'tagline-generator',
        'asset-tagger', 'style-guide-linter', 'paid-media-strategist', 'seo-strategist',
        'conversion-optimizer', 'lifecycle-email-strategist', 'referral-program-designer', 'keyword-researcher',
        'ad-copy-variant-generator', 'bid-adjuster', 'landing-page-auditor', 'utm-builder',
        'editorial-planner', 'long-form-writer', 'social-media-producer', 'video-script-writer',
        'content-repurposer', 'headline-tester', 'meta-description-writer', 'hashtag-researcher',
        'alt-text-writer', 'proofreader', 'attribution-modeler', 'experiment-analyst',
        'forecasting-analyst', 'dashboard-curator', 'anomaly-detector', 'event-schema-validator',
        'cohort-builder', 'report-summarizer', 'data-freshness-monitor', 'persona-researcher',
        'voice-of-customer-analyst', 'churn-predictor', 'onboarding-designer', 'community-manager',
        'survey-designer', 'sentiment-tagger', 'interview-synthesizer', 'nps-follow-up-writer',
        'campaign-orchestrator', 'budget-controller', 'marketing-ops-integrator', 'compliance-reviewer',
        'workflow-automator', 'calendar-scheduler', 'approval-router', 'crm-hygiene-worker',
        'asset-localizer'
    )
),
performance AS (DELETE FROM agent_performance WHERE agent_id IN (SELECT id FROM seeded)),
assignments AS (DELETE FROM agent_assignments WHERE agent_id IN (SELECT id FROM seeded)),
capabilities AS (DELETE FROM agent_capabilities WHERE agent_id IN (SELECT id FROM seeded)),
orphans AS (
    UPDATE agent_registry SET supervisor_id = NULL
    WHERE supervisor_id IN (SELECT id FROM seeded) AND id NOT IN (SELECT id FROM seeded)
)
DELETE FROM agent_registry WHERE id IN (SELECT id FROM seeded);
