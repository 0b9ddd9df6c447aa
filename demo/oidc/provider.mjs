// A small, real OpenID Connect provider (oidc-provider 9) for the agno-chat demo and
// end-to-end tests. One confidential client, two fixed accounts with real password
// checks, our own login page, consent granted automatically, RP-initiated logout
// without a confirmation click. Everything lives in memory and is lost on restart.
//
// Configured by environment variables; see demo/oidc/README.md.

import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

// stdout carries exactly one line (the ready line); oidc-provider's notices go to stderr.
console.info = console.error;

// ---------------------------------------------------------------------------
// Configuration from the environment

function fail(message) {
  console.error(`[oidc] ${message}`);
  process.exit(2);
}

function intEnv(name, fallback, min = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) fail(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function listEnv(name) {
  return (process.env[name] || '').split(',').map((s) => s.trim()).filter(Boolean);
}

const PORT = intEnv('OIDC_PORT', 7780);
if (PORT > 65535) fail('OIDC_PORT must be at most 65535');
const HOST = process.env.OIDC_HOST || '127.0.0.1';
const CLIENT_ID = process.env.OIDC_CLIENT_ID || 'agno-chat';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET;
const REDIRECT_URIS = listEnv('OIDC_REDIRECT_URIS');
const POST_LOGOUT_REDIRECT_URIS = listEnv('OIDC_POST_LOGOUT_REDIRECT_URIS');
const REFRESH_TOKENS = (process.env.OIDC_REFRESH_TOKENS ?? '1') || '1';
const ID_TOKEN_TTL = intEnv('OIDC_ID_TOKEN_TTL', 3600, 1);
const ACCESS_TOKEN_TTL = intEnv('OIDC_ACCESS_TOKEN_TTL', 3600, 1);

if (!CLIENT_SECRET) fail('OIDC_CLIENT_SECRET is required (the secret of the one confidential client)');
if (!REDIRECT_URIS.length) fail('OIDC_REDIRECT_URIS is required (comma-separated redirect URIs of the client)');
if (REFRESH_TOKENS !== '0' && REFRESH_TOKENS !== '1') fail(`OIDC_REFRESH_TOKENS must be 0 or 1, got ${JSON.stringify(REFRESH_TOKENS)}`);
// Check the issuer early. With port 0 (a free port) and no OIDC_ISSUER it is known only
// once the server listens, and main() builds it then.
if (process.env.OIDC_ISSUER || PORT !== 0) checkIssuer(process.env.OIDC_ISSUER || `http://${urlHost(HOST)}:${PORT}`);

function urlHost(host) {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function checkIssuer(issuer) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    fail(`OIDC_ISSUER is not a URL: ${JSON.stringify(issuer)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('OIDC_ISSUER must be an http(s) URL');
  // The provider is mounted at the root of this server, so the issuer cannot have a path.
  if (url.pathname !== '/' || url.search || url.hash) fail('OIDC_ISSUER must be an origin without path, query or fragment');
  return url.origin;
}

// ---------------------------------------------------------------------------
// Accounts

const USERS = {
  alice: {
    password: 'alice-demo',
    sub: 'demo-user-alice',
    name: 'Alice Demo',
    email: 'alice@example.test',
    groups: ['staff', 'admins'],
  },
  bob: {
    password: 'bob-demo',
    sub: 'demo-user-bob',
    name: 'Bob Demo',
    email: 'bob@example.test',
    groups: ['research'],
  },
};
const ACCOUNTS = new Map(Object.entries(USERS).map(([login, u]) => [u.sub, { login, ...u }]));

function checkPassword(login, password) {
  const user = Object.hasOwn(USERS, login) ? USERS[login] : undefined;
  // Compare digests so the check takes the same time whatever the input.
  const a = createHash('sha256').update(String(password)).digest();
  const b = createHash('sha256').update(user ? user.password : randomUUID()).digest();
  return user && a.equals(b) ? user.sub : undefined;
}

async function findAccount(_ctx, sub) {
  const account = ACCOUNTS.get(sub);
  if (!account) return undefined;
  return {
    accountId: sub,
    // oidc-provider filters these by the granted scopes and claims.
    async claims() {
      return {
        sub,
        name: account.name,
        preferred_username: account.login,
        email: account.email,
        email_verified: true,
        groups: [...account.groups],
      };
    },
  };
}

// ---------------------------------------------------------------------------
// Pages

function esc(value) {
  return String(value)
    .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.4rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}.error{color:#b00020;font-weight:600}.hint{color:#555;font-size:.9rem}`;

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function loginPage(uid, { login = '', error } = {}) {
  return page('Demo identity provider — sign in', `<h1>Demo identity provider — sign in</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Username</label>
<input id="login" name="login" type="text" value="${esc(login)}" autocapitalize="none" spellcheck="false" required${login ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" required${login ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<p class="hint">Demo users: alice / alice-demo (groups staff, admins), bob / bob-demo (group research).</p>`);
}

function send(res, status, html, csp = PAGE_CSP) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

// The logout confirmation oidc-provider asks for, submitted without a click. The form
// gets `logout=yes` so the whole provider session ends (not only this client's part of
// it), and an inline script submits it. The page's own CSP allows exactly that script
// by its hash; without JavaScript the button in <noscript> does the same.
const LOGOUT_SCRIPT = "document.getElementById('op.logoutForm').submit();";
const LOGOUT_SCRIPT_HASH = createHash('sha256').update(LOGOUT_SCRIPT).digest('base64');

async function logoutSource(ctx, form) {
  const autoForm = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>',
  );
  ctx.set('cache-control', 'no-store');
  ctx.set(
    'content-security-policy',
    `default-src 'none'; script-src 'sha256-${LOGOUT_SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'`,
  );
  ctx.type = 'html';
  ctx.body = page('Demo identity provider — signing out', `<h1>Signing out…</h1>
${autoForm}
<script>${LOGOUT_SCRIPT}</script>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Demo identity provider — signed out', '<h1>You are signed out</h1>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  const lines = Object.entries(out).map(([k, v]) => `<p><code>${esc(k)}</code>: ${esc(v)}</p>`).join('\n');
  ctx.body = page('Demo identity provider — error', `<h1>Sign-in error</h1>\n${lines}`);
}

// ---------------------------------------------------------------------------
// Provider

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

function buildProvider(issuer) {
  const client = {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'agno-chat',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // client_secret_post is accepted as well: oidc-provider treats the two alike.
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  };

  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    scopes: ['openid', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Put the scope claims into the ID token too (the relying party reads groups there),
    // not only into the userinfo response.
    conformIdTokenClaims: false,
    // oidc-provider 9 requires PKCE only for public clients by default; require it for
    // every authorization request (S256 is the only method it supports).
    pkce: { required: () => true },
    // Refresh tokens for the authorization-code grant without `offline_access`.
    issueRefreshToken: async (_ctx, c) => REFRESH_TOKENS === '1' && c.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_TTL,
      Interaction: 60 * 60,
      Grant: 14 * 24 * 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Session: 14 * 24 * 60 * 60,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async (_ctx, c, token) => token.clientId === c.clientId },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    clientBasedCORS: () => false,
    renderError,
  });
  provider.proxy = false;

  for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'revocation.error']) {
    provider.on(event, (ctx, err) => {
      const detail = err?.error_description ? `${err.message}: ${err.error_description}` : err?.message;
      console.error(`[oidc] ${event} ${ctx?.method ?? ''} ${ctx?.path ?? ''}: ${detail}`);
    });
  }
  return provider;
}

// ---------------------------------------------------------------------------
// Interactions (our own login page; consent granted automatically)

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, req, res, details) {
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function handleInteraction(provider, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(res, 400, page('Demo identity provider — sign in', `<h1>This sign-in request has expired or was already used</h1>
<p>Go back to the application and sign in again.</p>`));
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, page('Demo identity provider — sign in', '<h1>Unknown sign-in request</h1>'));
    return;
  }
  const prompt = details.prompt.name;

  if (req.method === 'GET' && !action) {
    if (prompt === 'login') {
      send(res, 200, loginPage(uid, { login: details.params.login_hint || '' }));
    } else if (prompt === 'consent') {
      await grantConsent(provider, req, res, details);
    } else {
      send(res, 400, page('Demo identity provider', `<h1>Unsupported prompt ${esc(prompt)}</h1>`));
    }
    return;
  }

  if (req.method === 'POST' && action === 'login' && prompt === 'login') {
    const form = await readForm(req);
    const login = (form.get('login') || '').trim();
    const accountId = checkPassword(login, form.get('password') || '');
    if (!accountId) {
      send(res, 200, loginPage(uid, { login, error: 'Wrong username or password.' }));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }

  res.writeHead(req.method === 'GET' || req.method === 'POST' ? 400 : 405, { 'content-type': 'text/plain' });
  res.end('bad interaction request\n');
}

// ---------------------------------------------------------------------------
// Server

async function main() {
  let provider;
  let callback;
  const server = createServer((req, res) => {
    if (!provider) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('starting\n');
      return;
    }
    const path = (req.url || '/').split('?')[0];
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?\/?$/.exec(path);
    if (m) {
      handleInteraction(provider, req, res, m[1], m[2]).catch((err) => {
        console.error(`[oidc] interaction error: ${err?.stack || err}`);
        if (!res.headersSent) {
          send(res, err?.status || 500, page('Demo identity provider', '<h1>Something went wrong</h1>'));
        } else {
          res.end();
        }
      });
      return;
    }
    callback(req, res);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, HOST, resolve);
  });
  server.on('error', (err) => console.error(`[oidc] server error: ${err?.message}`));

  const port = server.address().port;
  const issuer = checkIssuer(process.env.OIDC_ISSUER || `http://${urlHost(HOST)}:${port}`);
  const p = buildProvider(issuer);
  try {
    await p.Client.find(CLIENT_ID); // validates the client metadata now, not at the first request
  } catch (err) {
    fail(`invalid client configuration: ${err.error_description || err.message}`);
  }
  callback = p.callback();
  provider = p;

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  console.log(`[oidc] demo identity provider on ${issuer} — users: alice / alice-demo (groups staff, admins), bob / bob-demo (group research)`);
}

main().catch((err) => fail(`could not start: ${err?.message || err}`));
