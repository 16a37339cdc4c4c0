// Interoperability: keel's access tokens checked by jose (createRemoteJWKSet
// on keel's /.well-known/jwks.json, jwtVerify), across a key rotation
// (keel-admin keys new + SIGHUP); and forgeries that both jose and keel must
// refuse: a token re-signed with a key not in the set, alg "none", HS256
// with the public key as the HMAC secret, EdDSA with a wrong kid.
//
// Starts its own keel on 127.0.0.1 (port 0) with a fresh data dir, and
// stops it; the whole run is bounded by a 60 s timer.
// Usage: node jose_interop.mjs BUILD_DIR NPM_PREFIX
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [build, prefix] = process.argv.slice(2);
const jose = createRequire(path.join(prefix, 'package.json'))('jose');

let keel = null;
const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-jose-'));
let checks = 0;

function cleanup() {
  if (keel !== null && keel.exitCode === null) keel.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
function fail(why) {
  console.error(`jose_interop: FAIL: ${why}`);
  cleanup();
  process.exit(1);
}
function check(ok, what) {
  if (!ok) fail(what);
  ++checks;
}
setTimeout(() => fail('timed out after 60 s'), 60000);

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const json64 = (obj) => b64u(JSON.stringify(obj));

function startKeel() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KEEL_')));
  keel = spawn(path.join(build, 'keel'), [
    '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--threads', '1',
    '--argon2-ops', '1', '--argon2-mem-kib', '64', '--signup-rate', '0', '--log-level', 'warn',
  ], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    keel.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    keel.on('exit', (code, signal) => reject(new Error(`keel exited early: ${code ?? signal}`)));
  });
}

