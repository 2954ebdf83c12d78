"""Open WebUI as a person uses it, through Debian's Chromium driven by Playwright.

``ChatPage`` knows Open WebUI's page (its element ids and labels, pinned with its version
in the Makefile); the tests only say what a person does and what they must see.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 1000}


@dataclass
class Answer:
    """One assistant answer: the text seen while it streamed, and the final text."""

    partials: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    message: Locator | None = None  # the answer's element on the page

    def _sources(self) -> Locator:
        """The items of the answer's last ordered list: the sources list (an extract may
        hold lists of its own before it)."""
        assert self.message is not None
        return self.message.locator("#response-content-container ol").last.locator(":scope > li")

    def list_items(self) -> list[str]:
        """The text of each item of the sources list."""
        return self._sources().all_inner_texts()

    def code_in_list_items(self) -> list[str]:
        return self._sources().locator("code").all_inner_texts()

    def links_in_list_items(self) -> list[str]:
        """The ``href`` of each link in the sources list (clickable sources)."""
        links = self._sources().locator("a[href]")
        return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


class Browser:
    """One headless Chromium with a fresh profile; a new tab (a new chat) per test."""

    def __init__(self, context: BrowserContext, url: str, artifacts: Path) -> None:
        self.context = context
        self.url = url
        self.artifacts = artifacts
        self.visited = False

    @contextmanager
    def new_chat(self) -> Iterator[ChatPage]:
        page = self.context.new_page()
        page.set_default_timeout(30_000)
        try:
            chat = ChatPage(page, self.url, self.artifacts)
            chat.open(release_notes=not self.visited)
            self.visited = True
            yield chat
        finally:
            page.close()


@contextmanager
def chromium(profile: Path, url: str, artifacts: Path) -> Iterator[Browser]:
    """Debian's Chromium, headless; closed (and its processes ended) after the block."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=VIEWPORT,  # type: ignore[arg-type]
        )
        try:
            yield Browser(context, url, artifacts)
        finally:
            context.close()


class ChatPage:
    """Open WebUI's chat: open it, pick a model, ask, read answers, take screenshots."""

    def __init__(self, page: Page, url: str, artifacts: Path) -> None:
        self.page = page
        self.url = url
        self.artifacts = artifacts

    def open(self, release_notes: bool) -> None:
        """Open the start page; close the release notes Open WebUI shows at a first visit."""
        self.page.goto(self.url, wait_until="load")
        self.page.locator("#chat-input").wait_for()
        if release_notes:
            self.page.get_by_role("button", name=re.compile("Okay, Let's Go", re.I)).click()

    def pick_model(self, model: str) -> str:
        """Choose ``model`` in the model selector; returns the selector's label after."""
        selector = self.page.locator("#model-selector-model-button")
        selector.click()
        self.page.get_by_role("option").filter(has_text=model).first.click()
        return selector.get_attribute("aria-label") or ""

    def model_options(self) -> list[str]:
        self.page.locator("#model-selector-model-button").click()
        options = self.page.get_by_role("option")
        options.first.wait_for()
        names = [options.nth(i).inner_text().strip() for i in range(options.count())]
        self.page.keyboard.press("Escape")
        return names

    def answers(self) -> Locator:
        return self.page.locator("div[id^='message-']").filter(
            has=self.page.locator(".chat-assistant")
        )

    def ask(self, question: str, streaming_shot: str = "", timeout_s: float = 240.0) -> Answer:
        """Type ``question``, send it, and follow the answer until it is complete.

        ``streaming_shot``: the name of a screenshot taken while the answer streams.
        """
        before = self.answers().count()
        self.page.locator("#chat-input").click()
        self.page.keyboard.type(question)
        self.page.keyboard.press("Enter")
        message = self.answers().nth(before)
        message.wait_for()
        content = message.locator("#response-content-container")
        done = message.get_by_role("button", name="Regenerate")
        answer = Answer(message=message)
        deadline = time.monotonic() + timeout_s
        while not done.is_visible():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer after {timeout_s:.0f} s: {question!r}")
            text = content.inner_text() if content.count() else ""
            if text.strip() and (not answer.partials or answer.partials[-1] != text):
                answer.partials.append(text)
                if streaming_shot and len(answer.partials) == 3:
                    self.screenshot(streaming_shot)
            time.sleep(0.05)
        answer.text = content.inner_text()
        answer.html = content.inner_html()
        return answer

    def open_link(self, href: str, shot: str = "") -> tuple[int, str]:
        """Open ``href`` in a new tab as a click would; its status and the text shown."""
        page = self.page.context.new_page()
        try:
            response = page.goto(href, wait_until="load")
            if shot:
                page.screenshot(path=str(self.artifacts / f"{shot}.png"))
            return (response.status if response else 0), page.locator("body").inner_text()
        finally:
            page.close()

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path
