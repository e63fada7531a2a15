"""The dashboard's light and dark themes in headless Chromium: with no choice made the page follows the system's
colour scheme (emulated through the DevTools protocol) and changes with it live; the theme button, reached by
keyboard, cycles auto → light → dark, and the choice survives a reload. In both palettes every pairing of text and
background the pages use reads at WCAG's AA contrast (4.5:1), computed from the colours the browser resolved.
Screenshots: dashboard-light.png, dashboard-dark.png."""
import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_dashboard_projects import sign_in
from test_workbench_browser import ARTIFACTS, browser  # noqa: F401 (the fixture)

# (foreground, background) variable pairs the dashboard sets text in; "white" is the buttons' own text colour.
PAIRS = [("text", "bg"), ("text", "panel"), ("text", "panel-2"), ("muted", "panel"), ("muted", "bg"),
         ("error-text", "panel"), ("accent-text", "panel"), ("ok-text", "panel"), ("ok", "panel"), ("warn", "panel"),
         ("white", "accent"), ("white", "danger")]


def palette(driver):
    return driver.execute_script("""const style = getComputedStyle(document.documentElement);
      const names = ['bg', 'panel', 'panel-2', 'text', 'muted', 'error-text', 'accent-text', 'ok-text', 'ok', 'warn', 'accent', 'danger'];
      return Object.fromEntries(names.map(n => [n, style.getPropertyValue('--' + n).trim()]));""") | {"white": "#ffffff"}


def luminance(colour):
    """WCAG 2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def theme(driver):
    return driver.execute_script("return document.documentElement.dataset.theme")


def background(driver):
    return driver.execute_script("return getComputedStyle(document.body).backgroundColor")


def emulate(driver, scheme):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def test_the_dashboard_reads_in_light_and_dark(server, browser):
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.set_window_size(1280, 800)
    key = server.create_account("dash-theme")
    emulate(browser, "light")
    sign_in(browser, server, key)
    button = browser.find_element(By.ID, "theme")
    # No choice yet: the system's scheme, followed live.
    WebDriverWait(browser, 10).until(lambda d: theme(d) == "light")
    assert button.text == "Theme: auto"
    light_background = background(browser)
    emulate(browser, "dark")
    WebDriverWait(browser, 10).until(lambda d: theme(d) == "dark")
    assert background(browser) != light_background

    for scheme in ["light", "dark"]:
        browser.execute_script("document.documentElement.dataset.theme = arguments[0]", scheme)
        colours = palette(browser)
        weak = [(fg, bg, round(contrast(colours[fg], colours[bg]), 2)) for fg, bg in PAIRS if contrast(colours[fg], colours[bg]) < 4.5]
        assert not weak, (scheme, weak)

    # The button by keyboard: auto → light → dark, each kept over a reload whatever the system says.
    browser.execute_script("document.getElementById('theme').focus()")
    browser.switch_to.active_element.send_keys("\n")
    WebDriverWait(browser, 10).until(lambda d: theme(d) == "light" and d.find_element(By.ID, "theme").text == "Theme: light")
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "dashboard").is_displayed())
    assert theme(browser) == "light" and background(browser) == light_background
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-light.png"))
    emulate(browser, "light")
    browser.find_element(By.ID, "theme").click()
    WebDriverWait(browser, 10).until(lambda d: theme(d) == "dark")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-dark.png"))
    browser.find_element(By.ID, "theme").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "theme").text == "Theme: auto" and theme(d) == "light")
