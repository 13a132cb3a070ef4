import { campaignFileSchema, type CampaignFile, type CampaignFileInput } from '../../schemas';
import { inputErrorFromZod } from '../input-error';
import { readWorkloadFile } from '../workload-file';

export interface LoadedCampaign {
  campaign: CampaignFile;
  /** Relative image paths resolve against the campaign file's folder. */
  baseDir: string;
}

/** Read a campaign file (JSON, or YAML by extension) and validate it. */
export async function loadCampaignFile(path: string): Promise<LoadedCampaign> {
  const { raw, baseDir } = await readWorkloadFile(path, 'campaign file');
  return { campaign: parseCampaignFile(raw), baseDir };
}

export function parseCampaignFile(raw: unknown | CampaignFileInput): CampaignFile {
  const parsed = campaignFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod('campaign', parsed.error.issues);
  return parsed.data;
}
