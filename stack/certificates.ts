import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A PEM certificate and its private key. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for (its subjectAltName). */
  hosts?: readonly string[];
  /** `server`: TLS server authentication; `client`: TLS client authentication (mTLS); both: a cluster node's. */
  usage: 'server' | 'client' | 'server-and-client';
  days?: number;
}

/** A private certificate authority: its own certificate, and the certificates it signs. */
export interface CertificateAuthority extends CertificatePair {
  issue(options: IssueOptions): CertificatePair;
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * A fresh certificate authority (RSA 2048, SHA-256) for a deployment that has none of its own: the
 * embedded production stack's mTLS, and the tests' HTTPS servers. Certificates are X.509 v3 with the
 * extensions strict verifiers (Go's crypto/tls, rustls) require: a CA with basicConstraints and keyCertSign,
 * leaves with subjectAltName and an extended key usage, a positive serial number.
 */
export function createCertificateAuthority(commonName: string, days = 365): CertificateAuthority {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const attributes = [{ name: 'commonName', value: commonName }];
  const cert = newCertificate(keys.publicKey, days);
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    issue: (options) => issue(cert, keys.privateKey, options),
  };
}

function issue(ca: forge.pki.Certificate, caKey: forge.pki.rsa.PrivateKey, options: IssueOptions): CertificatePair {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = newCertificate(keys.publicKey, options.days ?? 365);
  cert.setSubject([{ name: 'commonName', value: options.commonName }]);
  cert.setIssuer(ca.subject.attributes);
  const hosts = options.hosts ?? [];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.usage !== 'client', clientAuth: options.usage !== 'server' },
    ...(hosts.length > 0
      ? [{ name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })) }]
      : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

function newCertificate(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the first byte's high bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  // An hour back, so a peer whose clock runs a little behind still accepts it.
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  return cert;
}
