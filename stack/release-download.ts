import { createHash } from 'node:crypto';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DownloadIntegrityError,
  fetchBytes,
  HttpStatusError,
  installVerifiedBinary,
  timeoutsOf,
  type DownloadRequest,
  type DownloadResult,
  type Timeouts,
} from './download';
import type { ReleaseArchive, ToolSpec } from './tool-specs';

const maxArchiveBytes = 200 * 1024 * 1024;
/** Unpacked: the Temporal CLI 1.5.1 binary alone is ~210 MB. */
const maxTarBytes = 512 * 1024 * 1024;

/**
 * Fetches the tool's official release archive for this platform, verifies its sha256 against the
 * release's checksums file (fail closed: no entry or a mismatch installs nothing), extracts the
 * binary and checks it runs as the pinned version. Any failure is reported, never thrown, so the caller can fall back.
 */
export async function downloadRelease(request: DownloadRequest<ToolSpec & { release: ReleaseArchive }>): Promise<DownloadResult> {
  const { spec, destination } = request;
  const env = request.env ?? process.env;
  const release = spec.release;
  const baseUrl = (env[release.baseUrlEnvVar] || release.defaultBaseUrl).replace(/\/+$/, '');
  if (baseUrl === 'off') return { installed: false, reason: `${release.baseUrlEnvVar}=off` };
  const platform = releasePlatform();
  if (!platform) return { installed: false, reason: `no release archive for ${process.platform}/${process.arch}` };
  const archiveName = release.archiveName(release.version, platform.os, platform.arch);
  const releaseUrl = `${baseUrl}/v${release.version}`;
  const timeouts = timeoutsOf(request);
  try {
    const expected = await expectedSha256(releaseUrl, release.checksumNames(release.version), archiveName, timeouts);
    const archive = await fetchBytes(`${releaseUrl}/${archiveName}`, timeouts, maxArchiveBytes);
    const actual = createHash('sha256').update(archive).digest('hex');
    if (actual !== expected)
      throw new DownloadIntegrityError(`${archiveName}: sha256 ${actual} does not match the release's checksum ${expected}`);
    const binary = extractTarGzEntry(archive, spec.binaryName);
    if (!binary) throw new DownloadIntegrityError(`${archiveName} holds no \`${spec.binaryName}\``);
    await installVerifiedBinary(binary, destination, spec.versionCheck);
    return { installed: true, url: `${releaseUrl}/${archiveName}` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof DownloadIntegrityError) request.log?.(`✘ refused the ${spec.displayName} release download: ${reason}`);
    return { installed: false, reason };
  }
}

function releasePlatform(): { os: string; arch: string } | undefined {
  const os = ({ linux: 'linux', darwin: 'darwin' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  return os && arch ? { os, arch } : undefined;
}

async function expectedSha256(releaseUrl: string, checksumNames: string[], archiveName: string, timeouts: Timeouts): Promise<string> {
  let lastError: unknown;
  for (const checksumName of checksumNames) {
    let text: string;
    try {
      text = (await fetchBytes(`${releaseUrl}/${checksumName}`, timeouts, maxArchiveBytes)).toString('utf8');
    } catch (error) {
      // Only a missing asset is worth trying the next name for; an unreachable host is unreachable for all of them.
      if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
      lastError = error;
      continue;
    }
    const sha256 = checksumFor(text, archiveName);
    if (!sha256) throw new DownloadIntegrityError(`${checksumName} lists no checksum for ${archiveName}`);
    return sha256;
  }
  throw new DownloadIntegrityError(`no checksums file in the release (${lastError instanceof Error ? lastError.message : 'none tried'})`);
}

/** `sha256sum` format: `<64 hex>  <name>` (binary mode marks the name with `*`). */
function checksumFor(checksums: string, archiveName: string): string | undefined {
  for (const line of checksums.split('\n')) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line.trim());
    if (match && match[2] === archiveName) return match[1]!.toLowerCase();
  }
  return undefined;
}

/**
 * The bytes of the regular file named `binaryName` (at any depth) in a gzipped tar. A minimal
 * ustar reader (with GNU long names and pax `path`), since no tar library is a dependency;
 * entries are only read, never written to disk under their archive path.
 */
export function extractTarGzEntry(archive: Buffer, binaryName: string): Buffer | undefined {
  const tar = gunzipSync(archive, { maxOutputLength: maxTarBytes });
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(cString(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new DownloadIntegrityError('corrupt tar header');
    const type = String.fromCharCode(header[156]!);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cString(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    const prefix = cString(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0') && path.posix.basename(name) === binaryName) return Buffer.from(body);
  }
  return undefined;
}

function cString(buffer: Buffer, start: number, length: number): string {
  const field = buffer.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}
