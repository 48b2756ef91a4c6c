// A real OpenID Provider (npm oidc-provider) for oidcgate's compat tests.
//
//   node provider.js --port 0 --redirect http://127.0.0.1:8080/redirect_uri [--redirect ...]
//
// Listens on 127.0.0.1 only. With --port 0 (or OP_PORT=0) it picks a free
// port. Once listening it prints one line "listening http://127.0.0.1:PORT"
// on stdout. Redirect URIs (the relying parties' callbacks) come from
// --redirect (repeatable) or OP_REDIRECT_URIS (comma-separated); each is also
// registered as a post-logout redirect URI, together with its origin + "/".
//
// Clients: "oidcgate" (secret "secret", client_secret_basic),
// "oidcgate-post" (secret "secret", client_secret_post), "oidcgate-jwt"
// (client_secret_jwt) and "oidcgate-pkjwt" (private_key_jwt with the key
// in ../testdata/pkjwt); "oidcgate-enc-id", "oidcgate-enc-id-kw",
// "oidcgate-ui-sig", "oidcgate-ui-hs" and "oidcgate-ui-enc" get encrypted
// id_tokens and signed or encrypted userinfo (see jweClients). PKCE is allowed but
// not required. Login is the development login form (any password); the
// login name picks a user below. Consent is never asked: loadExistingGrant
// grants every scope and claim. end_session (RP-initiated logout) and
// revocation are enabled.
//
// Back-channel logout (backchannel_test.go): OP_BACKCHANNEL_CLIENTS
// ("id=uri,id=uri") adds a client per entry (secret "secret",
// client_secret_basic) with that backchannel_logout_uri and
// backchannel_logout_session_required (a sid in id_tokens and logout
// tokens), and turns the backchannelLogout feature on. Each logout token
// sent is logged on stderr as "backchannel.success <client>" or
// "backchannel.error <client> <message>".
//
// Resource-server tests (oauth_op_test.go): client "api-client" (secret
// "secret", client_credentials only) gets an access token at the token
// endpoint; with resource=urn:compat:api it is a JWT (RS256, the provider's
// JWKS, aud urn:compat:api, scope limited to "read write"), without a
// resource an opaque token (scopes "read" and "write"). Client "rs" (secret
// "secret") may call the introspection endpoint (opaque tokens only:
// oidc-provider does not introspect JWTs); so may "rs-pkjwt"
// (private_key_jwt, the key of "oidcgate-pkjwt"). Behind a reverse proxy
// that sends X-Forwarded-Proto the provider takes the request's scheme and
// host from it (koa's proxy trust): a client assertion's aud may then be
// the URL the relying party called.
//
// Refresh tests (refresh_op_test.go): client "oidcgate-short-at" (secret
// "secret", client_secret_basic) gets access tokens that live
// OP_SHORT_AT_TTL seconds (default 12) and a new refresh token on every
// refresh grant (rotation; oidc-provider's default policy rotates a
// confidential client's refresh token only past 70% of its lifetime, which
// stays the policy of every other client). A rotated-away refresh token
// used again is refused, and oidc-provider then revokes the whole grant.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import { Provider, errors } from 'oidc-provider';

function args() {
  const out = { port: process.env.OP_PORT || '0', redirects: [] };
  if (process.env.OP_REDIRECT_URIS) out.redirects.push(...process.env.OP_REDIRECT_URIS.split(',').filter(Boolean));
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] === '--port') out.port = a[++i];
    else if (a[i] === '--redirect') out.redirects.push(a[++i]);
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return out;
}

// Claims every user has, in both the id_token and userinfo, unless listed in
// USERINFO_ONLY (only at the userinfo endpoint) or SOURCE_DIFFERS (present in
// both with a different value, to see which source wins).
const USERS = {
  alice: {
    sub: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    name: 'Zoë Ünïcødé 山田',
    given_name: 'Zoë',
    family_name: "O'Brien, Jr.",
    preferred_username: 'alice',
    groups: ['admins', 'users', 'a,b'],
    address: { street_address: '1 Main St', locality: 'Köln', country: 'DE' },
    realm_access: { roles: ['admin', 'user'] },
    'https://example.com/roles': ['editor', 'viewer'],
    age: 42,
    score: 3.25,
    big: 4294967297,
    active: true,
    disabled: false,
    nothing: null,
    empty: '',
    comma: 'x, y',
    empty_list: [],
    phone_number: '+49 221 555 0100',
  },
  bob: {
    sub: 'bob',
    email: 'bob@example.com',
    email_verified: false,
    name: 'Bob Plain',
    preferred_username: 'bob',
    groups: ['users'],
  },
  // Members of seed 004's NATS member area: NATS sends the member's
  // username (OIDCRemoteUserClaim username) and the trial flag
  // (Require claim trial:0 guards the full member area).
  carol: {
    sub: 'carol',
    email: 'carol@example.com',
    email_verified: true,
    username: 'carol',
    trial: 0,
  },
  dave: {
    sub: 'dave',
    email: 'dave@example.com',
    email_verified: true,
    username: 'dave',
    trial: 1,
  },
};
// Only at the userinfo endpoint.
const USERINFO_ONLY = ['phone_number', 'realm_access'];
// In both, with a value naming the source.
const SOURCE_DIFFERS = ['locale'];

