"""The UI permission matrix: every page of the URL configuration, as every kind of login.

The pages are read from the resolver (everything but the API, the admin and the language
switch). ``EXPECTED`` says, for each page and login, what a GET of municipality A's
object answers: 200, 302 (to the login page, or onwards after a finished action), 403
(the role may not), 404 (not the login's to see) or 405 (the page only takes a POST).
A new page without a row makes ``test_every_page_is_in_the_matrix`` fail, so nothing
reaches the UI without a permission decision.

The outcomes are written here by hand from the roles of docs/permissions.md, not read
from the views: operators do everything; finance runs billing and prices; the auditor
reads everything and writes nothing; a municipality contact reads their own
municipality (``contact_b`` is the other municipality's, so A's objects are 404 to
them); a service-area manager reads their own service area.
"""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samdrift.imports.models import ImportMapping, ImportUpload
from tests.ordering.ui_objects import ordering_objects
from tests.worlds import MatrixWorld

EXTENDED_WORLD = True  # every app's objects: buyouts, invoices, lines, credit notes

ROLES = ("anonymous", "operator", "finance", "auditor", "contact_a", "contact_b", "manager_a")
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/")

# REDIRECT: to the login page for anonymous; for a confirmation page asked without what
# it confirms, back to the page it belongs to. BAD: a confirmation page asked without
# its parameters by a login that may act.
OK, REDIRECT, BAD, DENIED, HIDDEN, POST_ONLY = 200, 302, 400, 403, 404, 405

