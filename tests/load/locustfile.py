"""Simulated annotators for the load test (run by tests/load/run.py; README, "Load test").

Each simulated annotator logs in through the login form, takes the next article that
needs them, reads the article's text and offsets from the page as the browser does,
tags quotes, actors and a claim through the span-create endpoint (an htmx request with
the CSRF token), links each quote to its speaker, submits, and goes on to the next.

Every span and relation the server says it created (201 / 200 with its id) is written
to the ledger (LOAD_LEDGER, one JSON object a line), and so is every failed request
with its time; run.py checks the ledger against the database afterwards.

The server is addressed as it is behind the TLS proxy of a deployment: every request
carries ``X-Forwarded-Proto: https`` and POSTs an ``Origin``, so the production
settings (SSL redirect, secure cookies, CSRF origin checks) apply unchanged.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task
from locust.exception import RescheduleTask

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-password")
PROJECT = os.environ.get("LOAD_PROJECT", "load")
LEDGER = os.environ.get("LOAD_LEDGER", "load-ledger.jsonl")
USERS = itertools.count(1)

SEGMENT = re.compile(r'<span class="t" data-o="(\d+)">([^<]*)</span>')
LABEL = re.compile(r'data-label="(\d+)"[^>]*>\s*<span class="swatch"></span>([^<]+?)\s*<')
SET_URL = re.compile(r'data-create-url="/sets/(\d+)/spans/"')
PANEL_SPAN = re.compile(r'class="panel-inner" data-span="(\d+)"')
SAID_BY = re.compile(r'<input type="hidden" name="type" value="(\d+)"><input type="hidden" name="source" '
                     r'value="\d+">\s*<label for="rel-\d+">Said by')
WORD = re.compile(r"\w[\w’'-]*")

_ledger = open(LEDGER, "a", buffering=1, encoding="utf-8")  # open for the whole run, a line at a time


def record(**entry):
    _ledger.write(json.dumps(entry | {"t": time.time()}) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
    if exception is not None:
        record(kind="failure", request=f"{request_type} {name}", error=str(exception)[:300])


class Annotator(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.username = f"load{next(USERS):02d}"
        # Cookies are Secure (production settings).  This client talks to gunicorn as the
        # TLS proxy does, in plain HTTP over loopback, so it must send them all the same.
        send = self.client.request

        def request(*args, **kwargs):
            for cookie in self.client.cookies:
                cookie.secure = False
            return send(*args, **kwargs)

        self.client.request = request
        origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})
        self.article_id = None
        self.log_in()

    # ------------------------------------------------------------ requests

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def expect(self, response, *statuses):
        if response.status_code not in statuses:
            response.failure(f"HTTP {response.status_code}, expected {statuses}: {response.text[:200]!r}")
            raise RescheduleTask()
        response.success()

    def log_in(self):
        with self.client.get("/login/", name="/login/", catch_response=True) as response:
            self.expect(response, 200)
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        with self.client.post("/login/", data=data, name="/login/ POST", allow_redirects=False,
                              catch_response=True) as response:
            self.expect(response, 302)

    def think(self):
        """A moment between two actions on the page (locust makes sleeping cooperative)."""
        time.sleep(random.uniform(0.1, 0.4))

    def htmx_post(self, url, data, name, *statuses):
        self.think()
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf(), "HX-Current-URL": self.page_url}
        with self.client.post(url, data=data, headers=headers, name=name, catch_response=True) as response:
            self.expect(response, *statuses)
            return response

    # ------------------------------------------------------------ the work

    @task
    def annotate_an_article(self):
        after = f"?after={self.article_id}" if self.article_id else ""
        with self.client.get(f"/p/{PROJECT}/next/{after}", name="/p/[slug]/next/", allow_redirects=False,
                             catch_response=True) as response:
            self.expect(response, 302)
            target = response.headers["Location"]
        match = re.fullmatch(rf"/p/{PROJECT}/a/(\d+)/", target)
        if not match:  # nothing left for this annotator
            self.article_id = None
            raise RescheduleTask()
        self.page_url = target
        with self.client.get(target, name="/p/[slug]/a/[id]/", catch_response=True) as response:
            self.expect(response, 200)
            page = response.text
        self.article_id = int(match.group(1))
        set_id = int(SET_URL.search(page).group(1))
        labels = {name.strip(): int(pk) for pk, name in LABEL.findall(page)}
        self.text, words = self.read_text(page)
        if len(words) < 40:
            raise RescheduleTask()

        create = f"/sets/{set_id}/spans/"
        said_by = None
        for _ in range(2):
            first = random.randrange(0, len(words) - 30)
            actor = self.span(set_id, create, labels["Actor"], words[first:first + random.randint(1, 3)])
            quote_at = first + 5
            quote, panel = self.span(set_id, create, labels["Quote"],
                                     words[quote_at:quote_at + random.randint(5, 20)], panel=True)
            said_by = said_by or int(SAID_BY.search(panel).group(1))
            self.relate(set_id, said_by, quote, actor)
        claim_at = random.randrange(0, len(words) - 12)
        self.span(set_id, create, labels["Claim"], words[claim_at:claim_at + random.randint(4, 12)])

        self.think()
        data = {"csrfmiddlewaretoken": self.csrf()}
        with self.client.post(f"/sets/{set_id}/submit/", data=data, name="/sets/[id]/submit/",
                              allow_redirects=False, catch_response=True) as response:
            self.expect(response, 302)
        record(kind="submitted", set=set_id, user=self.username)

    def read_text(self, page) -> tuple[str, list[tuple[int, int]]]:
        """The article's text as the page carries it (each segment at its code-point
        offset; paragraph breaks, which the page does not show, as newlines) and the
        (start, end) of every word."""
        pieces = sorted((int(offset), html.unescape(escaped)) for offset, escaped in SEGMENT.findall(page))
        text, words = "", []
        for offset, piece in pieces:
            text += "\n" * (offset - len(text)) + piece
            words += [(offset + m.start(), offset + m.end()) for m in WORD.finditer(piece)]
        return text, words

    def span(self, set_id, url, label, run, *, panel=False):
        """Tag the words ``run``, as a selection from the first to the last, cut at the
        end of the paragraph."""
        start, end = run[0][0], run[-1][1]
        text = self.text[start:end].split("\n", 1)[0]
        end = start + len(text)
        response = self.htmx_post(url, {"label": label, "start": start, "end": end, "text": text},
                                  "/sets/[id]/spans/", 201, 200)
        span_id = int(PANEL_SPAN.search(response.text).group(1))
        record(kind="span", span=span_id, set=set_id, label=label, start=start, end=end, text=text,
               created=response.status_code == 201)
        return (span_id, response.text) if panel else span_id

    def relate(self, set_id, type_id, source, target):
        response = self.htmx_post(f"/sets/{set_id}/relations/", {"type": type_id, "source": source, "target": target},
                                  "/sets/[id]/relations/", 200)
        assert response.text
        record(kind="relation", set=set_id, type=type_id, source=source, target=target)
