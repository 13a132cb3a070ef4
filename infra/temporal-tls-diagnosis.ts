import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TemporalEnv } from '../schemas/env';

/** The HTTP/2 connection preface: a gRPC server answers it with its SETTINGS, or a TLS alert if it refused us. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Why a connection to Temporal failed, when TLS is the reason: the SDKs only say "failed to connect before the
 * deadline" (the client) or name a rustls error (the worker). One handshake of our own, with the same CA,
 * certificate and key, tells which setting to fix. Undefined when TLS is not the problem (or cannot be told).
 */
export async function diagnoseTemporalTls(config: TemporalEnv): Promise<string | undefined> {
  const target = hostAndPort(config.TEMPORAL_ADDRESS);
  if (!target) return undefined;
  const tlsWanted =
    config.TEMPORAL_TLS === 'true' || config.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined || config.TEMPORAL_API_KEY !== undefined;
  if (!tlsWanted) {
    const speaksTls = await handshake({ ...target, rejectUnauthorized: false }).then((outcome) => outcome.secured);
    return speaksTls
      ? 'the server speaks TLS and this client does not: set TEMPORAL_TLS_SERVER_CA_CERT_PATH (and TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH when it requires client certificates), or TEMPORAL_TLS=true'
      : undefined;
  }
  const ca = config.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const options: tls.ConnectionOptions = {
    ...target,
    ...(ca ? { ca: readFileSync(ca) } : {}),
    ...(config.TEMPORAL_TLS_CLIENT_CERT_PATH ? { cert: readFileSync(config.TEMPORAL_TLS_CLIENT_CERT_PATH) } : {}),
    ...(config.TEMPORAL_TLS_CLIENT_KEY_PATH ? { key: readFileSync(config.TEMPORAL_TLS_CLIENT_KEY_PATH) } : {}),
    ...(config.TEMPORAL_TLS_SERVER_NAME ? { servername: config.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
  const outcome = await handshake(options);
  if (outcome.kind !== 'failed') return undefined;
  const { code = '', message, syscall } = outcome.error as NodeJS.ErrnoException;
  // Refused, reset or unroutable: the network, not TLS.
  if (syscall) return undefined;
  const caSource = ca
    ? `the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH (${ca})`
    : "Node's default CAs (TEMPORAL_TLS_SERVER_CA_CERT_PATH is not set)";
  if (/CERT_HAS_EXPIRED/.test(code)) return "the server's certificate has expired";
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED/.test(code)) {
    return `the server's certificate is not signed by ${caSource} (${message})`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate does not name ${config.TEMPORAL_TLS_SERVER_NAME ?? target.host}: set TEMPORAL_TLS_SERVER_NAME to a name it holds (${message})`;
  }
  if (/certificate required|handshake failure/i.test(message) && !config.TEMPORAL_TLS_CLIENT_CERT_PATH) {
    return 'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
  }
  if (/unknown ca|bad certificate|certificate unknown|certificate required/i.test(message)) {
    return `the server refused the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH (${config.TEMPORAL_TLS_CLIENT_CERT_PATH}): it is not signed by a CA the server trusts (${message})`;
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(message)) {
    return 'the server does not speak TLS on this port: unset TEMPORAL_TLS and the TEMPORAL_TLS_* paths, or point TEMPORAL_ADDRESS at its TLS port';
  }
  return `TLS failed: ${message}`;
}

/** `secured`: the TLS handshake completed (whatever the server said after it). */
type Outcome = ({ kind: 'answered' } | { kind: 'failed'; error: Error } | { kind: 'unknown' }) & { secured?: boolean };

/** A TLS handshake, then the HTTP/2 preface: a server that requires a client certificate says so only after the handshake (TLS 1.3). */
function handshake(options: tls.ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ ...options, ALPNProtocols: ['h2'] });
    let secured = false;
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...outcome, secured });
    };
    const timer = setTimeout(() => finish({ kind: 'unknown' }), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      secured = true;
      socket.write(HTTP2_PREFACE);
    });
    socket.once('data', () => finish({ kind: 'answered' }));
    socket.once('error', (error) => finish({ kind: 'failed', error }));
    socket.once('close', () => finish({ kind: 'unknown' }));
  });
}

function hostAndPort(address: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) return undefined;
  const host = match[1]!;
  // SNI takes names only; an address is verified against the certificate's IP entries without it.
  return { host, port: Number(match[2]), ...(net.isIP(host) ? {} : { servername: host }) };
}
