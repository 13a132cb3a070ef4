import { explainerFileSchema, type ExplainerFile, type ExplainerFileInput } from '../../schemas';
import { inputErrorFromZod } from '../input-error';
import { readWorkloadFile } from '../workload-file';

/** Read an explainer file (JSON, or YAML by extension) and validate it; a script path resolves against baseDir. */
export async function loadExplainerFile(path: string): Promise<{ explainer: ExplainerFile; baseDir: string }> {
  const { raw, baseDir } = await readWorkloadFile(path, 'explainer file');
  return { explainer: parseExplainerFile(raw, path), baseDir };
}

/** Validate an explainer given as data; `source` names it in the error (the file it came from). */
export function parseExplainerFile(raw: unknown | ExplainerFileInput, source?: string): ExplainerFile {
  const parsed = explainerFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(source ? `explainer ${source}` : 'explainer', parsed.error.issues);
  return parsed.data;
}
