// End-to-end self-test of provider.mjs: starts it (on a free port), then plays a
// browser and the relying party with fetch, manual redirects and a cookie jar.
// Run: cd demo/oidc && node check.mjs   (exit code 0 when every check passed)

import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLIENT_ID = 'agno-chat';
const CLIENT_SECRET = 'check-secret';
const REDIRECT_URI = 'http://127.0.0.1:3999/auth/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:3999/';

let failures = 0;
function ok(cond, what, extra) {
  if (cond) console.log(`ok   ${what}`);
  else {
    failures += 1;
    console.log(`FAIL ${what}${extra === undefined ? '' : ` — ${typeof extra === 'string' ? extra : JSON.stringify(extra)}`}`);
  }
}

async function startProvider(env) {
  const proc = spawn(process.execPath, [join(HERE, 'provider.mjs')], {
    env: {
      ...process.env,
      OIDC_PORT: '0',
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URIS: REDIRECT_URI,
      OIDC_POST_LOGOUT_REDIRECT_URIS: POST_LOGOUT_URI,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  let out = '';
  for await (const chunk of proc.stdout) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  const line = out.split('\n')[0];
  console.log(`     ready line: ${line}`);
  const m = /^\[oidc\] demo identity provider on (\S+) — users: alice \/ alice-demo \(groups staff, admins\), bob \/ bob-demo \(group research\)$/.exec(line);
  if (!m) throw new Error(`unexpected ready line: ${line}\n${stderr}`);
  return { issuer: m[1], proc, stderr: () => stderr };
}

async function stopProvider(p) {
  p.proc.kill('SIGTERM');
  const [code] = await once(p.proc, 'exit');
  ok(code === 0, 'provider exits 0 on SIGTERM', code);
}

// A cookie jar that honours cookie paths (oidc-provider scopes its interaction cookies).
class Jar {
  cookies = new Map();

  store(res) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.trim().split('=');
        if (k.toLowerCase() === 'path') path = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${name}\t${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

// One browser request (no automatic redirects).
async function browse(jar, url, { method = 'GET', form } = {}) {
  const headers = { cookie: jar.header(url) };
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  jar.store(res);
  const text = await res.text();
  const location = res.headers.get('location');
  return { status: res.status, text, headers: res.headers, location: location && new URL(location, url).href };
}

// Follows redirects like a browser until one leaves the provider (or a page is shown).
async function follow(jar, first, issuer) {
  let r = first;
  const hops = [];
  while (r.location && r.location.startsWith(issuer)) {
    hops.push(new URL(r.location).pathname);
    r = await browse(jar, r.location);
  }
  return { ...r, hops };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authUrl(disco, { challenge, state, nonce, scope = 'openid profile email groups' }) {
  const u = new URL(disco.authorization_endpoint);
  u.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    nonce,
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  });
  return u.href;
}

async function token(disco, params, { auth = 'basic' } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(params);
  if (auth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;
  } else if (auth === 'post') {
    body.set('client_id', CLIENT_ID);
    body.set('client_secret', CLIENT_SECRET);
  } else {
    headers.authorization = auth;
  }
  const res = await fetch(disco.token_endpoint, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

async function verifyJwt(jwt, disco) {
  const { header } = decodeJwt(jwt);
  const { keys } = await (await fetch(disco.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const [h, p, s] = jwt.split('.');
  return verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
}

function formFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) fields[m[1]] = m[2];
  return fields;
}

async function flow({ refreshExpected }) {
  const p = await startProvider(refreshExpected ? {} : { OIDC_REFRESH_TOKENS: '0' });
  const { issuer } = p;
  try {
    const disco = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    ok(disco.issuer === issuer, 'discovery: issuer', disco.issuer);
    ok(typeof disco.end_session_endpoint === 'string', `discovery: end_session_endpoint ${disco.end_session_endpoint}`);
    ok(disco.code_challenge_methods_supported?.includes('S256'), 'discovery: code_challenge_methods_supported has S256', disco.code_challenge_methods_supported);
    ok(['openid', 'profile', 'email', 'groups'].every((s) => disco.scopes_supported.includes(s)), 'discovery: scopes', disco.scopes_supported);
    ok(disco.claims_supported.includes('groups'), 'discovery: groups claim');
    ok(disco.id_token_signing_alg_values_supported.includes('RS256'), 'discovery: RS256');
    ok(disco.token_endpoint_auth_methods_supported.includes('client_secret_basic'), 'discovery: client_secret_basic');

    const jar = new Jar();

    // PKCE is enforced: no code_challenge → error back at the redirect URI.
    const noPkce = await browse(jar, authUrl(disco, { state: 's0', nonce: 'n0' }));
    ok(noPkce.location?.startsWith(REDIRECT_URI) && new URL(noPkce.location).searchParams.get('error') === 'invalid_request',
      'authorization without PKCE is refused (invalid_request)', noPkce.location);

    const user = refreshExpected ? 'bob' : 'alice';
    const state = b64url(randomBytes(12));
    const nonce = b64url(randomBytes(12));
    const { verifier, challenge } = pkce();

    // Login page, wrong password, right password.
    const start = await browse(jar, authUrl(disco, { challenge, state, nonce }));
    const page = await follow(jar, start, issuer);
    ok(page.status === 200 && page.hops[0].startsWith('/interaction/'), `authorization request → login page (${page.hops.join(' → ')})`, page.status);
    ok(page.text.includes('<title>Demo identity provider — sign in</title>'), 'login page: title');
    ok(/<label for="login">Username<\/label>\s*<input id="login" name="login"/.test(page.text), 'login page: Username field name=login');
    ok(/<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/.test(page.text), 'login page: Password field');
    ok(page.text.includes('<button type="submit">Sign in</button>'), 'login page: Sign in button');
    ok(page.text.includes('alice / alice-demo') && page.text.includes('bob / bob-demo'), 'login page: demo users listed');
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(page.text)[1], issuer).href;

    const wrong = await browse(jar, action, { method: 'POST', form: { login: user, password: 'nope' } });
    ok(wrong.status === 200 && wrong.text.includes('Wrong username or password.'), 'wrong password → form again with the error', wrong.status);
    const unknown = await browse(jar, action, { method: 'POST', form: { login: 'mallory', password: 'bob-demo' } });
    ok(unknown.status === 200 && unknown.text.includes('Wrong username or password.'), 'unknown user → error');

    const right = await browse(jar, action, { method: 'POST', form: { login: user, password: `${user}-demo` } });
    const cb = await follow(jar, right, issuer);
    ok(cb.location?.startsWith(`${REDIRECT_URI}?`), `right password → redirect to the callback (${cb.hops.join(' → ')})`, cb.location);
    const cbParams = new URL(cb.location).searchParams;
    const code = cbParams.get('code');
    ok(code && cbParams.get('state') === state, 'callback has code and the same state', cb.location);
    ok(cbParams.get('iss') === issuer, 'callback has iss (RFC 9207)', cbParams.get('iss'));

    // Token exchange.
    const badPkce = await token(disco, { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: verifier }, { auth: `Basic ${Buffer.from(`${CLIENT_ID}:wrong`).toString('base64')}` });
    ok(badPkce.status === 401 && badPkce.json.error === 'invalid_client', 'wrong client secret → invalid_client', badPkce.json);

    const t = await token(disco, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    ok(t.status === 200 && t.json.id_token && t.json.access_token, 'code exchanged (client_secret_basic + code_verifier)', t.json);
    console.log(`     token response keys: ${Object.keys(t.json).join(', ')}; expires_in ${t.json.expires_in}; scope "${t.json.scope}"`);
    const { header, payload } = decodeJwt(t.json.id_token);
    console.log(`     id_token header: ${JSON.stringify(header)}`);
    console.log(`     id_token payload: ${JSON.stringify(payload)}`);
    ok(header.alg === 'RS256', 'id_token is RS256');
    ok(await verifyJwt(t.json.id_token, disco), 'id_token signature verifies with the jwks_uri key');
    const expected = refreshExpected
      ? { sub: 'demo-user-bob', name: 'Bob Demo', preferred_username: 'bob', email: 'bob@example.test', groups: ['research'] }
      : { sub: 'demo-user-alice', name: 'Alice Demo', preferred_username: 'alice', email: 'alice@example.test', groups: ['staff', 'admins'] };
    for (const [k, v] of Object.entries(expected)) ok(JSON.stringify(payload[k]) === JSON.stringify(v), `id_token ${k} = ${JSON.stringify(v)}`, payload[k]);
    ok(payload.nonce === nonce, 'id_token nonce');
    ok(payload.aud === CLIENT_ID, 'id_token aud = client id', payload.aud);
    ok(payload.iss === issuer, 'id_token iss = issuer', payload.iss);
    ok(payload.exp - payload.iat === 3600, 'id_token lifetime 3600 s', payload.exp - payload.iat);

    const ui = await (await fetch(disco.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } })).json();
    ok(JSON.stringify(ui.groups) === JSON.stringify(expected.groups), 'userinfo has groups', ui);

    if (refreshExpected) {
      ok(typeof t.json.refresh_token === 'string', 'refresh_token issued without offline_access');
      const r = await token(disco, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token }, { auth: 'post' });
      ok(r.status === 200 && r.json.access_token && r.json.id_token, 'refresh token exchanged (client_secret_post)', r.json);
      const rp = decodeJwt(r.json.id_token).payload;
      ok(rp.sub === expected.sub && JSON.stringify(rp.groups) === JSON.stringify(expected.groups), 'refreshed id_token has sub and groups');
      console.log(`     refresh response keys: ${Object.keys(r.json).join(', ')}; same refresh_token back: ${r.json.refresh_token === t.json.refresh_token}`);
    } else {
      ok(t.json.refresh_token === undefined, 'OIDC_REFRESH_TOKENS=0: no refresh_token', t.json.refresh_token);
    }

    // A replayed code is refused, and oidc-provider then revokes the whole grant: the
    // tokens issued for the first use of that code stop working too.
    const replay = await token(disco, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    ok(replay.status === 400 && replay.json.error === 'invalid_grant', 'replayed code → invalid_grant', replay.json);
    const revokedUi = await fetch(disco.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } });
    ok(revokedUi.status === 401, 'after the replay the first access token is revoked (userinfo 401)', revokedUi.status);
    if (refreshExpected) {
      const revokedRt = await token(disco, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token });
      ok(revokedRt.json.error === 'invalid_grant', 'after the replay the refresh token is revoked too', revokedRt.json);
    }

    // Single sign-on: a second authorization request goes straight back (no form).
    const sso = pkce();
    const again = await follow(jar, await browse(jar, authUrl(disco, { challenge: sso.challenge, state: 's2', nonce: 'n2' })), issuer);
    ok(again.location?.startsWith(`${REDIRECT_URI}?code=`), 'with a provider session, the next authorization skips the form', again.location);
    const t2 = await token(disco, { grant_type: 'authorization_code', code: new URL(again.location).searchParams.get('code'), redirect_uri: REDIRECT_URI, code_verifier: sso.verifier });
    ok(t2.status === 200 && decodeJwt(t2.json.id_token).payload.sub === (refreshExpected ? 'demo-user-bob' : 'demo-user-alice'), 'second code exchanged', t2.json);
    if (refreshExpected) {
      const live = await token(disco, { grant_type: 'refresh_token', refresh_token: t2.json.refresh_token });
      ok(live.status === 200, 'second refresh token works before logout', live.json);
    }

    // RP-initiated logout (with id_token_hint in the bob run, without in the alice run).
    const lo = new URL(disco.end_session_endpoint);
    lo.search = new URLSearchParams({
      client_id: CLIENT_ID,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
      ...(refreshExpected ? { id_token_hint: t2.json.id_token } : {}),
    });
    const logoutPage = await browse(jar, lo.href);
    ok(logoutPage.status === 200, 'end_session → confirmation page', logoutPage.status);
    const script = /<script>([^<]*)<\/script>/.exec(logoutPage.text)?.[1];
    const csp = logoutPage.headers.get('content-security-policy') || '';
    const scriptHash = script && createHash('sha256').update(script).digest('base64');
    console.log(`     logout page CSP: ${csp}`);
    console.log(`     logout page script: ${script}`);
    ok(script && csp.includes(`'sha256-${scriptHash}'`), 'logout page: the auto-submit script is allowed by the page CSP (hash)');
    ok(script?.includes("getElementById('op.logoutForm').submit()") && logoutPage.text.includes('id="op.logoutForm"'), 'logout page: script submits the form');
    const logoutAction = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(logoutPage.text)?.[1];
    const fields = formFields(logoutPage.text);
    ok(fields.logout === 'yes' && fields.xsrf, 'logout form carries xsrf and logout=yes', fields);
    // What the script does: submit the form.
    const done = await browse(jar, new URL(logoutAction, issuer).href, { method: 'POST', form: fields });
    ok(done.status === 303 && done.location === `${POST_LOGOUT_URI}?state=bye`, 'auto-submitted logout → redirect to the post-logout URI', `${done.status} ${done.location}`);

    const after = pkce();
    const relogin = await follow(jar, await browse(jar, authUrl(disco, { challenge: after.challenge, state: 's3', nonce: 'n3' })), issuer);
    ok(relogin.status === 200 && relogin.text.includes('name="password"'), 'after logout the next authorization shows the login form again', relogin.status);

    if (refreshExpected) {
      const dead = await token(disco, { grant_type: 'refresh_token', refresh_token: t2.json.refresh_token });
      ok(dead.status === 400 && dead.json.error === 'invalid_grant', 'after logout the refresh token of that session is revoked (invalid_grant)', dead.json);
    }
  } finally {
    await stopProvider(p);
    if (p.stderr().trim()) console.log(`     provider stderr:\n${p.stderr().trim().replace(/^/gm, '       ')}`);
  }
}

console.log('# run 1: OIDC_REFRESH_TOKENS=1 (default), user bob');
await flow({ refreshExpected: true });
console.log('# run 2: OIDC_REFRESH_TOKENS=0, user alice');
await flow({ refreshExpected: false });
console.log(failures ? `${failures} check(s) FAILED` : 'all checks passed');
process.exit(failures ? 1 : 0);
