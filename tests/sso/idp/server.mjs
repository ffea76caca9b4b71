// A real OpenID Connect provider for the SSO tests (npm `oidc-provider`), bound to loopback.
//
//   IDP_CONFIG=/path/config.json IDP_PORT=0 node tests/sso/idp/server.mjs
//   node tests/sso/idp/server.mjs /path/config.json 0
//
// Prints exactly one line `IDP_READY <issuer>` on stdout once it accepts connections.
// Config JSON:
//   {
//     "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//                  "token_endpoint_auth_method": "client_secret_post"}],   // optional, see below
//     "accounts": {"alice": {"password": "...", "preferred_username": "alice",
//                            "email": "...", "name": "...", "groups": ["..."]}}
//   }
// A client's `token_endpoint_auth_method` defaults to `client_secret_post` (what allauth
// picks when discovery offers it); set `client_secret_basic` per client for Basic auth.
// Any other client metadata given is passed through to oidc-provider.
//
// Login happens on our own interaction page (/interaction/:uid): the login is an account id
// (or a preferred_username), the password is `accounts[id].password`. Consent is granted
// automatically for whatever was requested.
//
// Stops on SIGTERM/SIGINT, and when IDP_EXIT_ON_STDIN_EOF=1 also when stdin is closed.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const configPath = process.argv[2] || process.env.IDP_CONFIG;
const portArg = process.argv[3] ?? process.env.IDP_PORT ?? '0';

