"""Mint an HS256 JWT for the demo AgentOS in --auth jwt mode.

    .venv/bin/python demo/mint_token.py --secret S --sub alice --ttl 3600 \
        --scopes agents:read agents:run sessions:read

Prints the token on stdout. A negative --ttl gives an already expired token
(agno allows 10 s of leeway, so use e.g. --ttl -60 for "Token has expired").
Scopes may be given space- or comma-separated; --admin adds agent_os:admin.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import jwt

# Short demo secrets are fine here; silence PyJWT's key-length warning.
warnings.filterwarnings("ignore", message=".*HMAC key.*")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Mint an HS256 JWT for the demo AgentOS")
    p.add_argument("--secret", required=True, help="HS256 secret (same as the server's --jwt-secret)")
    p.add_argument("--sub", default="alice", help="subject / user id (default alice)")
    p.add_argument("--ttl", type=int, default=3600, help="seconds until expiry (negative = already expired)")
    p.add_argument("--scopes", nargs="*", default=[], help="scopes, e.g. agents:read agents:run sessions:read")
    p.add_argument("--admin", action="store_true", help="add the agent_os:admin scope")
    p.add_argument("--no-scopes-claim", action="store_true", help="omit the scopes claim entirely")
    p.add_argument("--aud", default=None, help="optional audience claim")
    args = p.parse_args(argv)

    scopes = []
    for item in args.scopes:
        scopes.extend(s for s in item.replace(",", " ").split() if s)
    if args.admin:
        scopes.append("agent_os:admin")

    now = int(time.time())
    payload = {"sub": args.sub, "iat": now if args.ttl > 0 else now + args.ttl - 3600, "exp": now + args.ttl}
    if not args.no_scopes_claim:
        payload["scopes"] = scopes
    if args.aud:
        payload["aud"] = args.aud

    token = jwt.encode(payload, args.secret, algorithm="HS256")
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
