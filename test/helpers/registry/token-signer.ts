// Signs registry bearer tokens (JWT, RS256) the way distribution 2.8's token auth verifies them: x5c chain to a root
// bundle.
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** What the registry's `auth: token:` section needs, and a signer for tokens it will accept. */
export interface TokenSigner {
  readonly issuer: string;
  readonly service: string;
  /** PEM of the self-signed certificate: the registry's `rootcertbundle`. */
  readonly rootCertBundle: string;
  /** A JWT granting `actions` on `repository` for five minutes. */
  sign(subject: string, repository: string, actions: readonly string[]): string;
}

/** Creates an RSA key and a self-signed certificate with `openssl` in `dir`. */
export async function createTokenSigner(
  dir: string,
  issuer = 'rig-test-issuer',
  service = 'rig-test-registry',
): Promise<TokenSigner> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=rig test token signer',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString('base64');
  return {
    issuer,
    service,
    rootCertBundle: certPath,
    sign: (subject, repository, actions) => signJwt(key, certDer, { issuer, service, subject, repository, actions }),
  };
}

interface Grant {
  issuer: string;
  service: string;
  subject: string;
  repository: string;
  actions: readonly string[];
}

function signJwt(key: KeyObject, certDer: string, grant: Grant): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
  const claims = {
    iss: grant.issuer,
    sub: grant.subject,
    aud: grant.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access: grant.actions.length === 0 ? [] : [{ type: 'repository', name: grant.repository, actions: grant.actions }],
  };
  const payload = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${payload}.${sign('sha256', Buffer.from(payload), key).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
