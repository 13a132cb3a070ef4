import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../client/cli/program';

/**
 * `npm run docs:cli`: the subcommand and flag tables of docs/cli.md, written from the CLI's own commander
 * definition between two markers; a unit test fails when the page and the CLI disagree.
 */

export const cliReferencePage = path.join(__dirname, '..', 'docs', 'cli.md');
const begin = '<!-- cli-reference: begin (npm run docs:cli writes this part) -->';
const end = '<!-- cli-reference: end -->';

export function cliReference(): string {
  const lines: string[] = [];
  const walk = (command: Command, prefix: string): void => {
    for (const sub of command.commands) {
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length > 0) {
        lines.push(`### ${name}`, '', `${sub.description()}.`, '');
        walk(sub, `${name} `);
        continue;
      }
      const args = sub.registeredArguments.map((arg) => {
        const label = `${arg.name()}${arg.variadic ? '…' : ''}`;
        return arg.required ? `<${label}>` : `[${label}]`;
      });
      lines.push(`#### \`${[name, ...args].join(' ')}\``, '', `${sub.description()}.`, '');
      if (sub.options.length === 0) continue;
      lines.push('| flag | meaning |', '| --- | --- |');
      for (const option of sub.options) {
        const notes = [
          option.mandatory ? 'required' : undefined,
          option.argChoices ? `one of ${option.argChoices.join(', ')}` : undefined,
          option.defaultValue !== undefined && option.defaultValue !== false ? `default ${String(option.defaultValue)}` : undefined,
        ].filter(Boolean);
        const meaning = `${option.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
        lines.push(`| \`${option.flags}\` | ${meaning.replace(/\|/g, '\\|')} |`);
      }
      lines.push('');
    }
  };
  walk(buildProgram(), 'runway-temporal ');
  return [begin, '', ...lines, end].join('\n');
}

/** The page with its generated part replaced by what the CLI says now. */
export function withCliReference(page: string): string {
  const from = page.indexOf(begin);
  const to = page.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/cli.md lacks the markers ${begin} … ${end}`);
  return page.slice(0, from) + cliReference() + page.slice(to + end.length);
}

if (require.main === module) {
  fs.writeFileSync(cliReferencePage, withCliReference(fs.readFileSync(cliReferencePage, 'utf8')));
  console.log(`wrote ${path.relative(process.cwd(), cliReferencePage)}`);
}
