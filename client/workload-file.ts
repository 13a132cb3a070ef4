import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from './input-error';

/**
 * A workload file's raw content (JSON, or YAML by extension) and the folder its relative paths (images,
 * transcripts, scripts) resolve against. Every workload reads its file this way; its schema validates it.
 */
export async function readWorkloadFile(path: string, what: string): Promise<{ raw: unknown; baseDir: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('file', `cannot read ${what} ${path}`);
  }
  try {
    const raw: unknown = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
    return { raw, baseDir: dirname(path) };
  } catch (error) {
    throw new InputError(
      'file',
      `${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'JSON/YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}
