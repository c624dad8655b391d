#!/usr/bin/env python3
"""Opens an esbench report.html in headless Chromium (Selenium + chromedriver)
and checks it as a reader would see it. Used by tests/e2e/report.sh.

    report_browser.py REPORT.html SCREENSHOT.png MODELS METRICS
    report_browser.py --time REPORT.html     load time only (ci/bench_report.sh)

MODELS and METRICS are comma-separated. Checks: no console error (a
Content-Security-Policy violation is one), no network request other than the
file itself, the title unchanged, no injected script ran (window.__xss stays
undefined), the summary table has a row per model, every metric has its
chart, the example browser filters and shows the injected texts as text.
Prints one line per failure and exits 1 if any."""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

timing = sys.argv[1] == "--time"
if timing:
    path = sys.argv[2]
else:
    path, shot, models, metrics = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(",")
opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,1600", "--no-first-run", "--disable-extensions"):
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


try:
    t0 = time.monotonic()
    driver.get("file://" + path)
    load_ms = driver.execute_script(
        "var t = performance.getEntriesByType('navigation')[0]; return t ? t.loadEventEnd : -1")
    if timing:
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        print("%.0f %.0f %d" % (load_ms, (time.monotonic() - t0) * 1000, len(errors)))
        sys.exit(0)
    check(driver.title.startswith("esbench report: "), "title changed: %r" % driver.title)
    check(driver.execute_script("return typeof window.__xss") == "undefined",
          "an injected script ran: window.__xss = %r" % driver.execute_script("return window.__xss"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#summary-table tbody tr")
    check(len(rows) == len(models), "summary rows %d, models %d" % (len(rows), len(models)))
    for m in metrics:
        check(len(driver.find_elements(By.ID, "chart-" + m)) == 1, "no chart for " + m)
        check(len(driver.find_elements(By.CSS_SELECTOR, "#chart-%s svg rect" % m)) == len(models),
              "chart %s: not a bar per model" % m)
    # sorting the summary by a metric column keeps every row
    driver.find_elements(By.CSS_SELECTOR, "#summary-table th")[1].click()
    check(len(driver.find_elements(By.CSS_SELECTOR, "#summary-table tbody tr")) == len(models), "sorting lost rows")
    # the example browser: every example, then filtered
    info = driver.find_element(By.ID, "exinfo").text
    check(" of " in info, "example browser shows nothing: %r" % info)
    total = int(info.split(" of ")[1])
    sel = Select(driver.find_element(By.ID, "fscen"))
    check(len(sel.options) > 2, "no scenario to filter by")
    sel.select_by_index(1)
    sub = driver.find_element(By.ID, "exinfo").text
    check(" of " in sub and int(sub.split(" of ")[1]) < total, "the scenario filter does not filter: %r" % sub)
    sel.select_by_index(0)
    driver.find_element(By.ID, "fdis").click()
    dis = driver.find_element(By.ID, "exinfo").text
    check(" of " in dis and int(dis.split(" of ")[1]) <= total, "the disagree filter: %r" % dis)
    driver.find_element(By.ID, "fdis").click()
    # the injected texts are on the page as text (the attack examples come first)
    body = driver.find_element(By.ID, "exlist").text
    for needle in ("<script>", "onerror=", "</textarea>", "javascript:"):
        check(needle in body, "the injected text %r is not shown as text" % needle)
    check(driver.execute_script("return typeof window.__xss") == "undefined", "an injected script ran later")
    check(driver.title.startswith("esbench report: "), "title changed later: %r" % driver.title)
    driver.save_screenshot(shot)
    logs = driver.get_log("browser")
    for e in logs:
        check(e["level"] not in ("SEVERE",), "console: %s" % e["message"][:300])
    for e in driver.get_log("performance"):
        msg = json.loads(e["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            check(url.startswith("file://") and url.endswith(".html") or url.startswith("data:"),
                  "network request: " + url[:200])
    print("report: loaded in %.0f ms (loadEventEnd), %d examples, %d console messages" % (load_ms, total, len(logs)))
finally:
    driver.quit()
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
