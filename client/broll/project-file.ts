import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { brollProjectFileSchema, type BrollProjectFile, type BrollProjectFileInput } from '../../schemas';
import { InputError, inputErrorFromZod } from '../input-error';

/** Read a B-roll project file (JSON, or YAML by extension) and validate it; the transcript path resolves against baseDir. */
export async function loadBrollProjectFile(path: string): Promise<{ project: BrollProjectFile; baseDir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('file', `cannot read B-roll project file ${path}`);
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
  return { project: parseBrollProject(raw, path), baseDir: dirname(path) };
}

/** Validate a project given as data; `source` names it in the error (the file it came from). */
export function parseBrollProject(raw: unknown | BrollProjectFileInput, source?: string): BrollProjectFile {
  const parsed = brollProjectFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(source ? `B-roll project ${source}` : 'B-roll project', parsed.error.issues);
  return parsed.data;
}
