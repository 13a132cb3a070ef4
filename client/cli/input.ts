import type { CampaignFile } from '../../schemas';
import { loadCampaignFile } from '../campaign/campaign-file';
import { checkCampaignImages } from '../campaign/campaign-plan';
import { InputError } from '../input-error';
import { scheduleOptionsSchema } from '../campaign/schedule-input';
import { checkLocalImage } from '../stage-image';
import { parseVideoStart, type VideoStartRequest } from '../generation-start';

/**
 * Everything a command reads from the user, checked before it connects to Temporal or S3: a wrong path or
 * flag must never hide behind "cannot reach Temporal". The checks are the typed client's own schemas.
 */

/** A campaign file read, validated and its local images checked; nothing staged yet. */
export async function readCampaignFile(file: string): Promise<{ campaign: CampaignFile; baseDir: string }> {
  const loaded = await loadCampaignFile(file);
  await checkCampaignImages(loaded.campaign, loaded.baseDir);
  return loaded;
}

const VIDEO_FLAGS: Record<string, string> = {
  videoId: '--id',
  model: '--model',
  promptText: '--prompt',
  promptImage: '--image',
  ratio: '--ratio',
  duration: '--duration',
  seed: '--seed',
  pollInterval: '--poll-interval',
};

/** `video start`'s flags as startVideo validates them (model catalog included), named by flag. */
export async function checkVideoStart(input: VideoStartRequest): Promise<void> {
  const parts = parseVideoStart(input);
  check(parts.id, VIDEO_FLAGS, 'videoId');
  check(parts.request, VIDEO_FLAGS);
  check(parts.options, VIDEO_FLAGS);
  if (input.promptImage === undefined) return;
  try {
    await checkLocalImage(input.promptImage, process.cwd());
  } catch (error) {
    if (error instanceof InputError) throw new InputError('--image', error.message.replace(/^promptImage: /, ''));
    throw error;
  }
}

const SCHEDULE_FLAGS: Record<string, string> = {
  scheduleId: '--id',
  cron: '--cron',
  every: '--every',
  overlap: '--overlap',
  paused: '--paused',
};

/** `schedule create`'s flags as createSchedule validates them, named by flag. */
export function checkScheduleFlags(options: { scheduleId: string; cron?: string; every?: string; overlap: string; paused: boolean }): void {
  check(scheduleOptionsSchema.safeParse(options), SCHEDULE_FLAGS);
}

type Parsed = { success: true } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };

function check(parsed: Parsed, flags: Record<string, string>, field?: string): void {
  if (parsed.success) return;
  const named = parsed.error.issues.map((issue) => {
    const key = field ?? String(issue.path[0] ?? '');
    return { flag: flags[key] ?? (key || 'input'), message: issue.message };
  });
  const error = new InputError(named[0]!.flag, named[0]!.message);
  error.message = `invalid ${named.map(({ flag, message }) => `${flag}: ${message}`).join('; ')}`;
  throw error;
}
