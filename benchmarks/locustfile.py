"""The people benchmarks/load.py sends at the server (Locust, run headless by that script).

Residents (3 of 4 users): the home page, the navigator (a question from the dev set, posted with the
form's CSRF token and htmx's headers, as the page's script posts it), the public directory, a service
page and the HSDS API. Staff (1 of 4): the today view, the case list and the needs dashboard, with a
session made by load.py. Members' pages go to their own pool when load.py runs one. Each
resident comes from their own address (X-Forwarded-For through a trusted proxy, as behind the city's
reverse proxy), so the navigator's per-address limit applies per person, not to the whole crowd; each
navigator question comes from another resident (see Resident.navigator).

load.py names the classes to run: Resident and Staff for the mix, StaticFile alone for the server's
ceiling (a static file fetched without pause).

The users are Locust's FastHttpUser (geventhttpclient), which spends several times less CPU per request than
HttpUser (requests): Locust shares the server's two cores, and what it spends is taken from the server.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from urllib.parse import urlencode

from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

SETUP = json.loads(os.environ.get("LOAD_SETUP", "{}"))
QUESTIONS = SETUP.get("questions") or ["ひとり暮らしでさびしい"]
SERVICE_PATHS = SETUP.get("service_paths") or ["/directory/"]
STAFF = SETUP.get("staff") or []
SESSION_COOKIE = SETUP.get("session_cookie", "sessionid")
STATIC_PATH = SETUP.get("static_path", "/static/css/site.css")
# Members' pages go to their own pool of processes when load.py runs one (as the reverse proxy routes
# requests with a session cookie, docs/operations.md); otherwise to the same server as residents.
MEMBERS = SETUP.get("members_host", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = "__Host-csrftoken"  # its name under HTTPS (settings.py)
CSRF_SET = re.compile(re.escape(CSRF_COOKIE) + r"=([^;,\s]+)")
HTTPS = {"X-Forwarded-Proto": "https"}  # what the reverse proxy adds; the server insists on HTTPS
_addresses = itertools.count(1)


def _new_address() -> str:
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


class Resident(FastHttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.headers = HTTPS | {"X-Forwarded-For": _new_address()}

    @task(3)
    def home(self) -> None:
        self.client.get("/", headers=self.headers, name="home")

    @task(3)
    def navigator(self) -> None:
        # Each question is another resident's (their own address): one simulated user asks about 18 a
        # minute, which a real person does not, and the navigator's per-address limit (20 a minute) would
        # turn that into 429s that measure the limit, not the server.
        self.headers = HTTPS | {"X-Forwarded-For": _new_address()}
        page = self.client.get("/navi/", headers=self.headers, name="navigator form")
        token = CSRF.search(page.text or "")
        set_cookie = page.headers.get("Set-Cookie") if page.headers is not None else None
        cookie = CSRF_SET.search(str(set_cookie or ""))
        if token is None or cookie is None:
            return
        # The CSRF cookie is Secure (HTTPS); the proxy's side of the connection is plain HTTP, so it is
        # sent back by hand, as the browser sends it over HTTPS. The form is posted by htmx (hx-post, the
        # answer replacing #navi-results), so the request carries htmx's headers and gets the answer's part
        # of the page, as a browser with its script on does; without script it would get the whole page.
        page_url = f"https://{str(self.host).split('//')[1]}/navi/"
        self.client.post(
            "/navi/",
            data=urlencode({"text": random.choice(QUESTIONS), "csrfmiddlewaretoken": token.group(1)}),  # noqa: S311
            headers=self.headers
            | {"Content-Type": "application/x-www-form-urlencoded"}
            | {"Referer": page_url, "Cookie": f"{CSRF_COOKIE}={cookie.group(1)}"}
            | {"HX-Request": "true", "HX-Target": "navi-results", "HX-Current-URL": page_url},
            name="navigator answer",
        )

    @task(2)
    def directory(self) -> None:
        self.client.get("/directory/?q=相談", headers=self.headers, name="directory search")
        self.client.get(random.choice(SERVICE_PATHS), headers=self.headers, name="service page")  # noqa: S311

    @task(1)
    def hsds(self) -> None:
        self.client.get("/api/hsds/services?per_page=20", headers=self.headers, name="HSDS API")


class Staff(FastHttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.member = random.choice(STAFF)  # noqa: S311
        # The session cookie by hand, as for the CSRF cookie above (Secure, sent over HTTPS).
        self.headers = HTTPS | {
            "X-Forwarded-For": "192.0.2.10",
            "Cookie": f"{SESSION_COOKIE}={self.member['session']}",
        }

    @task(3)
    def today(self) -> None:
        self.client.get(f"{MEMBERS}/o/{self.member['org']}/", headers=self.headers, name="today view (staff)")

    @task(2)
    def case_list(self) -> None:
        self.client.get(
            f"{MEMBERS}/o/{self.member['org']}/cases/", headers=self.headers, name="case list (staff)"
        )

    @task(1)
    def needs(self) -> None:
        self.client.get(
            f"{MEMBERS}/o/{self.member['org']}/needs/", headers=self.headers, name="needs dashboard (staff)"
        )


class StaticFile(FastHttpUser):
    wait_time = constant(0)

    @task
    def static(self) -> None:
        self.client.get(STATIC_PATH, headers=HTTPS, name="static file")
