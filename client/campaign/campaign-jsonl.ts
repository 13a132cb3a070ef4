import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { campaignHeaderSchema, resolveVariantRequest, variantRequestIssues, variantSchema, type CampaignHeader } from '../../schemas';
import type { CampaignSource } from './campaign-plan';
import { InputError } from '../input-error';

/** Bad rows listed in one error at most; the count says how many more. */
const MAX_LISTED_ERRORS = 20;

/**
 * A JSONL campaign: the first line is the header (campaignId, defaults, archive, options), every further
 * non-blank line one variant. Validated in one streaming pass (line by line, never the whole file in
 * memory): every bad row is reported with its line number before anything is staged or started. The
 * variants are read again, line by line, when the campaign is planned.
 */
export async function loadCampaignJsonl(path: string): Promise<{ source: CampaignSource; baseDir: string }> {
  try {
    await access(path);
  } catch {
    throw new InputError('file', `cannot read campaign file ${path}`);
  }
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (line: number, message: string) => {
    problemCount += 1;
    if (problems.length < MAX_LISTED_ERRORS) problems.push(`line ${line}: ${message}`);
  };
  let header: CampaignHeader | undefined;
  const ids = new Set<string>();
  const images = new Set<string>();
  let count = 0;
  let first = true;
  for await (const { line, text } of lines(path)) {
    const isHeader = first;
    first = false;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      problem(line, `not valid JSON: ${(error as Error).message.split('\n')[0]}`);
      if (isHeader) break;
      continue;
    }
    if (isHeader) {
      const parsed = campaignHeaderSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problem(line, `${formatPath(issue.path) || 'header'}: ${issue.message}`);
        break;
      }
      header = parsed.data;
      continue;
    }
    const parsed = variantSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(line, `${formatPath(issue.path) || 'variant'}: ${issue.message}`);
      continue;
    }
    const variant = parsed.data;
    if (ids.has(variant.id)) problem(line, `duplicate variant id "${variant.id}"`);
    ids.add(variant.id);
    const issues = variantRequestIssues(header!.defaults, variant);
    for (const issue of issues) problem(line, `${formatPath(issue.path) || 'variant'}: ${issue.message}`);
    if (issues.length === 0) {
      const image = resolveVariantRequest(header!.defaults, variant).promptImage;
      if (image !== undefined) images.add(image);
    }
    count += 1;
  }
  if (problemCount === 0 && header === undefined) problem(1, 'the first line must be the campaign header');
  if (problemCount === 0 && count === 0) problem(2, 'variants must list at least one variant (one JSON object a line after the header)');
  if (problemCount > 0) {
    const more = problemCount > problems.length ? `\n  … and ${problemCount - problems.length} more` : '';
    const error = new InputError('file', problems.join('; '));
    error.message = `invalid campaign ${path} (${problemCount} problem${problemCount === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}${more}`;
    throw error;
  }
  const validHeader = header!;
  return {
    baseDir: dirname(path),
    source: {
      header: validHeader,
      count,
      images,
      variants: async function* () {
        let header = true;
        for await (const { text } of lines(path)) {
          if (!header) yield variantSchema.parse(JSON.parse(text));
          header = false;
        }
      },
    },
  };
}

/** Non-blank lines with their 1-based numbers, read as a stream. */
async function* lines(path: string): AsyncIterable<{ line: number; text: string }> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of reader) {
      line += 1;
      if (text.trim().length > 0) yield { line, text };
    }
  } finally {
    reader.close();
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}
