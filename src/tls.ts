import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import forge from 'node-forge';
import { UsageError } from './command.js';
import type { Config } from './config.js';

/**
 * `astrolabe tls init`: a private certificate authority and a server certificate it signed, so
 * clients that insist on HTTPS and a fixed host name (the Terraform provider accepts only
 * api.astronomer.io-style hosts) can be pointed at this server. Nothing outside the output folder
 * changes: the command prints what the user must trust and map, and how to undo it.
 */

/** The host the Terraform provider sends its requests to. */
export const DEFAULT_TLS_HOST = 'api.astronomer.io';

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  /** The private key as PKCS#8 PEM, the form Node's TLS reads. */
  pem: string;
}

/** RSA keys come from Node's own generator (fast); forge only builds and signs the certificates. */
function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function certificate(publicKey: forge.pki.rsa.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the first hex digit below 8.
  cert.serialNumber = '0' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

export interface TlsFiles {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** Writes a new CA and a certificate for `hosts` (names or addresses) signed by it into `dir`. */
export function createTlsFiles(dir: string, hosts: string[], days: number): TlsFiles {
  const caKeys = keyPair();
  const ca = certificate(caKeys.publicKey, days);
  const caName = [{ name: 'commonName', value: `Astrolabe local CA (${new Date().toISOString().slice(0, 10)})` }, { name: 'organizationName', value: 'Astrolabe' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = keyPair();
  const cert = certificate(keys.publicKey, days);
  cert.setSubject([{ name: 'commonName', value: hosts[0]! }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: TlsFiles = {
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server-key.pem'),
  };
  fs.writeFileSync(files.caCert, forge.pki.certificateToPem(ca));
  fs.writeFileSync(files.caKey, caKeys.pem, { mode: 0o600 });
  // The chain a client needs to build: the server certificate, then the CA that signed it.
  fs.writeFileSync(files.cert, forge.pki.certificateToPem(cert) + forge.pki.certificateToPem(ca));
  fs.writeFileSync(files.key, keys.pem, { mode: 0o600 });
  return files;
}

/** `astrolabe tls init` (src/cli.ts loads this module only for it). */
export async function tlsInit(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { host: { type: 'string', multiple: true }, out: { type: 'string' }, days: { type: 'string' } },
  });
  const hosts = values.host?.length ? values.host : [DEFAULT_TLS_HOST];
  for (const h of hosts) {
    if (!isIP(h) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(h)) {
      throw new UsageError(`--host ${h} is not a host name or an IP address`);
    }
  }
  const days = values.days === undefined ? 825 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
  const dir = path.resolve(values.out ?? path.join(config.dataDir, 'tls'));
  const all = [...hosts, ...['localhost', '127.0.0.1'].filter((h) => !hosts.includes(h))];
  const f = createTlsFiles(dir, all, days);
  const host = hosts[0]!;
  process.stdout.write(`Created in ${dir}:
  ${f.caCert}       the private CA's certificate: the one thing clients must trust
  ${f.caKey}   the CA's private key (keep it; anyone holding it can impersonate any site to a machine trusting the CA)
  ${f.cert}   certificate for ${all.join(', ')}, valid ${days} days
  ${f.key}   its private key

Start the server with it (HTTPS on port 443 needs the right to bind low ports, e.g. as root or with
setcap cap_net_bind_service on node; or keep PORT=8888 and use a port forward):
  ASTROLABE_TLS_CERT=${f.cert} ASTROLABE_TLS_KEY=${f.key} PORT=443 npm start

Make ${host} resolve to this machine (undo: remove the line again):
  echo '127.0.0.1 ${host}' | sudo tee -a /etc/hosts

Trust the CA, either for one program only (Go programs such as terraform read SSL_CERT_FILE on Linux;
the bundle keeps the usual roots so provider downloads still work):
  cat /etc/ssl/certs/ca-certificates.crt ${f.caCert} > ${path.join(dir, 'bundle.pem')}
  SSL_CERT_FILE=${path.join(dir, 'bundle.pem')} terraform plan
or system-wide on Debian/Ubuntu (undo: delete the file and run update-ca-certificates --fresh):
  sudo cp ${f.caCert} /usr/local/share/ca-certificates/astrolabe-local-ca.crt && sudo update-ca-certificates
or on macOS (undo: remove "Astrolabe local CA" from the System keychain):
  sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${f.caCert}
`);
}
