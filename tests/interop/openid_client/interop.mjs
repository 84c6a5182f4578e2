// openid-client v6 (npm) against a running Portico: discovery, dynamic client
// registration (RFC 7591) with an initial access token, client_credentials
// with client_secret_basic and client_secret_post, introspection (RFC 7662)
// and revocation (RFC 7009), the access token checked against jwks_uri.
// Usage: PORTICO_URL=http://127.0.0.1:PORT BOOTSTRAP_TOKEN=… node interop.mjs
// Exits 0 when every step passed; prints what failed otherwise.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';

const server = new URL(process.env.PORTICO_URL);
const initialAccessToken = process.env.BOOTSTRAP_TOKEN;
// Loopback over plain http in the test; production issuers are https.
const insecure = { execute: [client.allowInsecureRequests] };

// Each discovery flavour with one client authentication method: Portico
// holds a client to the method it registered (RFC 7591 §2).
const flavours = [
  { algorithm: 'oauth2', method: 'client_secret_basic', auth: client.ClientSecretBasic },
  { algorithm: 'oidc', method: 'client_secret_post', auth: client.ClientSecretPost },
];
for (const { algorithm, method, auth } of flavours) {
  // Registration discovers the server first, then registers.
  const registered = await client.dynamicClientRegistration(
    server,
    {
      client_name: `interop ${algorithm}`,
      grant_types: ['client_credentials'],
      scope: 'read write',
      token_endpoint_auth_method: method,
    },
    auth(),
    { ...insecure, algorithm, initialAccessToken },
  );
  const metadata = registered.clientMetadata();
  assert.match(metadata.client_id, /^pc_/);
  assert.ok(metadata.client_secret, 'a confidential client gets a secret');
  assert.equal(metadata.token_endpoint_auth_method, method);
  assert.equal(registered.serverMetadata().issuer, process.env.PORTICO_URL);

  const tokens = await client.clientCredentialsGrant(registered, { scope: 'read' });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.scope, 'read');
  assert.ok(tokens.expires_in > 0);

  // The access token is an RFC 9068 JWT signed with a key from jwks_uri.
  const jwks = jose.createRemoteJWKSet(new URL(registered.serverMetadata().jwks_uri));
  const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
    issuer: process.env.PORTICO_URL,
    typ: 'at+jwt',
  });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.equal(payload.client_id, metadata.client_id);

  // A second configuration from discovery alone; no scope asked → all registered.
  const discovered = await client.discovery(server, metadata.client_id, undefined,
                                            auth(metadata.client_secret), { ...insecure, algorithm });
  const more = await client.clientCredentialsGrant(discovered);
  assert.equal(more.scope, 'read write');

  const active = await client.tokenIntrospection(registered, tokens.access_token);
  assert.equal(active.active, true);
  assert.equal(active.client_id, metadata.client_id);
  await client.tokenRevocation(registered, tokens.access_token);
  const revoked = await client.tokenIntrospection(registered, tokens.access_token);
  assert.equal(revoked.active, false);

  // A wrong secret is refused the way RFC 6749 §5.2 says.
  const impostor = await client.discovery(server, metadata.client_id, undefined,
                                          auth('portico_cs_wrong'), { ...insecure, algorithm });
  await assert.rejects(client.clientCredentialsGrant(impostor),
                       (e) => e.error === 'invalid_client' || e.cause?.[0]?.scheme === 'basic');
  console.log(`openid-client ${algorithm} with ${method}: ok`);
}
