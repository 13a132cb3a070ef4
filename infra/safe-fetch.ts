import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, Transform, type Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import ipaddr from 'ipaddr.js';
import { Agent, request, type Dispatcher } from 'undici';
import { FailureType } from '../schemas/failures';

/**
 * Every URL the worker fetches on a user's behalf (a prompt image to re-host, a webhook, a photograph by
 * URL) goes through here, so a user's URL cannot make the worker reach its own network: the cloud
 * metadata service, an internal admin page, the Temporal frontend, the S3 server.
 *
 * - https only, on every hop.
 * - The host is resolved by the connection itself, and every address it resolves to is checked before the
 *   socket connects to that same address: no second lookup between check and connect (DNS rebinding).
 *   Loopback, private (RFC 1918), link-local (169.254.169.254), unique-local (fc00::/7), multicast,
 *   unspecified, broadcast, carrier-grade NAT (100.64.0.0/10), reserved and documentation ranges are
 *   refused, and so are their IPv4-mapped and NAT64 IPv6 forms. IPv6 is accepted in global unicast only.
 * - Redirects are followed by hand (GET only), each hop checked again, at most `maxRedirects`.
 * - The body is bounded (`maxBytes`, from Content-Length and while streaming) and typed (`allowedTypes`).
 *
 * A refusal is an ApplicationFailure of type FetchRefused (not retried) naming the host and the reason;
 * no byte is sent to a refused address. `allowPrivate` lifts the address check for a deployment that
 * means it (RUNWAY_REHOST_ALLOW_PRIVATE): every private address, or the listed ranges only.
 */
export interface SafeFetch {
  (url: string, options: SafeFetchOptions): Promise<SafeFetchResponse>;
  /** Closes the pooled connections (a worker's shutdown, a test's end). */
  close(): Promise<void>;
}

export interface SafeFetchOptions {
  /** Refused when Content-Length says more, and the body stream fails once more than this arrived. */
  maxBytes: number;
  /** Media types (no parameters, lower case) a 2xx answer may have; any when omitted. */
  allowedTypes?: readonly string[];
  signal?: AbortSignal;
  /** GET by default. A POST's redirect is returned as it is, never followed with its body. */
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SafeFetchResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The media type without parameters, lower case; '' when the answer names none. */
  contentType: string;
  contentLength?: number;
  /** The URL that answered, after redirects. */
  url: string;
  /** Read it to the end, or destroy it: the connection is held until then. */
  body: Readable;
}

export interface SafeFetchPolicy {
  /** `true`: any private address is allowed; a list: addresses and CIDR ranges allowed although private. */
  allowPrivate?: boolean | readonly string[];
  /** Resolves host names (dns.lookup without); the addresses it answers are the ones checked and connected to. */
  lookup?: LookupFunction;
  /** Certificate authorities trusted instead of Node's defaults (a test's self-signed server). */
  ca?: string | readonly string[];
  maxRedirects?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers a redirect to another origin still carries (anything else may be a credential meant for the first). */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);

/** What an address is when the guard refuses it ('a loopback address', …), or '' for a public unicast address. */
export function addressRefusal(address: string): string {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  return refusalOf(ipaddr.parse(address));
}

/** A fetch function bound to one policy and one connection pool. */
export function createSafeFetch(policy: SafeFetchPolicy = {}): SafeFetch {
  const allowed = allowedRanges(policy.allowPrivate);
  const resolve = policy.lookup ?? (dns.lookup as LookupFunction);
  const dispatcher = new Agent({
    connect: {
      lookup: checkedLookup(resolve, allowed),
      timeout: policy.connectTimeoutMs ?? 10_000,
      ...(policy.ca ? { ca: typeof policy.ca === 'string' ? policy.ca : [...policy.ca] } : {}),
    },
  });
  const limits = {
    allowed,
    dispatcher,
    maxRedirects: policy.maxRedirects ?? 5,
    headersTimeout: policy.headersTimeoutMs ?? 30_000,
    bodyTimeout: policy.bodyTimeoutMs ?? 60_000,
  };
  const safeFetch = (url: string, options: SafeFetchOptions) => fetchFollowing(url, options, limits);
  return Object.assign(safeFetch, { close: () => dispatcher.close() });
}

let strict: SafeFetch | undefined;

/** The policy without exceptions, for callers given none. */
export function strictSafeFetch(): SafeFetch {
  strict ??= createSafeFetch();
  return strict;
}

interface Limits {
  allowed: AllowedRanges;
  dispatcher: Dispatcher;
  maxRedirects: number;
  headersTimeout: number;
  bodyTimeout: number;
}

async function fetchFollowing(url: string, options: SafeFetchOptions, limits: Limits): Promise<SafeFetchResponse> {
  const method = options.method ?? 'GET';
  let current = parseTarget(url);
  let headers = options.headers ?? {};
  let from: URL | undefined;
  for (let redirects = 0; ; redirects++) {
    checkTarget(current, from, limits.allowed);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, {
        dispatcher: limits.dispatcher,
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        headersTimeout: limits.headersTimeout,
        bodyTimeout: limits.bodyTimeout,
      });
    } catch (error) {
      const refusal = findRefusal(error);
      if (refusal) throw refused(current, from, refusal.message, { privateNetwork: true });
      throw error;
    }
    const location = header(response.headers, 'location');
    if (method === 'GET' && REDIRECT_STATUSES.has(response.statusCode) && location) {
      await response.body.dump();
      if (redirects >= limits.maxRedirects) throw refused(current, from, `it redirected more than ${limits.maxRedirects} times`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw refused(current, from, 'it redirected to something that is not a URL');
      }
      if (next.origin !== current.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name.toLowerCase())));
      }
      from = current;
      current = next;
      continue;
    }
    return answer(response, current, from, options);
  }
}

