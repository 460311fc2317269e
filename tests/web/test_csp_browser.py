"""The Content-Security-Policy in Chromium: every page loads and works with no violation.

Uses the browser tests' real server (engine, MediaPipe, SQLite) and Chromium with a fake
camera; violations are caught both from the `securitypolicyviolation` event and from
the console."""

from __future__ import annotations

from typing import Any

import pytest

from hipcoach.config import Settings
from tests.web.browser_support import chromium, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.real]

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""
PAGES = ["/", "/library", "/history", "/analyse", "/progress", "/live?exercise=clamshell"]


def _watch(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    return page, console


def test_pages_load_with_no_csp_violation(
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    base, _ = server
    page, console = _watch(chromium)
    violations: dict[str, list[str]] = {}
    for path in PAGES:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if path == "/progress":
            page.wait_for_function(
                "() => document.body.dataset.chartsDrawn === '4'", timeout=30_000
            )
        page.wait_for_timeout(300)
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    assert not violations, violations
    assert not console, console


def test_the_live_coach_runs_under_the_policy(
    server: tuple[str, Settings],  # noqa: F811
    chromium: Any,  # noqa: F811
) -> None:
    """Camera, socket (ws: on this host), skeleton drawing and the variation picker's
    inline handler, all under the policy."""
    base, _ = server
    page, console = _watch(chromium)
    page.goto(f"{base}/live?exercise=clamshell")
    page.click("#camera-button")
    page.wait_for_selector("#start-button:not([disabled])", timeout=20_000)
    page.click("#start-button")
    page.wait_for_function(
        "() => Number(document.body.dataset.skeletonFrames || 0) >= 5", timeout=60_000
    )
    page.click("#end-button")
    page.wait_for_selector("#after-set:not([hidden])", timeout=20_000)
    assert page.evaluate("window.__csp") == []
    options = page.locator("select[name=variation] option").all()
    if len(options) > 1:
        value = options[-1].get_attribute("value")
        with page.expect_navigation():
            page.select_option("select[name=variation]", value)
        assert f"variation={value}" in page.url
        assert page.evaluate("window.__csp") == []
    assert not console, console