async function request(base, method, url, body, token) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const r = await fetch(base + url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const kidOf = (token) => jose.decodeProtectedHeader(token).kid;
const payloadOf = (token) => token.split('.')[1];

// A token over `header` and `payload64` with an Ed25519 private key.
function edToken(header, payload64, privateKey) {
  const input = `${json64(header)}.${payload64}`;
  return `${input}.${b64u(sign(null, Buffer.from(input), privateKey))}`;
}

// keel's private key, from its key file (a raw 32-byte seed), as PKCS #8.
function keelPrivateKey(kid) {
  const seed = readFileSync(path.join(dataDir, 'keys', `${kid}.key`));
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

async function main() {
  const base = await startKeel();
  const jwksUrl = new URL(`${base}/.well-known/jwks.json`);
  // cooldownDuration 0: refetch at once on an unknown kid, as after a
  // rotation (jose's default waits 30 s between fetches).
  const JWKS = jose.createRemoteJWKSet(jwksUrl, { cooldownDuration: 0 });
  const verify = (token) => jose.jwtVerify(token, JWKS, { issuer: 'keel', algorithms: ['EdDSA'] });
  const me = async (token) => (await request(base, 'GET', '/api/users/me', undefined, token)).status;
  async function refused(token, what) {
    let verified = false;
    try {
      await verify(token);
      verified = true;
    } catch (e) {
      check(typeof e.code === 'string' && e.code.startsWith('ERR_J'), `${what}: jose error ${e}`);
    }
    check(!verified, `${what}: jose accepted it`);
    check((await me(token)) === 401, `${what}: keel did not answer 401`);
  }

  const email = 'ada@example.com', password = 'interop-password-1';
  const signup = await request(base, 'POST', '/api/users', { email, name: 'Ada', password });
  check(signup.status === 201, `sign-up: ${signup.status}`);
  const login = async () => {
    const r = await request(base, 'POST', '/api/auth/login', { email, password });
    check(r.status === 200, `login: ${r.status}`);
    return r.body.access_token;
  };

  // keel's token, verified by jose from the published keys.
  const t1 = await login();
  const kid1 = kidOf(t1);
  const v1 = await verify(t1);
  check(v1.protectedHeader.alg === 'EdDSA' && v1.protectedHeader.kid === kid1, 'header of t1');
  check(v1.payload.sub === String(signup.body.id) && v1.payload.role === 'user', 'claims of t1');
  check(v1.payload.exp - v1.payload.iat === 900, 'exp - iat');

  // Rotation: a new key, SIGHUP, and jose follows.
  const kid2 = execFileSync(path.join(build, 'keel-admin'), ['--data-dir', dataDir, 'keys', 'new'],
    { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  keel.kill('SIGHUP');
  let kids = [];
  for (let i = 0; i < 250 && kids.length !== 2; ++i) {
    kids = (await request(base, 'GET', '/.well-known/jwks.json')).body.keys.map((k) => k.kid);
    if (kids.length !== 2) await new Promise((r) => setTimeout(r, 20));
  }
  check(kids.length === 2 && kids.includes(kid1) && kids.includes(kid2), `JWKS after SIGHUP: ${kids}`);
  const t2 = await login();
  check(kidOf(t2) === kid2, `t2 signed by ${kidOf(t2)}, not the new key ${kid2}`);
  check((await verify(t2)).payload.sub === String(signup.body.id), 't2 verifies');
  check((await verify(t1)).protectedHeader.kid === kid1, 't1 still verifies after the rotation');
  check((await me(t1)) === 200 && (await me(t2)) === 200, 'keel takes both tokens');

  // The forging machinery, checked: keel's own key and kid re-sign a token
  // both sides accept. Every forgery below differs from this in one thing.
  const keelKey = keelPrivateKey(kid2);
  const control = edToken({ alg: 'EdDSA', typ: 'JWT', kid: kid2 }, payloadOf(t2), keelKey);
  check((await verify(control)).payload.sub === String(signup.body.id), 'control: jose');
  check((await me(control)) === 200, 'control: keel');

  // Re-signed with a key that is not in the set, under keel's kid and under
  // a kid of its own.
  const { privateKey: stranger } = generateKeyPairSync('ed25519');
  await refused(edToken({ alg: 'EdDSA', typ: 'JWT', kid: kid2 }, payloadOf(t2), stranger),
    'a key not in the set, with our kid');
  await refused(edToken({ alg: 'EdDSA', typ: 'JWT', kid: 'stranger' }, payloadOf(t2), stranger),
    'a key not in the set, with its own kid');

  // alg none, with and without a signature.
  const noneInput = `${json64({ alg: 'none', typ: 'JWT' })}.${payloadOf(t2)}`;
  await refused(`${noneInput}.`, 'alg none');
  await refused(`${noneInput}.${t2.split('.')[2]}`, 'alg none with a signature');

  // HS256 key confusion: the public key (raw, as its JWK x text, as PEM) as
  // the HMAC secret.
  const jwk = (await request(base, 'GET', '/.well-known/jwks.json')).body.keys.find((k) => k.kid === kid2);
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  for (const [name, secret] of [['raw', Buffer.from(jwk.x, 'base64url')], ['x', jwk.x], ['pem', pem]]) {
    const input = `${json64({ alg: 'HS256', typ: 'JWT', kid: kid2 })}.${payloadOf(t2)}`;
    const mac = createHmac('sha256', secret).update(input).digest();
    await refused(`${input}.${b64u(mac)}`, `HS256 with the public key (${name}) as secret`);
  }

  // EdDSA signed by keel's own key but naming a wrong kid: unknown, and
  // another key's kid.
  await refused(edToken({ alg: 'EdDSA', typ: 'JWT', kid: 'not-a-keel-key' }, payloadOf(t2), keelKey),
    'EdDSA with an unknown kid');
  await refused(edToken({ alg: 'EdDSA', typ: 'JWT', kid: kid1 }, payloadOf(t2), keelKey),
    "EdDSA with the other key's kid");

  keel.kill('SIGTERM');
  const code = await new Promise((resolve) => keel.on('exit', (c) => resolve(c)));
  check(code === 0, `keel exit code ${code}`);
  cleanup();
  console.log(`jose_interop: ${checks} checks passed (jose ${jose.cryptoRuntime})`);
  process.exit(0);
}

main().catch((e) => fail(e.stack ?? String(e)));
