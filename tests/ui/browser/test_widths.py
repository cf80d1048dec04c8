"""No page is wider than the window: at a phone's 390 px and a desktop's 1440 px, the
representative pages of the working day fit, and a wide table scrolls inside its
``.table-wrap`` box instead of widening the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.core.matrix import world_extensions
from tests.core.test_ui_matrix import url_args
from tests.ui.browser.conftest import sign_in
from tests.worlds import build_matrix_world

pytestmark = pytest.mark.browser

WIDTHS = (390, 1440)
# The outermost elements that stick out of the window (not inside a scrolling box): what
# a failure names, so the fix is found without a screenshot.
OVERFLOWING = """() => {
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  const name = (element) => {
    const classes = String(element.getAttribute("class") || "").trim().split(/\\s+/);
    return [element.tagName.toLowerCase(), ...classes.filter(Boolean)].join(".");
  };
  const sticksOut = (element) =>
    element.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(element);
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (sticksOut(element) && !(element.parentElement && sticksOut(element.parentElement))) {
      out.push(name(element) + " (" + Math.round(element.getBoundingClientRect().right) + " px)");
    }
  }
  return out.slice(0, 5);
}"""

PAGES = (
    "home",
    "inventory:asset_list",
    "inventory:asset_detail",
    "organisations:person_list",
    "billing:invoice_detail",
    "billing:period_detail",
    "agreements:agreement_list",
    "agreements:agreement_detail",
    "servicedesk:sla_report",
    "gains:action_list",
    "gains:action_detail",
    "gains:realisation",
    "gains:benefit_map",
    "change_list",
)


@pytest.fixture
def paths(transactional_db) -> list[str]:
    world = build_matrix_world(world_extensions())
    args = url_args(world)
    return [reverse(name, kwargs=args.get(name)) for name in PAGES] + [
        reverse("search") + "?q=Fjordvik"
    ]


def test_no_page_is_wider_than_the_window(page, paths):
    sign_in(page, "operator")
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(page.base_url + path)
            assert response.status == 200, path
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                culprits = ", ".join(page.evaluate(OVERFLOWING))
                too_wide.append(f"{width} px: {path} is {scroll} px wide: {culprits}")
    assert too_wide == [], "\n".join(too_wide)
