"""Offline demo AgentOS for agno-chat.

A real agno AgentOS (agno 3.1.10) whose agents are driven by a deterministic,
offline ScriptedModel. No LLM and no network access are needed.

    .venv/bin/python demo/app.py --host 127.0.0.1 --port 7777 [--auth none|key|jwt]

See demo/README.md for agents, trigger words and flags.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
from typing import List, Optional

# Must be set before agno is imported.
os.environ["AGNO_TELEMETRY"] = "false"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

DEFAULT_PORT = 7777
DEFAULT_TOKEN_DELAY_MS = 30
DEFAULT_CORS_ORIGINS = ["http://127.0.0.1:3000", "http://localhost:3000"]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
OS_ID = "demo-os"
OS_NAME = "Demo OS"


def _env(name: str, default: Optional[str] = None) -> Optional[str]:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Offline demo AgentOS (scripted model) for agno-chat")
    p.add_argument("--host", default=_env("DEMO_HOST", "127.0.0.1"), help="bind address (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=int(_env("DEMO_PORT", str(DEFAULT_PORT))), help="port (env DEMO_PORT, default 7777; 0 = any free port)"
    )
    p.add_argument(
        "--auth",
        choices=["none", "key", "jwt"],
        default=_env("DEMO_AUTH", "none"),
        help="auth mode (env DEMO_AUTH, default none)",
    )
    p.add_argument("--security-key", default=_env("OS_SECURITY_KEY"), help="bearer key for --auth key (env OS_SECURITY_KEY)")
    p.add_argument("--jwt-secret", default=_env("DEMO_JWT_SECRET"), help="HS256 verification key for --auth jwt (env DEMO_JWT_SECRET)")
    p.add_argument(
        "--jwt-public-key-file",
        default=None,
        help="--auth jwt with RS256: PEM file of the RSA public key that verifies tokens (instead of --jwt-secret)",
    )
    p.add_argument(
        "--user-isolation",
        action="store_true",
        default=_env("DEMO_USER_ISOLATION", "") in ("1", "true", "yes"),
        help="--auth jwt: AgentOS(user_isolation=True), so session reads (and media) are scoped to the token's sub "
        "(env DEMO_USER_ISOLATION=1; default off)",
    )
    p.add_argument(
        "--oauth-port",
        type=int,
        default=None,
        help="also serve an OAuth2 client-credentials token endpoint on this port (--auth jwt only)",
    )
    p.add_argument("--oauth-client-id", default="agno-chat", help="client id the token endpoint accepts (default agno-chat)")
    p.add_argument("--oauth-client-secret", default=_env("DEMO_OAUTH_CLIENT_SECRET"), help="client secret it accepts (env DEMO_OAUTH_CLIENT_SECRET)")
    p.add_argument("--oauth-token-ttl", type=int, default=3600, help="seconds until issued tokens really expire (default 3600)")
    p.add_argument(
        "--oauth-reported-ttl", type=int, default=None, help="expires_in the endpoint reports (default: the real ttl)"
    )
    p.add_argument(
        "--token-delay-ms",
        type=float,
        default=float(_env("DEMO_TOKEN_DELAY_MS", str(DEFAULT_TOKEN_DELAY_MS))),
        help="delay between streamed tokens in ms (env DEMO_TOKEN_DELAY_MS, default 30)",
    )
    p.add_argument("--db-dir", default=_env("DEMO_DB_DIR"), help="directory for the SQLite db (env DEMO_DB_DIR, default: fresh temp dir)")
    p.add_argument(
        "--media-storage",
        choices=["local", "none"],
        default=_env("DEMO_MEDIA_STORAGE", "local"),
        help="where run media goes: local = agno LocalMediaStorage in <db dir>/media, runs keep media_reference; "
        "none = base64 inline in the session rows (env DEMO_MEDIA_STORAGE, default local)",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=None,
        help="allowed CORS origin (repeatable; env DEMO_CORS_ORIGINS, comma separated; default localhost:3000 and 127.0.0.1:3000)",
    )
    p.add_argument("--log-level", default=_env("DEMO_LOG_LEVEL", "warning"), help="uvicorn log level (default warning)")
    args = p.parse_args(argv)

    if args.cors_origin is None:
        env_origins = _env("DEMO_CORS_ORIGINS")
        args.cors_origin = [o.strip() for o in env_origins.split(",") if o.strip()] if env_origins else list(DEFAULT_CORS_ORIGINS)
    if args.auth == "key" and not args.security_key:
        p.error("--auth key needs --security-key or OS_SECURITY_KEY")
    if args.auth == "jwt" and not (args.jwt_secret or args.jwt_public_key_file):
        p.error("--auth jwt needs --jwt-secret (or DEMO_JWT_SECRET) or --jwt-public-key-file")
    if args.oauth_port is not None and not args.jwt_secret:
        p.error("--oauth-port signs its tokens with --jwt-secret")
    if args.host not in LOOPBACK_HOSTS:
        p.error(f"--host must be a loopback address ({', '.join(sorted(LOOPBACK_HOSTS))}); the demo never binds publicly")
    if args.user_isolation and args.auth != "jwt":
        p.error("--user-isolation needs --auth jwt (it scopes reads to the token's sub)")
    if args.oauth_port is not None and (args.auth != "jwt" or not args.oauth_client_secret):
        p.error("--oauth-port needs --auth jwt and --oauth-client-secret")
    if args.token_delay_ms < 0:
        p.error("--token-delay-ms must be >= 0")
    return args


def build_agent_os(args: argparse.Namespace, db_file: str, media_dir: Optional[str] = None):
    # In key mode agno reads the key from settings; in the other modes make sure a
    # stray OS_SECURITY_KEY / JWT_* in the environment does not change the auth mode.
    if args.auth != "key":
        os.environ.pop("OS_SECURITY_KEY", None)
    for var in ("JWT_VERIFICATION_KEY", "JWT_JWKS_FILE"):
        os.environ.pop(var, None)

    from agno.agent import Agent
    from agno.db.sqlite import SqliteDb
    from agno.os import AgentOS
    from agno.os.settings import AgnoAPISettings
    from agno.team import Team, TeamMode

    # agno logs to stdout by default; send its logs to stderr so stdout carries
    # only the "ready" line.
    for name in ("agno", "agno-team", "agno-workflow"):
        lg = logging.getLogger(name)
        for h in list(lg.handlers):
            lg.removeHandler(h)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s %(message)s"))
        lg.addHandler(handler)

    import demo_tools as t
    import media_tools as mt
    from scripted_model import ScriptedModel

    delay = args.token_delay_ms / 1000.0
    db = SqliteDb(db_file=db_file, id="demo-db")

    def model(script: str, **kw) -> ScriptedModel:
        return ScriptedModel(script=script, token_delay=delay, **kw)

    common = dict(db=db, telemetry=False)
    media_storage = None
    if args.media_storage == "local" and media_dir is not None:
        from agno.media.storage import LocalMediaStorage

        # Every agent and team offloads its run media here; AgentOS serves it from
        # GET /sessions/{session_id}/media/{storage_key}.
        media_storage = LocalMediaStorage(base_path=media_dir)
        common["media_storage"] = media_storage

    agents = [
        Agent(
            id="echo-agent",
            name="Echo Agent",
            description="Streams back what you said",
            model=model("echo"),
            markdown=True,
            add_history_to_context=True,
            **common,
        ),
        Agent(
            id="weather-agent",
            name="Weather Agent",
            description="Calls the get_weather tool for the city in your message",
            model=model("weather"),
            tools=[t.get_weather],
            **common,
        ),
        Agent(
            id="reasoning-agent",
            name="Reasoning Agent",
            description="Streams its reasoning before answering",
            model=model("reasoning"),
            **common,
        ),
        Agent(
            id="confirm-agent",
            name="Confirm Agent",
            description="Deletes files, but asks for confirmation first",
            model=model("confirm"),
            tools=[t.delete_file],
            **common,
        ),
        Agent(
            id="external-agent",
            name="External Agent",
            description="Uses tools that the client executes (shell, browser locale, chart, navigation)",
            model=model("external"),
            tools=[t.run_shell, t.get_browser_locale, t.render_chart, t.navigate],
            **common,
        ),
        Agent(
            id="input-agent",
            name="User Input Agent",
            description="Books trips; asks the user for the date and number of travellers",
            model=model("input"),
            tools=[t.book_trip],
            **common,
        ),
        Agent(
            id="genui-agent",
            name="Generative UI Agent",
            description="Answers with charts, tables and cards (generative UI specs in tool results)",
            model=model("genui"),
            tools=[t.show_chart, t.show_table, t.show_cards, t.show_report, t.show_broken, t.show_unsafe],
            **common,
        ),
        Agent(
            id="fail-agent",
            name="Failing Agent",
            description="Its model raises an error on every run",
            model=model("fail"),
            **common,
        ),
        Agent(
            id="media-agent",
            name="Media Agent",
            description="Lists the attachments it received: name, type, size in bytes and image dimensions",
            model=model("media"),
            **common,
        ),
        Agent(
            id="studio-agent",
            name="Studio Agent",
            description="Answers with a generated image and a short audio clip",
            model=model("studio"),
            tools=[mt.generate_image, mt.generate_tone],
            **common,
        ),
        Agent(
            id="sources-agent",
            name="Sources Agent",
            description="Answers with numbered citations and knowledge references",
            model=model("sources"),
            knowledge_retriever=mt.search_sources,
            add_knowledge_to_context=True,
            search_knowledge=False,
            **common,
        ),
    ]

    echo_member = Agent(id="echo-member", name="Echo Member", model=model("echo"), **common)
    hitl_member = Agent(
        id="hitl-member",
        name="HITL Member",
        model=model("confirm"),
        tools=[t.delete_file],
        **common,
    )
    teams = [
        Team(
            id="echo-team",
            name="Echo Team",
            description="A leader that delegates to an echo member",
            mode=TeamMode.coordinate,
            members=[echo_member],
            model=model("leader", member_id="echo-member"),
            **common,
        ),
        Team(
            id="hitl-team",
            name="HITL Team",
            description="A leader whose member needs confirmation before deleting a file",
            mode=TeamMode.coordinate,
            members=[hitl_member],
            model=model("leader", member_id="hitl-member"),
            **common,
        ),
    ]

    settings = AgnoAPISettings(os_security_key=args.security_key if args.auth == "key" else None)
    os_kwargs = dict(
        id=OS_ID,
        name=OS_NAME,
        description="Offline AgentOS demo for agno-chat (scripted model, no LLM)",
        version="1.0.0",
        db=db,
        agents=agents,
        teams=teams,
        settings=settings,
        cors_allowed_origins=args.cors_origin,
        telemetry=False,
        media_storage=media_storage,
    )
    if args.user_isolation:
        os_kwargs["user_isolation"] = True
    if args.auth == "jwt":
        from agno.os.authz import Authorization

        if args.jwt_public_key_file:
            with open(args.jwt_public_key_file, encoding="utf-8") as f:
                public_key = f.read()
            os_kwargs["authorization"] = Authorization(verification_keys=[public_key], algorithm="RS256")
        else:
            os_kwargs["authorization"] = Authorization(verification_keys=[args.jwt_secret], algorithm="HS256")

    return AgentOS(**os_kwargs)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)

    temp_dir: Optional[str] = None
    if args.db_dir:
        db_dir = os.path.abspath(args.db_dir)
        os.makedirs(db_dir, exist_ok=True)
    else:
        temp_dir = tempfile.mkdtemp(prefix="agno-chat-demo-")
        db_dir = temp_dir
    db_file = os.path.join(db_dir, "demo.db")

    try:
        agent_os = build_agent_os(args, db_file, media_dir=os.path.join(db_dir, "media"))
        app = agent_os.get_app()
        if args.oauth_port is not None:
            from oauth_server import TokenIssuer, start as start_oauth

            issuer = TokenIssuer(
                args.jwt_secret,
                args.oauth_client_id,
                args.oauth_client_secret,
                args.oauth_token_ttl,
                args.oauth_reported_ttl if args.oauth_reported_ttl is not None else args.oauth_token_ttl,
            )
            oauth = start_oauth(args.host, args.oauth_port, issuer)
            print(f"demo OAuth2 token endpoint on http://{args.host}:{oauth.server_address[1]}/oauth/token", flush=True)

        import uvicorn

        class _QuietShutdownFilter(logging.Filter):
            """While shutting down, drop uvicorn's tracebacks for streams it had to cancel."""

            def __init__(self) -> None:
                super().__init__()
                self.stopping = False

            def filter(self, record: logging.LogRecord) -> bool:
                if not self.stopping:
                    return True
                msg = str(record.msg)
                return not (msg.startswith("Exception in ASGI application") or msg.startswith("Cancel %s running task"))

        quiet = _QuietShutdownFilter()

        class DemoServer(uvicorn.Server):
            def handle_exit(self, sig, frame):  # type: ignore[override]
                quiet.stopping = True
                super().handle_exit(sig, frame)

            async def startup(self, sockets=None):  # type: ignore[override]
                await super().startup(sockets=sockets)
                if self.started and not self.should_exit:
                    port = args.port
                    try:
                        port = self.servers[0].sockets[0].getsockname()[1]
                    except Exception:
                        pass
                    print(f"demo AgentOS ready on http://{args.host}:{port} (auth={args.auth})", flush=True)

        config = uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            timeout_graceful_shutdown=1,
            access_log=args.log_level in ("debug", "info"),
        )
        server = DemoServer(config)
        logging.getLogger("uvicorn.error").addFilter(quiet)

        # uvicorn re-raises the captured signal after a graceful shutdown; with these
        # handlers in place that is a no-op, so we fall through to cleanup and exit 0.
        def _after_shutdown(signum, frame):  # noqa: ARG001
            pass

        signal.signal(signal.SIGTERM, _after_shutdown)
        signal.signal(signal.SIGINT, _after_shutdown)

        server.run()
        return 0 if server.started else 1
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