# Outcomes in ROLES order, for municipality A's object where the page takes one.
EXPECTED: dict[str, tuple[int, ...]] = {
    # (anonymous, operator, finance, auditor, contact_a, contact_b, manager_a)
    "health": (OK, OK, OK, OK, OK, OK, OK),
    # API tokens: everyone signed in manages their own (an operator everyone's).
    "token_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "token_revoke": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    # The change log: everyone signed in, each seeing only the history they may read.
    "change_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "home": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "login": (OK, OK, OK, OK, OK, OK, OK),
    # Single sign-on's two ends: not found while no provider is configured (as here;
    # tests/sso drives them against a real provider).
    "sso_start": (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "sso_callback": (HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "search": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # A user's own settings of a list (saved filters, columns): POST only, for everyone.
    **{
        name: (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY)
        for name in ("list_filter_save", "list_filter_delete", "list_columns")
    },
    "autocomplete": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # A user's own background exports: the list for everyone, started by POST, and a
    # file only its owner downloads (there is none here: hidden from everyone).
    "export_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "export_start": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "export_download": (REDIRECT, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "logout": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organisations:location_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "organisations:municipality_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "organisations:municipality_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "organisations:person_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:person_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "organisations:person_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:person_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "organisations:service_area_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:service_area_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:service_area_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # Municipalities and locations: operators write; a location is read like its
    # municipality. Users (logins) are the operators' alone, listed or edited.
    "organisations:municipality_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:municipality_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    # A municipality's contacts: read like the municipality, written by operators.
    "organisations:contact_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "organisations:contact_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:contact_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    # Allocation keys: shared data read by every login; finance and operators write.
    "billing:key_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:key_detail": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:key_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:key_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    # Agreed prices: finance and operators write; the agreement's readers see them there.
    "agreements:price_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:price_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "organisations:location_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "organisations:location_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "organisations:location_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    **{
        f"organisations:{name}": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
        for name in ("user_list", "user_create", "user_edit")
    },
    "inventory:asset_assign": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:asset_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:asset_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "inventory:asset_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:asset_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # The bulk page takes the list's post; asked plainly, it sends back to the list.
    "inventory:asset_bulk": (REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:asset_event": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:assignment_correct": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "inventory:person_suggestions": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # Subscriptions and usage: everyone reads what they may see; operators write (as in
    # the API). Ending asks for an open subscription of A.
    "inventory:subscription_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "inventory:usage_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    **{
        f"inventory:{name}": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
        for name in ("subscription_create", "subscription_end", "usage_create", "usage_edit")
    },
    "catalogue:price_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "catalogue:product_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "catalogue:service_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # The catalogue is shared: every login reads it; operators and finance write it.
    **{
        f"catalogue:{name}": (REDIRECT, OK, OK, OK, OK, OK, OK)
        for name in ("category_list", "category_detail", "product_detail", "service_detail")
    },
    **{
        f"catalogue:{name}": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED)
        for name in (
            "category_create",
            "category_edit",
            "product_create",
            "product_edit",
            "product_price_create",
            "service_create",
            "service_edit",
            "service_price_create",
        )
    },
    "pricing:category_lease_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "pricing:indexation_publish": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "pricing:indexation_publish_confirm": (
        REDIRECT,
        REDIRECT,
        REDIRECT,
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "pricing:lease_model_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "pricing:lease_model_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "pricing:lease_model_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "pricing:price_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "pricing:price_list_publish": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "pricing:price_list_publish_confirm": (
        REDIRECT,
        REDIRECT,
        REDIRECT,
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "buyouts:agree": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "buyouts:agree_confirm": (REDIRECT, REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED),
    "buyouts:complete": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "buyouts:complete_confirm": (REDIRECT, REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED),
    "buyouts:create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "buyouts:delete": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "buyouts:delete_confirm": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "buyouts:detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "buyouts:financing": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "buyouts:item_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "buyouts:item_remove": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "buyouts:list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "buyouts:register": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "buyouts:xlsx": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:credit_note_ehf": (REDIRECT, OK, OK, OK, OK, HIDDEN, DENIED),
    "billing:invoice_credit": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "billing:invoice_credit_confirm": (REDIRECT, BAD, BAD, DENIED, DENIED, DENIED, DENIED),
    "billing:invoice_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:invoice_ehf": (REDIRECT, OK, OK, OK, OK, HIDDEN, DENIED),
    "billing:invoice_issue": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "billing:invoice_print": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:invoice_pdf": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:invoice_specification": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:line_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "billing:period_accounting": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:period_close": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "billing:period_close_confirm": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:period_detail": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:period_issue": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "billing:period_issue_confirm": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:period_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # One-off charges: everyone reads what they may see (a contact their own, read-only);
    # operators and finance enter and correct them.
    "billing:one_off_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:one_off_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:one_off_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    # Cost pools are shared data, read by every login; operators and finance write.
    "billing:pool_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "billing:pool_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:pool_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "billing:period_run": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "imports:apply": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "imports:recheck": (REDIRECT, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "servicedesk:mappings": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:mapping_add": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "servicedesk:mapping_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:mapping_delete": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "imports:errors": (REDIRECT, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "imports:map": (REDIRECT, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "imports:mapping_edit": (REDIRECT, OK, HIDDEN, DENIED, DENIED, DENIED, DENIED),
    "imports:mappings": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "imports:preview": (REDIRECT, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "imports:template": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "imports:upload": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    # Agreements: a municipality's users read their own agreement (and its document),
    # calendars are shared data; operators and finance write.
    "agreements:agreement_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "agreements:agreement_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:agreement_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "agreements:agreement_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:agreement_document": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "agreements:agreement_pdf": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "agreements:level_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:level_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:target_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:target_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:credit_rule_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:credit_rule_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:calendar_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "agreements:calendar_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:calendar_detail": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "agreements:calendar_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:calendar_hours": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:day_create": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    "agreements:day_edit": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED),
    # The portfolio: solutions and functions are shared data every login reads; lists and
    # reports are restricted to the login's rows; a contact edits only its own requirements.
    "solutions:candidate": (REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:function_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:gaps": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "solutions:portfolio": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "solutions:requirement_edit": (REDIRECT, OK, DENIED, DENIED, OK, HIDDEN, DENIED),
    "solutions:requirement_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "solutions:solution_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:solution_detail": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "solutions:solution_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:solution_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "solutions:standardisation": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "solutions:usage_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:usage_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "solutions:usage_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # The service desk: A's incident and A's own outage (not B's to see); operators write.
    "servicedesk:incident_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:incident_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "servicedesk:incident_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:incident_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "servicedesk:outage_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:outage_delete": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:outage_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "servicedesk:outage_edit": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:outage_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # SLA reports: read like the municipality; approving is the operators'.
    "servicedesk:credit_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "servicedesk:sla_approve": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "servicedesk:sla_approve_confirm": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    "servicedesk:sla_overview": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "servicedesk:sla_report": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "servicedesk:sla_report_list": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    # Ordering (issue #14): an order of A in manager A's area. Actions are POSTs;
    # accepting, reviewing, delivering and returns are the operator's; purchasing is for
    # those who see every municipality; the approval rule is the contact's own.
    "ordering:order_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "ordering:catalogue": (REDIRECT, OK, OK, OK, OK, OK, OK),
    # The basket opens the one draft the municipality's users have in the matrix world.
    "ordering:basket": (REDIRECT, OK, OK, OK, REDIRECT, REDIRECT, REDIRECT),
    "ordering:order_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    **{
        f"ordering:{name}": (REDIRECT, *(POST_ONLY,) * 6)
        for name in (
            "order_edit",
            "line_edit",
            "line_remove",
            "non_standard_add",
            "order_submit",
            "order_approve",
            "order_reject",
            "order_cancel",
            "order_accept",
            "bundle_part_add",
            "bundle_part_remove",
        )
    },
    **{
        f"ordering:{name}": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
        for name in (
            "line_review",
            "line_deliver",
            "deliveries",
            "return_create",
            "offer_create",
            "offer_edit",
            "bundle_create",
            "bundle_edit",
        )
    },
    "ordering:approvals": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "ordering:return_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "ordering:return_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "ordering:purchasing": (REDIRECT, OK, OK, OK, DENIED, DENIED, DENIED),
    "ordering:offer_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "ordering:approval_rule": (REDIRECT, OK, DENIED, DENIED, OK, OK, DENIED),
    # Each login's own notifications; marking one read is a POST.
    "ordering:inbox": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "ordering:inbox_read": (
        REDIRECT,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    # Planning (issue #15): the plan, devices due, campaigns and the rules are read by
    # every login from its own devices (a campaign of A's devices is hidden from B);
    # operators and finance keep the rules, operators run campaigns; the investment need,
    # the forecast of all and the scenarios are the collaboration's (403 for the
    # municipalities), a municipality reads its own forecast. Actions are POSTs.
    **{
        f"planning:{name}": (REDIRECT, OK, OK, OK, OK, OK, OK)
        for name in ("plan", "due_devices", "rules", "campaign_list")
    },
    **{
        f"planning:{name}": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED)
        for name in (
            "rule_create",
            "rule_edit",
            "support_create",
            "support_edit",
            "baseline_edit",
            "scenario_edit",
        )
    },
    **{
        f"planning:{name}": (REDIRECT, OK, OK, OK, DENIED, DENIED, DENIED)
        for name in ("investment", "forecast_list", "scenario_list", "scenario_detail")
    },
    "planning:scenario_xlsx": (REDIRECT, OK, OK, OK, DENIED, DENIED, DENIED),
    "planning:campaign_create": (REDIRECT, OK, DENIED, DENIED, DENIED, DENIED, DENIED),
    **{
        f"planning:{name}": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED)
        for name in ("rule_delete", "support_delete")  # the confirmation (``ui.confirm``)
    },
    "planning:campaign_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    "planning:forecast_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    **{
        f"planning:{name}": (REDIRECT, *(POST_ONLY,) * 6)
        for name in (
            "campaign_refresh",
            "campaign_close",
            "scenario_compute",
            "member_add",
            "member_remove",
            "pool_change_add",
            "pool_change_remove",
        )
    },
    # Gains (issue #16): the plan, planned vs realised, the benefit map and the XLSX are
    # read by every login from the actions concerning it (A's action is hidden from B);
    # operators and finance write the plan, baselines and reference data; a municipality
    # contact records their own measurements. Baselines and common versus separate are
    # whole-municipality money: a municipality's own (B: 404), no manager's (403); the
    # lists of all send a municipality's contact to their own (302).
    **{
        f"gains:{name}": (REDIRECT, OK, OK, OK, OK, OK, OK)
        for name in (
            "action_list",
            "realisation",
            "benefit_map",
            "plan_xlsx",
            "indicator_list",
            "cost_index",
        )
    },
    "gains:action_detail": (REDIRECT, OK, OK, OK, OK, HIDDEN, OK),
    **{
        f"gains:{name}": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED)
        for name in (
            "action_create",
            "action_edit",
            "milestone_create",
            "milestone_edit",
            "gain_create",
            "gain_edit",
            "share_create",
            "share_edit",
            "baseline_cost_create",
            "baseline_cost_edit",
            "indicator_baseline_create",
            "indicator_baseline_edit",
            "indicator_create",
            "indicator_edit",
            "cost_index_create",
            "cost_index_edit",
            "collaboration_cost_create",
            "collaboration_cost_edit",
        )
    },
    **{
        f"gains:{name}": (REDIRECT, OK, OK, DENIED, OK, HIDDEN, DENIED)
        for name in ("measurement_create", "measurement_edit")
    },
    **{
        f"gains:{name}": (REDIRECT, OK, OK, OK, REDIRECT, REDIRECT, DENIED)
        for name in ("comparison", "baseline_list")
    },
    **{
        f"gains:{name}": (REDIRECT, OK, OK, OK, OK, HIDDEN, DENIED)
        for name in ("comparison_detail", "baseline_detail")
    },
    "gains:collaboration_costs": (REDIRECT, OK, OK, OK, DENIED, DENIED, DENIED),
    **{
        f"gains:{name}": (REDIRECT, OK, OK, OK, DENIED, DENIED, DENIED)
        for name in ("board_report", "board_report_pdf")
    },
    # A delete URL shows its confirmation to whoever may edit the row (``ui.confirm``).
    **{
        f"gains:{name}": (REDIRECT, OK, OK, DENIED, DENIED, DENIED, DENIED)
        for name in (
            "action_delete",
            "milestone_delete",
            "gain_delete",
            "share_delete",
            "baseline_cost_delete",
            "indicator_baseline_delete",
            "indicator_delete",
            "cost_index_delete",
            "collaboration_cost_delete",
        )
    },
    "gains:measurement_delete": (REDIRECT, OK, OK, DENIED, OK, HIDDEN, DENIED),
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name


def ui_pages() -> dict[str, str]:
    """URL name -> route of every UI page."""
    return {
        name: route
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    }


def _upload(world: MatrixWorld) -> ImportUpload:
    content = b"Serial;Asset tag\n"
    return ImportUpload.objects.create(
        user=world.users["operator"],
        kind="assets",
        municipality=world.municipality_a,
        filename="assets.csv",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        on=datetime.date(2026, 1, 1),
        result={"kind": "assets", "filename": "assets.csv"},  # checked, no errors
    )


def _mapping(world: MatrixWorld) -> ImportMapping:
    return ImportMapping.objects.create(
        name="Fjordvik assets",
        kind="assets",
        fingerprint="0" * 64,
        created_by=world.users["operator"],
    )


def _source_mapping(world: MatrixWorld):
    from samdrift.servicedesk.models import SourceMapping

    mapping, _created = SourceMapping.objects.get_or_create(
        source="servicenow",
        column="company",
        value="Fjordvik IKT",
        defaults={"municipality": world.municipality_a},
    )
    return mapping


def url_args(world: MatrixWorld) -> dict[str, dict]:
    """The URL keyword arguments of each page that has any: municipality A's object."""
    own = {basename: targets.get("own") for basename, targets in world.objects.items()}
    shared = {basename: targets.get("shared") for basename, targets in world.objects.items()}
    asset, buyout, invoice = own["asset"], own["buyout"], own["invoice"]
    month = shared["billingperiod"].month.strftime("%Y-%m")
    upload = _upload(world)
    ordering = ordering_objects(world)
    order = ordering["order"]
    return {
        **{
            f"ordering:{name}": {"pk": order.pk}
            for name in (
                "order_detail",
                "order_edit",
                "non_standard_add",
                "order_submit",
                "order_approve",
                "order_reject",
                "order_cancel",
                "order_accept",
            )
        },
        **{
            f"ordering:{name}": {"pk": order.pk, "line_pk": ordering["line"].pk}
            for name in ("line_edit", "line_remove")
        },
        **{
            f"ordering:{name}": {"pk": ordering["line"].pk}
            for name in ("line_review", "line_deliver")
        },
        "ordering:return_detail": {"pk": ordering["return"].pk},
        "ordering:offer_edit": {"pk": ordering["offer"].pk},
        "ordering:bundle_edit": {"pk": ordering["bundle"].pk},
        "ordering:bundle_part_add": {"pk": ordering["bundle"].pk},
        "ordering:bundle_part_remove": {"pk": ordering["part"].pk},
        "organisations:municipality_detail": {"pk": own["municipality"].pk},
        "organisations:service_area_edit": {"pk": own["servicearea"].pk},
        "organisations:person_detail": {"pk": own["person"].pk},
        "organisations:person_edit": {"pk": own["person"].pk},
        "organisations:municipality_edit": {"pk": own["municipality"].pk},
        "organisations:location_detail": {"pk": own["location"].pk},
        "organisations:location_edit": {"pk": own["location"].pk},
        "organisations:contact_edit": {"pk": own["municipalitycontact"].pk},
        "organisations:user_edit": {"pk": world.users["contact_a"].pk},
        "billing:one_off_edit": {"pk": own["oneoffcharge"].pk},
        "billing:pool_edit": {"pk": shared["costpool"].pk},
        **{
            f"billing:{name}": {"pk": shared["allocationkey"].pk}
            for name in ("key_detail", "key_edit")
        },
        "inventory:asset_detail": {"pk": asset.pk},
        "inventory:subscription_end": {"pk": own["subscription"].pk},
        "inventory:usage_edit": {"pk": own["usagerecord"].pk},
        "inventory:asset_edit": {"pk": asset.pk},
        "inventory:asset_assign": {"pk": asset.pk},
        "inventory:asset_event": {"pk": asset.pk},
        "inventory:assignment_correct": {"pk": asset.pk, "assignment_pk": own["assignment"].pk},
        **{
            f"catalogue:{name}": {"pk": shared["productcategory"].pk}
            for name in ("category_detail", "category_edit")
        },
        **{
            f"catalogue:{name}": {"pk": shared["product"].pk}
            for name in ("product_detail", "product_edit", "product_price_create")
        },
        **{
            f"catalogue:{name}": {"pk": shared["service"].pk}
            for name in ("service_detail", "service_edit", "service_price_create")
        },
        "pricing:lease_model_edit": {"pk": shared["leasemodel"].pk},
        "pricing:category_lease_edit": {"pk": shared["productcategory"].pk},
        **{
            f"buyouts:{name}": {"pk": buyout.pk}
            for name in (
                "detail",
                "xlsx",
                "register",
                "agree",
                "agree_confirm",
                "complete",
                "complete_confirm",
                "delete",
                "delete_confirm",
            )
        },
        "buyouts:item_edit": {"pk": buyout.pk, "item_pk": own["buyoutitem"].pk},
        "buyouts:item_remove": {"pk": buyout.pk, "item_pk": own["buyoutitem"].pk},
        **{
            f"billing:{name}": {"month": month}
            for name in (
                "period_detail",
                "period_issue",
                "period_issue_confirm",
                "period_close",
                "period_close_confirm",
                "period_accounting",
            )
        },
        **{
            f"billing:{name}": {"pk": invoice.pk}
            for name in (
                "invoice_detail",
                "invoice_print",
                "invoice_pdf",
                "invoice_issue",
                "invoice_credit",
                "invoice_credit_confirm",
                "invoice_ehf",
            )
        },
        "billing:invoice_specification": {"pk": invoice.pk, "fmt": "csv"},
        "billing:line_detail": {"pk": own["invoiceline"].pk},
        "billing:credit_note_ehf": {"pk": own["creditnote"].pk},
        **{
            f"imports:{name}": {"pk": upload.pk}
            for name in ("preview", "apply", "errors", "map", "recheck")
        },
        **{
            f"servicedesk:{name}": {"pk": _source_mapping(world).pk}
            for name in ("mapping_edit", "mapping_delete")
        },
        "imports:template": {"kind": "persons"},
        "solutions:solution_detail": {"pk": shared["solution"].pk},
        "solutions:solution_edit": {"pk": shared["solution"].pk},
        "solutions:candidate": {"pk": shared["solutionfunction"].pk},
        "solutions:usage_edit": {"pk": own["solutionusage"].pk},
        "solutions:requirement_edit": {"pk": own["requirement"].pk},
        "solutions:portfolio": {"pk": own["municipality"].pk},
        "imports:mapping_edit": {"pk": _mapping(world).pk},
        **{
            f"servicedesk:incident_{name}": {"pk": own["incident"].pk}
            for name in ("detail", "edit")
        },
        **{
            f"servicedesk:outage_{name}": {"pk": own["outage"].pk}
            for name in ("detail", "edit", "delete")
        },
        **{
            f"agreements:{name}": {"pk": own["serviceagreement"].pk}
            for name in (
                "agreement_detail",
                "agreement_edit",
                "agreement_document",
                "agreement_pdf",
                "level_create",
                "price_create",
            )
        },
        "agreements:price_edit": {"pk": own["agreedprice"].pk},
        "agreements:level_edit": {"pk": own["servicelevel"].pk},
        "agreements:target_create": {"pk": own["servicelevel"].pk},
        "agreements:credit_rule_create": {"pk": own["servicelevel"].pk},
        "agreements:target_edit": {"pk": own["prioritytarget"].pk},
        "agreements:credit_rule_edit": {"pk": own["creditrule"].pk},
        **{
            f"agreements:{name}": {"pk": shared["servicecalendar"].pk}
            for name in ("calendar_detail", "calendar_edit", "calendar_hours", "day_create")
        },
        "agreements:day_edit": {"pk": shared["calendarday"].pk},
        "servicedesk:sla_report_list": {"pk": own["municipality"].pk},
        "autocomplete": {"key": "person"},
        **{
            f"servicedesk:{name}": {"pk": own["municipality"].pk, "month": "2026-05"}
            for name in ("sla_report", "sla_approve_confirm", "sla_approve")
        },
        # POST only: a GET is refused before any notification is looked up.
        "ordering:inbox_read": {"pk": 1},
        "list_filter_delete": {"pk": 1},
        "token_revoke": {"pk": 1},
        "export_download": {"pk": 1},
        **planning_args(world),
        **gains_args(world),
    }


def planning_args(world: MatrixWorld) -> dict[str, dict]:
    """Planning's objects (tests/planning/api_matrix.py): A's campaign, the shared rule
    and end of support, the scenario (not the baseline) with its member and pool change."""
    objects = world.objects
    rule, support = objects["replacementrule"]["shared"], objects["productsupport"]["shared"]
    campaign, scenario = objects["campaign"]["own"], objects["scenario"]["stock_copy"]
    return {
        "planning:rule_edit": {"pk": rule.pk},
        "planning:rule_delete": {"pk": rule.pk},
        "planning:support_edit": {"pk": support.pk},
        "planning:support_delete": {"pk": support.pk},
        **{
            f"planning:{name}": {"pk": campaign.pk}
            for name in ("campaign_detail", "campaign_refresh", "campaign_close")
        },
        "planning:forecast_detail": {"municipality_id": world.municipality_a.pk},
        **{
            f"planning:{name}": {"pk": scenario.pk}
            for name in (
                "scenario_detail",
                "scenario_edit",
                "scenario_compute",
                "scenario_xlsx",
                "member_add",
                "pool_change_add",
            )
        },
        "planning:member_remove": {"pk": objects["scenariomember"]["stock"].pk},
        "planning:pool_change_remove": {"pk": objects["scenariopoolchange"]["stock"].pk},
    }


def gains_args(world: MatrixWorld) -> dict[str, dict]:
    """The gains objects (tests/gains/api_matrix.py): A's action with its milestone,
    gain, share and measurement; A's baseline cost and indicator baseline; the shared
    indicator and cost index value, the collaboration's unbilled cost."""
    objects = world.objects
    a = {"municipality_id": world.municipality_a.pk}
    action, gain = objects["gain-actions"]["own"], objects["gains"]["own"]
    pks = {
        "action": action.pk,
        "milestone": objects["gain-milestones"]["own"].pk,
        "gain": gain.pk,
        "share": objects["gain-shares"]["own"].pk,
        "measurement": objects["gain-measurements"]["own"].pk,
        "baseline_cost": objects["baseline-costs"]["own_other_area"].pk,
        "indicator_baseline": objects["indicator-baselines"]["own_other_area"].pk,
        "indicator": objects["indicators"]["shared"].pk,
        "cost_index": objects["cost-index"]["shared"].pk,
        "collaboration_cost": objects["collaboration-costs"]["stock"].pk,
    }
    return {
        **{
            f"gains:{name}_{verb}": {"pk": pk}
            for name, pk in pks.items()
            for verb in ("edit", "delete")
        },
        "gains:action_detail": {"pk": action.pk},
        "gains:milestone_create": {"action_pk": action.pk},
        "gains:gain_create": {"action_pk": action.pk},
        "gains:share_create": {"gain_pk": gain.pk},
        "gains:measurement_create": {"gain_pk": gain.pk},
        **{
            f"gains:{name}": a
            for name in (
                "comparison_detail",
                "baseline_detail",
                "baseline_cost_create",
                "indicator_baseline_create",
            )
        },
    }


@pytest.fixture
def clients(world: MatrixWorld) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for role in ROLES[1:]:
        made[role] = Client()
        made[role].force_login(world.users[role])
    return made


def test_every_page_is_in_the_matrix():
    pages = set(ui_pages())
    assert sorted(pages - set(EXPECTED)) == [], "pages without a row in EXPECTED"
    assert sorted(set(EXPECTED) - pages) == [], "rows in EXPECTED for pages that are gone"


def test_every_page_as_every_login(world: MatrixWorld, clients):
    args = url_args(world)
    wrong = []
    for name in sorted(ui_pages()):
        url = reverse(name, kwargs=args.get(name))
        responses = [clients[role].get(url) for role in ROLES]
        outcomes = tuple(response.status_code for response in responses)
        if EXPECTED.get(name) != outcomes:
            wrong.append(f"{name}: expected {EXPECTED.get(name)}, got {outcomes}")
        anonymous = responses[0]
        if anonymous.status_code == REDIRECT:
            assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL)), name
    assert wrong == [], "\n".join(wrong)