async function answer(
  response: Dispatcher.ResponseData,
  url: URL,
  from: URL | undefined,
  options: SafeFetchOptions,
): Promise<SafeFetchResponse> {
  const contentType = (header(response.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const lengthText = header(response.headers, 'content-length');
  const contentLength = lengthText !== undefined && /^\d+$/.test(lengthText.trim()) ? Number(lengthText) : undefined;
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  if (contentLength !== undefined && contentLength > options.maxBytes) {
    await response.body.dump();
    throw refused(url, from, `it answered ${contentLength} bytes; at most ${options.maxBytes} are accepted`);
  }
  if (ok && options.allowedTypes && !options.allowedTypes.includes(contentType)) {
    await response.body.dump();
    throw refused(url, from, `it answered ${contentType || 'no content type'}; accepted: ${options.allowedTypes.join(', ')}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: response.statusCode,
    headers,
    contentType,
    ...(contentLength !== undefined ? { contentLength } : {}),
    url: url.href,
    body: bounded(response.body, options.maxBytes, url, from),
  };
}

/** The body, failing with FetchRefused once more than `maxBytes` arrived (an answer without Content-Length). */
function bounded(body: Readable, maxBytes: number, url: URL, from: URL | undefined): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(refused(url, from, `its answer passed ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  // Errors reach the limiter's reader; destroying the limiter releases the connection.
  pipeline(body, limiter, () => undefined);
  return limiter;
}

function parseTarget(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw ApplicationFailure.create({ type: FailureType.FetchRefused, nonRetryable: true, message: 'refused to fetch: not a URL' });
  }
}

/** The checks a URL's text allows before any connection: the scheme, and a host given as an address. */
function checkTarget(url: URL, from: URL | undefined, allowed: AllowedRanges): void {
  if (url.protocol !== 'https:') throw refused(url, from, 'only https URLs are fetched');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = refusalUnlessAllowed(host, allowed);
    if (reason) throw refused(url, from, `${host} is ${reason}`, { privateNetwork: true });
  }
}

class AddressRefused extends Error {
  override readonly name = 'AddressRefused';
}

/** dns.lookup's shape, refusing the whole answer when any address in it is refused. */
function checkedLookup(resolve: LookupFunction, allowed: AllowedRanges): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = (Array.isArray(addresses) ? addresses : [{ address: addresses, family: isIP(addresses) }]) as dns.LookupAddress[];
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      for (const { address } of list) {
        const reason = refusalUnlessAllowed(address, allowed);
        if (reason) return callback(new AddressRefused(`${hostname} resolves to ${address}, ${reason}`), '', 0);
      }
      // The checked answer is the one the socket connects to.
      if (options.all) return (callback as unknown as (error: null, addresses: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function findRefusal(error: unknown): AddressRefused | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause instanceof AddressRefused) return cause;
  }
  return undefined;
}

function refused(url: URL, from: URL | undefined, why: string, { privateNetwork = false } = {}): ApplicationFailure {
  // Origins only: a path or query may carry a user's signature or token.
  const where = from ? `${url.origin} (redirected from ${from.origin})` : url.origin;
  const hint = privateNetwork ? '; set RUNWAY_REHOST_ALLOW_PRIVATE to let the worker fetch from private networks' : '';
  return ApplicationFailure.create({
    type: FailureType.FetchRefused,
    nonRetryable: true,
    message: `refused to fetch ${where}: ${why}${hint}`,
  });
}

type AllowedRanges = 'all' | Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

function allowedRanges(allowPrivate: SafeFetchPolicy['allowPrivate']): AllowedRanges {
  if (allowPrivate === true) return 'all';
  return (allowPrivate || []).map((entry) => {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  });
}

function refusalUnlessAllowed(address: string, allowed: AllowedRanges): string {
  const reason = addressRefusal(address);
  if (!reason || allowed === 'all') return '';
  const parsed = ipaddr.process(address);
  return allowed.some((range) => range[0].kind() === parsed.kind() && parsed.match(range)) ? '' : reason;
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_V6 = ipaddr.parseCIDR('64:ff9b::/96');
const REASONS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address (RFC 1918)',
  linkLocal: 'a link-local address (where cloud metadata services such as 169.254.169.254 answer)',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
};

function refusalOf(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') {
    const range = (address as ipaddr.IPv4).range();
    return range === 'unicast' ? '' : (REASONS[range] ?? `a special-purpose address (${range})`);
  }
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const inner = refusalOf(embedded);
    return inner ? `the IPv6 form of ${embedded.toString()}, ${inner}` : '';
  }
  const range = v6.range();
  if (range !== 'unicast') return REASONS[range] ?? `a special-purpose address (${range})`;
  return v6.match(GLOBAL_UNICAST_V6) ? '' : 'outside IPv6 global unicast (2000::/3)';
}

/** The IPv4 address an IPv6 one carries and reaches: IPv4-mapped, IPv4-translated, or the NAT64 well-known prefix. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && !address.match(NAT64_V6)) return undefined;
  const bytes = address.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12));
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
