"""The full-stack load test: simulated people using agno-chat as a browser does.

Each simulated person loads the page (and keeps the identity cookie it gets), sends
messages to the echo agent and reads every streamed answer to its end, checking that each
token arrived once and in order (the echo agent answers "Echo: " and the message, word by
word), lists their conversations and opens one. Run by scripts/load-test.sh; figures, not
a test: it never fails on a number.

Besides locust's own request rows, each answer adds two rows of its own: "first token"
(from sending to the first text) and "last token" (to the end of the answer).
"""

import json
import random
import time
import uuid

from locust import HttpUser, between, events, task

AGENT = "echo-agent"


def words(n):
    tag = uuid.uuid4().hex[:6]
    return " ".join(f"{tag}-{i}" for i in range(n))


class Person(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        self.sessions = []
        # The page, as a browser first asks for it: the identity cookie comes with it.
        self.client.get(f"/?agent={AGENT}", name="page")

    @task(6)
    def send(self):
        message = words(random.randint(10, 40))
        session = random.choice(self.sessions) if self.sessions and random.random() < 0.7 else None
        body = {"req": {"kind": "agent", "assistant_id": AGENT, "session_id": session, "message": message}}
        started = time.perf_counter()
        first = None
        text = []
        outcome = None
        with self.client.post(
            "/api/chat/send",
            data=json.dumps(body),
            headers={"content-type": "application/json"},
            stream=True,
            catch_response=True,
            name="send (until the stream opens)",
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            for line in r.iter_lines():
                if not line:
                    continue
                ev = json.loads(line)
                kind = ev.get("type")
                if kind == "started" and ev.get("session_id") and ev["session_id"] not in self.sessions:
                    self.sessions.append(ev["session_id"])
                elif kind == "content":
                    if first is None:
                        first = time.perf_counter()
                    text.append(ev.get("text", ""))
                elif kind in ("completed", "failed", "error", "cancelled"):
                    outcome = kind
            done = time.perf_counter()
            expected = f"Echo: {message}"
            got = "".join(text)
            if outcome != "completed":
                r.failure(f"ended {outcome}")
            elif got != expected:
                r.failure(f"tokens lost, repeated or out of order: {len(got)} chars, {len(expected)} expected")
            else:
                r.success()
        if first is not None:
            fire("first token", (first - started) * 1000)
            fire("last token", (done - started) * 1000)

    @task(2)
    def list_sessions(self):
        self.client.post(
            "/api/sessions/list",
            data={"kind": "agent", "assistant_id": AGENT, "page": "1"},
            name="list conversations",
        )

    @task(1)
    def open_session(self):
        if not self.sessions:
            return
        self.client.post(
            "/api/sessions/history",
            data={"kind": "agent", "assistant_id": AGENT, "session_id": random.choice(self.sessions)},
            name="open a conversation",
        )


def fire(name, ms):
    events.request.fire(
        request_type="ANSWER",
        name=name,
        response_time=ms,
        response_length=0,
        exception=None,
        context={},
    )


class AgentOsAlone(HttpUser):
    """The same answers asked of the demo AgentOS directly, as a plain client streams
    them: what agno-chat's figures are measured against."""

    wait_time = between(1, 3)

    def on_start(self):
        self.user_id = f"load-{uuid.uuid4().hex[:8]}"
        self.sessions = []

    @task
    def send(self):
        message = words(random.randint(10, 40))
        form = {"message": message, "stream": "true", "user_id": self.user_id}
        if self.sessions and random.random() < 0.7:
            form["session_id"] = random.choice(self.sessions)
        started = time.perf_counter()
        first = None
        text = []
        outcome = None
        with self.client.post(f"/agents/{AGENT}/runs", data=form, stream=True, catch_response=True, name="run (until the stream opens)") as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            event = None
            for line in r.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                    if event == "RunStarted" and data.get("session_id") not in self.sessions:
                        self.sessions.append(data.get("session_id"))
                    elif event == "RunContent" and data.get("content"):
                        if first is None:
                            first = time.perf_counter()
                        text.append(data["content"])
                    elif event in ("RunCompleted", "RunError", "RunCancelled"):
                        outcome = event
            done = time.perf_counter()
            if outcome != "RunCompleted":
                r.failure(f"ended {outcome}")
            elif "".join(text) != f"Echo: {message}":
                r.failure("tokens lost, repeated or out of order")
            else:
                r.success()
        if first is not None:
            fire("first token", (first - started) * 1000)
            fire("last token", (done - started) * 1000)
