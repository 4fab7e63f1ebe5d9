from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WIDTHS = (1280, 375)
HEIGHTS = {1280: 900, 375: 740}

# WCAG 1.4.11 (non-text contrast), which axe does not check: form field borders and the focus
# indicator must reach 3:1 against what surrounds them.
CONTRAST_SCRIPT = """
(mode) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => { for (let n = el.parentElement; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const label = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '');
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const failures = [];
  if (mode === 'borders') {
    for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')) {
      if (!visible(el)) continue;
      const s = getComputedStyle(el); const border = parse(s.borderTopColor);
      if (!border || parseFloat(s.borderTopWidth) === 0) { failures.push(label(el) + ': no border'); continue; }
      const r = ratio(border, background(el));
      if (r < 3) failures.push(label(el) + ': border ' + r.toFixed(2) + ':1');
    }
    for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
      if (!visible(el)) continue;
      const s = getComputedStyle(el); const border = parse(s.borderTopColor);
      if (border && ratio(border, background(el)) < 3 && !el.checked) failures.push(label(el) + ': border ' + ratio(border, background(el)).toFixed(2) + ':1');
    }
    return failures;
  }
  const el = document.activeElement;
  if (!el || el === document.body) return [];
  const s = getComputedStyle(el); const bg = background(el);
  const rings = [];
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) rings.push(parse(s.outlineColor));
  for (const m of (s.boxShadow || '').matchAll(/rgba?\\([^)]+\\)/g)) rings.push(parse(m[0]));
  const best = Math.max(0, ...rings.filter(Boolean).filter((c) => c.a > 0.5).map((c) => ratio(c, bg)));
  return best >= 3 ? [] : [label(el) + ' (' + (el.textContent || '').trim().slice(0, 30) + '): focus ' + best.toFixed(2) + ':1'];
}
"""


class Accessibility:
    """Runs axe-core and the 3:1 checks on pages; remembers which pages were checked.

    Every page a test visits must be checked (the fixture fails otherwise), at 1280 and 375 px.
    """

    def __init__(self) -> None:
        self.visited: dict[str, str] = {}
        self.checked: set[str] = set()

    def track(self, page: Page) -> None:
        def navigated(frame) -> None:  # type: ignore[no-untyped-def]
            if frame == page.main_frame and frame.url.startswith("http"):
                self.visited.setdefault(urlsplit(frame.url).path, frame.url)

        page.on("framenavigated", navigated)

    def check(self, page: Page, *, keyboard: bool = True) -> None:
        original = page.viewport_size or {"width": 1280, "height": 900}
        problems: list[str] = []
        # A check right after a click must read the new page once its stylesheets apply, not the old one.
        page.wait_for_load_state("load")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the page's CSP is untouched
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                problems.append(f"{width}px axe {violation['id']} ({violation['impact']}): {targets}")
            problems += [f"{width}px {p}" for p in page.evaluate(CONTRAST_SCRIPT, "borders")]
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                problems.append(f"{width}px: the page is {overflow}px wide (horizontal scrolling)")
        page.set_viewport_size(original)
        if keyboard:
            problems += self._focus_rings(page)
        path = urlsplit(page.url).path
        self.checked.add(path)
        assert not problems, f"accessibility of {page.url}:\n  " + "\n  ".join(problems)

    def _focus_rings(self, page: Page) -> list[str]:
        """Tab through the page: every focused control shows a ring at 3:1 or more."""
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.evaluate("window.scrollTo(0, 0)")
        problems: list[str] = []
        seen: set[str] = set()
        for _ in range(60):
            page.keyboard.press("Tab")
            key = page.evaluate("document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''")
            if key in seen:
                break
            seen.add(key)
            problems += page.evaluate(CONTRAST_SCRIPT, "focus")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        return problems

    def unchecked(self) -> list[str]:
        return sorted(url for path, url in self.visited.items() if path not in self.checked)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : lancez `make test`, qui l'installe.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def a11y() -> Iterator[Accessibility]:
    checker = Accessibility()
    yield checker
    missing = checker.unchecked()
    assert not missing, f"pages visited without an accessibility check (call a11y.check(page)): {missing}"


@pytest.fixture
def new_page(browser: Browser, live_server, a11y: Accessibility) -> Iterator[Callable[..., Page]]:
    """Open a page in a browser context of its own (another person), tracked for the accessibility check."""
    contexts = []

    def make(width: int = 1280, **options: object) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            viewport={"width": width, "height": HEIGHTS.get(width, 900)},
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        a11y.track(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page(1280)


@pytest.fixture
def mobile_page(new_page: Callable[..., Page]) -> Page:
    return new_page(375)


def screenshot(page: Page, name: str) -> None:
    """The whole page at 1280 and at 375 px, under test-artifacts/ (to look at, not compared)."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size or {"width": 1280, "height": 900}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


# Screenshots for the help pages. The test run writes them under test-artifacts/ (tests never
# touch tracked files); `make help-screenshots` copies them into static/help/ on purpose.
HELP_SHOTS = ARTIFACTS / "help"


def help_shot(page: Page, name: str, *, whole_view: bool = False) -> None:
    HELP_SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(HELP_SHOTS / f"{name}.png")
    if whole_view:
        page.screenshot(path=path)
    else:
        page.locator("main .ep-card").first.screenshot(path=path)


def staff_login(page: Page, a11y: Accessibility, username: str, role: str, **fields: object) -> object:
    """A staff member of this role, with an authenticator app, logged in to the back office
    through both steps (password, then the app's code); returns the user."""
    from django.contrib.auth.models import Group
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from espace.accounts.models import User
    from espace.backoffice.roles import staff_roles_ensure

    password = f"{username.capitalize()}-Pass-2026!"
    member = User.objects.create_user(
        username=username, email=f"{username}@lender.example.org", password=password, is_staff=True, **fields
    )
    staff_roles_ensure()  # transactional tests run after others have flushed the groups
    member.groups.add(Group.objects.get(name=role))
    device = TOTPDevice.objects.create(user=member, name="téléphone", confirmed=True)
    page.goto("/back-office/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Code de vérification")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Code de vérification").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_label("Code de vérification")).to_have_count(0)  # in the back office now
    a11y.check(page)
    return member
