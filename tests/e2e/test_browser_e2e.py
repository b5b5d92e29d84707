"""The web page in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by
Selenium against `docqa serve` with the real models. Skipped, with the reason, without a browser."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.conftest import DEMO_PAGE, DEMO_QUESTION

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    binary = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("no headless browser: needs chromium and chromedriver on PATH (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100"):
        options.add_argument(arg)
    chrome = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver), options=options)
    yield chrome
    chrome.quit()


def test_the_page_answers_cites_and_ingests_an_upload(live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = lambda id_: browser.find_element(By.ID, id_)  # noqa: E731
    browser.get(live_server.url + "/")
    WebDriverWait(browser, 30).until(lambda b: "documents" in page("counts").text)

    page("question").send_keys(DEMO_QUESTION)
    page("ask").click()
    WebDriverWait(browser, 300).until(lambda b: "verified" in page("answer").text or "error" in page("answer").get_attribute("innerHTML"))
    assert "$4.2" in page("answer").text and "quote verified" in page("answer").text
    assert f"page {DEMO_PAGE}" in page("sources").text
    marked = page("sources").find_element(By.TAG_NAME, "mark").text
    assert "4.2" in marked and "rural" in marked.lower()

    upload = tmp_path / "owl_notes.txt"
    upload.write_text("Barn owls swallow their prey whole and later cough up pellets of fur and bone.", encoding="utf-8")
    page("file").send_keys(str(upload))
    page("upload").click()
    WebDriverWait(browser, 120).until(lambda b: "ingested 1" in page("ingest-status").text)
    assert "owl_notes.txt" in page("documents").text
    page("search-q").send_keys("barn owl pellets")
    page("search").click()
    WebDriverWait(browser, 30).until(lambda b: "owl_notes.txt" in page("hits").text)

    shot = tmp_path / "docqa_page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("BROWSER_SCREENSHOT"):
        shutil.copy(shot, os.environ["BROWSER_SCREENSHOT"])