const CLAIM_NAMES = [...new Set(Object.values(USERS).flatMap(Object.keys).concat(SOURCE_DIFFERS))];

async function findAccount(ctx, id) {
  const user = USERS[id];
  if (!user) return undefined;
  return {
    accountId: id,
    async claims(use /* , scope, claims, rejected */) {
      const out = { ...user };
      if (use !== 'userinfo') for (const c of USERINFO_ONLY) delete out[c];
      for (const c of SOURCE_DIFFERS) out[c] = use === 'userinfo' ? 'from-userinfo' : 'from-id-token';
      return out;
    },
  };
}

async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) {
    const g = await ctx.oidc.provider.Grant.find(grantId);
    if (g) return g;
  }
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope('openid email profile offline_access');
  grant.addOIDCClaims(CLAIM_NAMES);
  await grant.save();
  return grant;
}

const opts = args();
const redirects = opts.redirects;
const postLogout = [...new Set(redirects.flatMap((r) => [r, `${new URL(r).origin}/`, `${new URL(r).origin}/local`, `${new URL(r).origin}/logged-out`]))];
const client = (id, method, secret = 'secret') => ({
  client_id: id,
  client_secret: secret,
  token_endpoint_auth_method: method,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: redirects,
  post_logout_redirect_uris: postLogout,
});

const backchannelClients = (process.env.OP_BACKCHANNEL_CLIENTS || '').split(',').filter(Boolean).map((kv) => {
  const i = kv.indexOf('=');
  return {
    ...client(kv.slice(0, i), 'client_secret_basic'),
    backchannel_logout_uri: kv.slice(i + 1),
    backchannel_logout_session_required: true,
  };
});
// Client "oidcgate-pkjwt" authenticates with private_key_jwt: its public
// key is the certificate in ../testdata/pkjwt, its kid the one
// mod_auth_openidc derives when OIDCPrivateKeyFiles names none
// (base64url SHA-256 of the modulus and exponent bytes).
function pkjwtJWKS() {
  const pem = fs.readFileSync(new URL('../testdata/pkjwt/client.crt', import.meta.url));
  const jwk = new crypto.X509Certificate(pem).publicKey.export({ format: 'jwk' });
  const fp = Buffer.concat([Buffer.from(jwk.n, 'base64url'), Buffer.from(jwk.e, 'base64url')]);
  return { keys: [{ ...jwk, kid: crypto.createHash('sha256').update(fp).digest('base64url'), use: 'sig', alg: 'RS256' }] };
}
const pkjwtClient = { ...client('oidcgate-pkjwt', 'private_key_jwt'), jwks: pkjwtJWKS() };
delete pkjwtClient.client_secret;

// Clients that get encrypted or signed tokens (jwe_test.go). The public
// key of ../testdata/pkjwt as an encryption key (use "enc"), with the kid
// mod_auth_openidc derives for OIDCPrivateKeyFiles without one: the
// provider names it in the JWE header.
const encJWKS = () => ({ keys: pkjwtJWKS().keys.map((k) => ({ ...k, use: 'enc', alg: 'RSA-OAEP' })) });
const jweClients = [
  // id_token encrypted to the RP's RSA key
  { ...client('oidcgate-enc-id', 'client_secret_basic'), jwks: encJWKS(),
    id_token_encrypted_response_alg: 'RSA-OAEP', id_token_encrypted_response_enc: 'A128CBC-HS256' },
  // id_token encrypted with the key derived from the client secret
  { ...client('oidcgate-enc-id-kw', 'client_secret_basic'),
    id_token_encrypted_response_alg: 'A128KW', id_token_encrypted_response_enc: 'A256GCM' },
  // userinfo as a signed JWT (RS256: the provider's key; HS256: the client secret)
  { ...client('oidcgate-ui-sig', 'client_secret_basic'), userinfo_signed_response_alg: 'RS256' },
  { ...client('oidcgate-ui-hs', 'client_secret_basic', 'secret-for-hs256-userinfo-at-least-32-bytes'), userinfo_signed_response_alg: 'HS256' },
  // userinfo signed, then encrypted to the RP's RSA key
  { ...client('oidcgate-ui-enc', 'client_secret_basic'), jwks: encJWKS(), userinfo_signed_response_alg: 'RS256',
    userinfo_encrypted_response_alg: 'RSA-OAEP', userinfo_encrypted_response_enc: 'A256GCM' },
];

