import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { campaignFileSchema, type CampaignFile, type CampaignFileInput } from '../schemas';
import { InputError, inputErrorFromZod } from './input-error';

export interface LoadedCampaign {
  campaign: CampaignFile;
  /** Relative image paths resolve against the campaign file's folder. */
  baseDir: string;
}

/** Read a campaign file (JSON, or YAML by extension) and validate it. */
export async function loadCampaignFile(path: string): Promise<LoadedCampaign> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('file', `cannot read campaign file ${path}`);
  }
  let raw: unknown;
  try {
    raw = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new InputError(
      'file',
      `${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'JSON/YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return { campaign: parseCampaign(raw), baseDir: dirname(path) };
}

export function parseCampaign(raw: unknown | CampaignFileInput): CampaignFile {
  const parsed = campaignFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod('campaign', parsed.error.issues);
  return parsed.data;
}
