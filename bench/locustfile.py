"""Samdrift's usual day under load (issue #19, item 6): operators and municipality users
(a contact and a service-area manager) log in with their password and do what they do —
the overview, lists with filters and pages, details, search, billing months and invoices,
the invoice specification and the list's CSV export, and a contact's portal pages (their
SLA report, replacement forecast, common-versus-separate comparison, agreement).

Which objects each login opens is not guessed here: ``bench/bench_load.py`` writes a plan
(JSON, path in ``SAMDRIFT_LOAD_PLAN``) with, for every login, the URLs of each kind of
page that answered 200 to that login when the plan was made — so any answer but 200
under load is a real failure, not a missing object. Run by ``bench_load.py``, or by hand::

    SAMDRIFT_LOAD_PLAN=/tmp/plan.json locust -f bench/locustfile.py --headless \\
        --host http://127.0.0.1:8119 -u 20 -r 5 -t 60s

Each simulated user thinks ``SAMDRIFT_LOAD_WAIT`` seconds between requests ("2,8" by
default: an office worker, not a script; "0,0" saturates the server). Requests are named
by the kind of page, so locust's figures are per page, not per URL. A redirect counts as
a failure (an expired session would otherwise pass as the login page's 200).
"""

from __future__ import annotations

import json
import os
import random
import re
from itertools import count

from locust import HttpUser, between, task
from locust_mix import MIX  # beside this file (locust puts its folder on the path)

PLAN = json.loads(open(os.environ["SAMDRIFT_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_low, _high = (float(x) for x in os.environ.get("SAMDRIFT_LOAD_WAIT", "2,8").split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_turns = count()


class SamdriftUser(HttpUser):
    """One person at a browser: logs in once, then opens pages of their role's mix."""

    abstract = True
    role = ""
    wait_time = between(_low, _high)

    def on_start(self) -> None:
        accounts = [a for a in PLAN["accounts"] if a["role"] == self.role]
        self.account = accounts[next(_turns) % len(accounts)]  # spread over the logins
        self.rng = random.Random()
        kinds = [k for k in MIX[self.role] if self.account["urls"].get(k)]
        self.kinds, self.weights = kinds, [MIX[self.role][k] for k in kinds]
        # A new connection for every request, as nginx's default to its upstream and as
        # the earlier bench_scale.py: gunicorn closes an idle keep-alive connection after
        # 2 s, and a request sent on it as it closes fails at once (a browser or nginx
        # would retry it; locust's client does not, so such a race is not counted). The
        # client also closes its own side after each request (``_done``): a server need
        # not answer "Connection: close" (Django's threaded live server, which the tests
        # run this against, does not), and the client would send the next request on a
        # connection being closed ("Remote end closed connection without response").
        self.client.headers["Connection"] = "close"
        self.log_in()

    def log_in(self) -> None:
        page = self.client.get("/login/", name="login form")
        self._done()
        token = CSRF.search(page.text)
        form = {
            "username": self.account["username"],
            "password": PLAN["password"],
            "next": "/",
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        with self.client.post(
            "/login/",
            data=form,
            headers={"Referer": f"{self.host}/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "sessionid" not in self.client.cookies:
                why = answer.status_code or repr(answer.error)
                answer.failure(f"login of {self.account['username']}: {why}")
        self._done()

    @task
    def open_a_page(self) -> None:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        url = self.rng.choice(self.account["urls"][kind])
        # Not streamed: locust's time is then to the last byte, as a person waits for a
        # download (with stream=True it would be to the first).
        with self.client.get(url, name=kind, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                # Status 0: no answer at all (refused, reset, timed out): say which.
                why = f"HTTP {answer.status_code}" if answer.status_code else repr(answer.error)
                answer.failure(f"{self.role} {url}: {why}")
            elif not answer.content:
                answer.failure(f"{self.role} {url}: empty answer")
        self._done()

    def _done(self) -> None:
        """Drop the client's pooled connections (see ``on_start``)."""
        self.client.close()


class Operator(SamdriftUser):
    role = "operator"
    weight = PLAN.get("weights", {}).get("operator", 2)


class MunicipalityContact(SamdriftUser):
    role = "contact"
    weight = PLAN.get("weights", {}).get("contact", 2)


class ServiceAreaManager(SamdriftUser):
    role = "manager"
    weight = PLAN.get("weights", {}).get("manager", 1)


# A role the plan has no login for is not simulated (a small world may lack a manager).
_present = {account["role"] for account in PLAN["accounts"]}
for _cls in (Operator, MunicipalityContact, ServiceAreaManager):
    if _cls.role not in _present:
        del globals()[_cls.__name__]
del _cls  # locust would take the loop's name for one more class
