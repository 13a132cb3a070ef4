import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { explainerFileSchema, type ExplainerFile, type ExplainerFileInput } from '../../schemas';
import { InputError, inputErrorFromZod } from '../input-error';

/** Read an explainer file (JSON, or YAML by extension) and validate it; a script path resolves against baseDir. */
export async function loadExplainerFile(path: string): Promise<{ explainer: ExplainerFile; baseDir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('file', `cannot read explainer file ${path}`);
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
  return { explainer: parseExplainerFile(raw, path), baseDir: dirname(path) };
}

/** Validate an explainer given as data; `source` names it in the error (the file it came from). */
export function parseExplainerFile(raw: unknown | ExplainerFileInput, source?: string): ExplainerFile {
  const parsed = explainerFileSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(source ? `explainer ${source}` : 'explainer', parsed.error.issues);
  return parsed.data;
}