const SHORT_AT_CLIENT = 'oidcgate-short-at';
const SHORT_AT_TTL = Number(process.env.OP_SHORT_AT_TTL || 12);
// oidc-provider 9's default rotateRefreshToken, for every client but SHORT_AT_CLIENT.
function rotateRefreshToken(ctx) {
  const { RefreshToken: refreshToken, Client: c } = ctx.oidc.entities;
  if (c.clientId === SHORT_AT_CLIENT) return true;
  if (refreshToken.totalLifetime() >= 365.25 * 24 * 60 * 60) return false;
  if (c.clientAuthMethod === 'none' && !refreshToken.isSenderConstrained()) return true;
  return refreshToken.ttlPercentagePassed() >= 70;
}

const configuration = {
  clients: [...backchannelClients, client(SHORT_AT_CLIENT, 'client_secret_basic'), client('oidcgate', 'client_secret_basic'), client('oidcgate-post', 'client_secret_post'),
    client('oidcgate-jwt', 'client_secret_jwt', 'secret-for-client-secret-jwt-at-least-32-bytes'),
    pkjwtClient, ...jweClients,
    ...['api-client', 'rs'].map((id) => ({
      client_id: id, client_secret: 'secret', token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    })),
    {
      client_id: 'rs-pkjwt', token_endpoint_auth_method: 'private_key_jwt', jwks: pkjwtJWKS(),
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    }],
  // Every claim in the "openid" scope: mod_auth_openidc's default OIDCScope is "openid".
  claims: { openid: ['sub', ...CLAIM_NAMES.filter((c) => c !== 'sub')] },
  // read and write: api-client's scopes (opaque tokens keep only known scopes).
  scopes: ['openid', 'offline_access', 'read', 'write'],
  // Put the user's claims into the id_token too (so the id_token and userinfo
  // both carry them and "which source wins" can be observed).
  conformIdTokenClaims: false,
  findAccount,
  loadExistingGrant,
  pkce: { required: () => false },
  // A refresh token for every code exchange (no offline_access / prompt=consent dance).
  issueRefreshToken: async () => true,
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    // Dynamic client registration (providers_test.go: OIDCMetadataDir without a .client).
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: backchannelClients.length > 0 },
    claimsParameter: { enabled: true },
    introspection: { enabled: true },
    encryption: { enabled: true },
    jwtUserinfo: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      async getResourceServerInfo(ctx, resourceIndicator) {
        if (resourceIndicator !== 'urn:compat:api') throw new errors.InvalidTarget();
        return { scope: 'read write', audience: 'urn:compat:api', accessTokenFormat: 'jwt', accessTokenTTL: 3600 };
      },
    },
  },
  // HS256-signed userinfo (client "oidcgate-ui-hs") besides the default RS256.
  enabledJWA: { userinfoSigningAlgValues: ['RS256', 'HS256'] },
  rotateRefreshToken,
  ttl: { AccessToken: (ctx, token, c) => (c?.clientId === SHORT_AT_CLIENT ? SHORT_AT_TTL : 3600), IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
  cookies: { keys: ['compat-tests-not-a-secret'] },
  // The relying parties listen on loopback, which oidc-provider's SSRF
  // guard refuses: calls go out without it (logout tokens only).
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
};

// The issuer must carry the port, which is known only once listening: listen
// first, then build the provider and swap the handler in.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handler(req, res));
server.listen(Number(opts.port), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const real = new Provider(issuer, configuration);
  real.proxy = true;
  real.on('server_error', (ctx, err) => console.error('server_error', err));
  real.on('grant.error', (ctx, err) => console.error('grant.error', err.message, err.error_description || ''));
  real.on('authorization.error', (ctx, err) => console.error('authorization.error', err.message, err.error_description || ''));
  real.on('userinfo.error', (ctx, err) => console.error('userinfo.error', err.message, err.error_description || ''));
  real.on('end_session.error', (ctx, err) => console.error('end_session.error', err.message, err.error_description || ''));
  real.on('backchannel.success', (ctx, c) => console.error('backchannel.success', c.clientId));
  real.on('backchannel.error', (ctx, err, c) => console.error('backchannel.error', c.clientId, err.message));
  if (process.env.OP_LOG_REQUESTS) {
    // One line per request on stderr: "op-request {json}" with the method,
    // path, query and form parameters (names and values, in order), the
    // Authorization scheme (Basic with the client id it names, or Bearer)
    // and the Cookie header.
    real.use(async (ctx, next) => {
      await next();
      let auth = ctx.get('authorization') || '';
      const [scheme, cred] = auth.split(' ');
      if (/^basic$/i.test(scheme)) auth = `${scheme} ${Buffer.from(cred || '', 'base64').toString().split(':')[0]}:<secret>`;
      else if (scheme) auth = `${scheme} <${(cred || '').length} chars>`;
      const body = ctx.oidc?.body ? Object.entries(ctx.oidc.body) : [];
      const line = {
        method: ctx.method, path: ctx.path, status: ctx.status, auth,
        query: [...new URLSearchParams(ctx.querystring).entries()], body,
        contentType: ctx.get('content-type') || '', userAgent: ctx.get('user-agent') || '',
        cookie: ctx.get('cookie') || '',
      };
      console.error(`op-request ${JSON.stringify(line)}`);
    });
  }
  handler = real.callback();
  console.log(`listening ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
