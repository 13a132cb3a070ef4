import { ensureChromium } from './browser';
import { ensureFfmpeg } from './ffmpeg';
import { ensureProductionTools, type ProductionToolPaths } from './production/tools';
import { ensurePythonTools } from './python-tools';
import { s3ServerSpec, temporalCliSpec } from './tool-specs';
import { ensureTool, type EnsureToolsOptions, type ToolPaths } from './tools';

/**
 * `demo`: what the embedded stack runs on (`npm start`, `npm run stack`): the Temporal CLI, the S3 server, and
 * ffmpeg for the simulator's media. `test`: that, plus the production topology's binaries and PostgreSQL, and
 * chromium for the Web UI test (`npm test`, `npm run tools`).
 */
export type ToolsProfile = 'demo' | 'test';

export interface ToolsStepResult extends ToolPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Only in the `test` profile. */
  production?: ProductionToolPaths;
  /** Only in the `test` profile, and only where chromium could be installed. */
  chromium?: string;
}

/** One or more tools are missing and could not be installed: nothing was started. The message says what to install. */
export class ToolsMissingError extends Error {
  override name = 'ToolsMissingError';
}

/**
 * The one tools step of every command that runs the stack: finds, fetches or builds each tool the profile
 * needs, side by side (downloads, apt-get and Go builds overlap), and prints one line per tool. A tool that
 * cannot be had fails the step, after every other tool has had its chance, so one run names all that is missing.
 */
export async function runToolsStep(profile: ToolsProfile, options: EnsureToolsOptions = {}): Promise<ToolsStepResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const toolOptions = { ...options, log };
  const startedAt = Date.now();
  const [temporalCli, s3Server, media, production, chromium, otio] = await Promise.allSettled([
    ensureTool(temporalCliSpec, toolOptions),
    ensureTool(s3ServerSpec, toolOptions),
    ensureFfmpeg(toolOptions),
    profile === 'test' ? ensureProductionTools(toolOptions) : Promise.resolve(undefined),
    profile === 'test' ? ensureChromium(toolOptions) : Promise.resolve(undefined),
    // OpenTimelineIO, the editors' parser the edit-list tests read EDLs and XML back with.
    profile === 'test' ? Promise.resolve().then(() => ensurePythonTools(toolOptions)) : Promise.resolve(undefined),
  ]);
  const missing: string[] = [];
  const report = (name: string, outcome: PromiseSettledResult<string | undefined>) => {
    if (outcome.status === 'fulfilled') {
      if (outcome.value) log(`✔ tools    ${name.padEnd(18)} ${outcome.value}`);
      return;
    }
    const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    log(`✘ tools    ${name.padEnd(18)} ${reason.split('\n')[0]}`);
    missing.push(`${name}: ${reason}`);
  };
  const field = <T, K extends keyof NonNullable<T>>(outcome: PromiseSettledResult<T>, key: K): PromiseSettledResult<string | undefined> =>
    outcome.status === 'fulfilled' ? { status: 'fulfilled', value: outcome.value?.[key] as string | undefined } : outcome;
  report(temporalCliSpec.binaryName, temporalCli);
  report(s3ServerSpec.binaryName, s3Server);
  report('ffmpeg', field(media, 'ffmpeg'));
  // Both come from one package: a failure is reported once.
  if (media.status === 'fulfilled') report('ffprobe', field(media, 'ffprobe'));
  if (profile === 'test') {
    report('temporal-server', field(production, 'temporalServer'));
    report('temporal-sql-tool', field(production, 'sqlTool'));
    report('temporal-ui-server', field(production, 'uiServer'));
    report('postgres', field(production, 'postgresBinDir'));
    report('chromium', chromium);
    report('opentimelineio', otio);
  }
  if (missing.length > 0)
    throw new ToolsMissingError(`stopped before starting anything; install what is missing:\n  ${missing.join('\n  ')}`);
  log(`✔ tools    ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  const value = <T>(outcome: PromiseSettledResult<T>): T => (outcome as PromiseFulfilledResult<T>).value;
  return {
    temporalCli: value(temporalCli),
    s3Server: value(s3Server),
    ...value(media),
    ...(value(production) ? { production: value(production) } : {}),
    ...(value(chromium) ? { chromium: value(chromium) } : {}),
  };
}
