import { brollProjectFileSchema, type BrollProjectFile, type BrollProjectFileInput } from '../../schemas';
import { inputErrorFromZod } from '../input-error';
import { readWorkloadFile } from '../workload-file';

/** Read a B-roll project file (JSON, or YAML by extension) and validate it; the transcript path resolves against baseDir. */
export async function loadBrollProjectFile(path: string): Promise<{ project: BrollProjectFile; baseDir: string }> {
  const { raw, baseDir } = await readWorkloadFile(path, 'B-roll project file');
  return { project: parseBrollProjectFile(raw, path), baseDir };
}

/** Validate a project given as data; `source` names it in the error (the file it came from). */
export function parseBrollProjectFile(raw: unknown | BrollProjectFileInput, source?: string): BrollProjectFile {
  const parsed = brollProjectFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(source ? `B-roll project ${source}` : 'B-roll project', parsed.error.issues);
  return parsed.data;
}