if (!configPath) {
  console.error('usage: node server.mjs <config.json> [port]  (or IDP_CONFIG / IDP_PORT)');
  process.exit(2);
}
const port = Number.parseInt(portArg, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${portArg}`);
  process.exit(2);
}

const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const accounts = config.accounts || {};
const clients = (config.clients || []).map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  ...client,
}));

const PROFILE_CLAIMS = ['name', 'preferred_username'];
const EMAIL_CLAIMS = ['email', 'email_verified'];

function findAccountId(login) {
  if (Object.hasOwn(accounts, login)) return login;
  for (const [id, account] of Object.entries(accounts)) {
    if (account.preferred_username === login) return id;
  }
  return undefined;
}

function claimsOf(id) {
  const account = accounts[id];
  const claims = { sub: id };
  for (const name of [...PROFILE_CLAIMS, 'email']) {
    if (account[name] !== undefined) claims[name] = account[name];
  }
  if (account.email !== undefined) {
    claims.email_verified = account.email_verified ?? true;
  }
  claims.groups = Array.isArray(account.groups) ? account.groups : [];
  return claims;
}

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: crypto.randomUUID(),
    alg: 'RS256',
    use: 'sig',
  };
}

function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

function loginPage({ action, login = '', error = '', clientId = '' }) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Test IdP</title></head>
<body>
  <main>
    <h1>Sign in</h1>
    <p>to continue to <strong>${escapeHtml(clientId)}</strong></p>
    ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="${escapeHtml(action)}" autocomplete="off">
      <label for="login">Username</label>
      <input id="login" type="text" name="login" value="${escapeHtml(login)}" required autofocus>
      <label for="password">Password</label>
      <input id="password" type="password" name="password" required>
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
`;
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const server = http.createServer();

// IDP_HOST / IDP_ISSUER let docker-compose run it for users: listen on all interfaces
// and announce the issuer URL that both the browser and the portal resolve.
const listenHost = process.env.IDP_HOST || '127.0.0.1';

server.listen(port, listenHost, () => {
  const issuer = process.env.IDP_ISSUER || `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey()] },
    cookies: {
      // Signed cookies; `secure` is only set by oidc-provider when the request is https.
      keys: [crypto.randomBytes(32).toString('hex')],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: PROFILE_CLAIMS,
      email: EMAIL_CLAIMS,
      groups: ['groups'],
    },
    // Put the scope-requested claims in the ID token too, not only in userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: {
      // S256 PKCE is always accepted; only public clients are forced to use it.
      required: (ctx, client) => client.clientAuthMethod === 'none',
    },
    clientBasedCORS: () => false,
    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) return undefined;
      return {
        accountId: sub,
        async claims() {
          return claimsOf(sub);
        },
      };
    },
  });

  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
    provider.on(event, (ctx, err) => {
      console.error(`[idp] ${event}: ${err?.name}: ${err?.message}${err?.error_description ? ` (${err.error_description})` : ''}`);
    });
  }

  // Grant everything that was asked for: the OIDC scopes and claims, resource scopes.
  async function autoGrant(details, accountId) {
    const { params, prompt } = details;
    const consentDetails = prompt.name === 'consent' ? prompt.details : {};

    let grant;
    if (prompt.name === 'consent' && details.grantId) {
      grant = await provider.Grant.find(details.grantId);
    }
    grant ||= new provider.Grant({ accountId, clientId: params.client_id });

    const scope = consentDetails.missingOIDCScope
      ? consentDetails.missingOIDCScope.join(' ')
      : params.scope;
    if (scope) grant.addOIDCScope(scope);

    let claims = consentDetails.missingOIDCClaims;
    if (!claims && params.claims) {
      try {
        const requested = JSON.parse(params.claims);
        claims = [...new Set([
          ...Object.keys(requested.userinfo || {}),
          ...Object.keys(requested.id_token || {}),
        ])];
      } catch {
        claims = undefined;
      }
    }
    if (claims?.length) grant.addOIDCClaims(claims);

    for (const [indicator, scopes] of Object.entries(consentDetails.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }

    return grant.save();
  }

  async function interaction(req, res, uid) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (err) {
      send(res, 400, `<!DOCTYPE html><title>Sign-in expired</title><p>${escapeHtml(err.message)}</p>`);
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, '<!DOCTYPE html><title>Bad request</title><p>interaction mismatch</p>');
      return;
    }
    const action = `/interaction/${details.uid}`;
    const clientId = details.params.client_id;

    if (details.prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      const grantId = await autoGrant(details, accountId);
      await provider.interactionFinished(req, res, { consent: { grantId } }, {
        mergeWithLastSubmission: true,
      });
      return;
    }

    if (details.prompt.name !== 'login') {
      send(res, 400, `<!DOCTYPE html><title>Unsupported</title><p>unsupported prompt ${escapeHtml(details.prompt.name)}</p>`);
      return;
    }

    if (req.method === 'GET') {
      send(res, 200, loginPage({ action, clientId, login: details.params.login_hint || '' }));
      return;
    }

    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST');
      send(res, 405, 'method not allowed', 'text/plain');
      return;
    }

    const form = await readForm(req);
    const login = form.get('login') || '';
    const password = form.get('password') || '';
    const accountId = findAccountId(login);
    const expected = accountId === undefined ? undefined : accounts[accountId].password;
    if (accountId === undefined || typeof expected !== 'string' || password !== expected) {
      send(res, 200, loginPage({
        action, clientId, login, error: 'Invalid username or password',
      }));
      return;
    }

    const grantId = await autoGrant(details, accountId);
    await provider.interactionFinished(req, res, {
      login: { accountId },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  }

  const providerCallback = provider.callback();

  server.on('request', (req, res) => {
    const { pathname } = new URL(req.url, issuer);
    const match = /^\/interaction\/([^/]+)\/?$/.exec(pathname);
    if (!match) {
      providerCallback(req, res);
      return;
    }
    interaction(req, res, match[1]).catch((err) => {
      console.error('[idp] interaction error:', err);
      if (!res.headersSent) {
        send(res, 500, `<!DOCTYPE html><title>Error</title><p>${escapeHtml(err.message)}</p>`);
      } else {
        res.end();
      }
    });
  });

  // Static clients are validated lazily; load them now so a bad config fails at startup.
  Promise.all(clients.map(async ({ client_id: clientId }) => {
    if (!await provider.Client.find(String(clientId))) {
      throw new Error(`client ${clientId} could not be loaded`);
    }
  })).then(() => {
    process.stdout.write(`IDP_READY ${issuer}\n`);
  }, (err) => {
    console.error(`[idp] invalid client configuration: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
    process.exit(1);
  });
});

server.on('error', (err) => {
  console.error(`[idp] server error: ${err.message}`);
  process.exit(1);
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`[idp] ${signal}: shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
// The Python helper keeps our stdin open as a lifeline: when the test process goes away
// (killed, crashed, never called stop()), stdin reaches EOF and we exit instead of lingering.
if (process.env.IDP_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}
process.on('SIGINT', () => shutdown('SIGINT'));
