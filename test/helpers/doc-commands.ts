import fs from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import MarkdownIt from 'markdown-it';
import { parse } from 'shell-quote';
import { buildProgram } from '../../client/cli/program';

/**
 * "Every command in the README and docs runs as written": the shell blocks of a Markdown page, cut into simple
 * commands, and each checked against the truth it names — package.json's scripts, the CLI's own commander
 * definition (parsed by commander itself, so an unknown subcommand or flag, a missing argument or a bad choice
 * fails exactly as it would for a user), the flags a script's entry reads, and the files a command runs.
 */

export const repoRoot = path.resolve(__dirname, '../..');

const shellLanguages = new Set(['sh', 'bash', 'shell', 'console']);

/** Programs a page may name that are not this repository's to check (their own tools). */
const externalPrograms = new Set(['temporal', 'tcld', 'openssl', 'echo', 'curl', 'apt-get', 'ffprobe', 'ffmpeg', 'git', 'cd']);

export interface DocCommand {
  /** Where it is written: page and line. */
  where: string;
  /** The simple command as written (one of a line's `&&`, `;`, `|` or `&` parts). */
  words: string[];
}

/** The Markdown pages whose shell blocks and links are checked: the README and everything under docs/. */
export function docPages(): string[] {
  const docs = fs
    .readdirSync(path.join(repoRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file));
  return ['README.md', ...docs.sort()];
}

/** Pages whose links are checked too: the docs and the measurement reports they link to. */
export function linkedPages(): string[] {
  const results = fs
    .readdirSync(path.join(repoRoot, 'bench', 'results'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('bench', 'results', file));
  return [...docPages(), ...results.sort()];
}

/** Every simple command in a page's sh/bash/shell/console blocks, comments dropped, `\` continuations joined. */
export function shellCommands(markdown: string, page: string): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const token of new MarkdownIt().parse(markdown, {})) {
    if (token.type !== 'fence' || !shellLanguages.has(token.info.trim().split(/\s+/)[0] ?? '')) continue;
    const firstLine = (token.map?.[0] ?? 0) + 2; // the fence's own line is map[0], 0-based
    const lines = token.content.split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const lineNumber = firstLine + index;
      let text = lines[index]!;
      // A line that opens with an ellipsis is an elided fragment of the command above, shown, not run.
      if (text.trimStart().startsWith('…')) continue;
      while ((text.endsWith('\\') || openQuote(text)) && index + 1 < lines.length)
        text = (text.endsWith('\\') ? text.slice(0, -1) : text) + ' ' + lines[(index += 1)]!;
      for (const words of simpleCommands(text)) commands.push({ where: `${page}:${lineNumber}`, words });
    }
  }
  return commands;
}

/** Whether a line ends inside a quoted string, which the shell continues on the next line. */
function openQuote(text: string): boolean {
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quote === undefined && char === '#' && (index === 0 || /\s/.test(text[index - 1]!))) return false; // a comment
    if (char === '\\' && quote !== "'") index += 1;
    else if (quote === undefined && (char === '"' || char === "'")) quote = char;
    else if (char === quote) quote = undefined;
  }
  return quote !== undefined;
}

function simpleCommands(line: string): string[][] {
  // Variables stay as written ("$HOME"): they are the reader's to fill, not ours to expand.
  const entries = parse(line, (name) => `$${name}`);
  const commands: string[][] = [];
  let current: string[] = [];
  let skipNext = false;
  for (const entry of entries) {
    if (typeof entry === 'string') {
      if (skipNext) skipNext = false;
      else current.push(entry);
      continue;
    }
    if ('comment' in entry) break;
    if (!('op' in entry)) continue; // a glob: an argument the reader's shell expands
    if (['>', '>>', '<', '2>', '&>', '>&'].includes(entry.op)) {
      skipNext = true; // a redirection's target is not an argument
      continue;
    }
    if (current.length > 0) commands.push(current);
    current = [];
  }
  if (current.length > 0) commands.push(current);
  // A leading VAR=value sets the environment of the command it precedes.
  return commands.map((words) => dropAssignments(words)).filter((words) => words.length > 0);
}

function dropAssignments(words: string[]): string[] {
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start]!)) start += 1;
  return words.slice(start);
}

/** What is wrong with a command as written, or undefined when it runs as written. */
export function checkCommand(words: string[]): string | undefined {
  const [program, ...args] = words;
  switch (program) {
    case undefined:
      return undefined;
    case 'npm':
      return checkNpm(args);
    case 'npx':
      return checkNpx(args);
    case 'runway-temporal':
      return checkCli(args);
    case 'node':
    case 'tsx':
      return args[0] === '-e' || args[0] === '-p' || args[0] === '--version' ? undefined : fileExists(args[0], program);
    case 'bash':
    case 'sh':
      return fileExists(args[0], program);
    case 'cp':
      return fileExists(
        args.find((arg) => !arg.startsWith('-')),
        'cp',
      );
    case 'docker':
      return checkDocker(args);
    default:
      return externalPrograms.has(program) ? undefined : `${program}: not a command this repository documents`;
  }
}

function packageScripts(): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return manifest.scripts;
}

function checkNpm(args: string[]): string | undefined {
  const [command, ...rest] = args;
  if (command === 'ci') return undefined;
  if (command === 'start' || command === 'test') return checkScript(command, rest);
  if (command === 'run' || command === 'run-script') return checkScript(rest[0], rest.slice(1));
  return `npm ${command ?? ''}: the docs use npm ci, npm start, npm test and npm run <script>`;
}

function checkScript(name: string | undefined, rest: string[]): string | undefined {
  const scripts = packageScripts();
  if (name === undefined || !(name in scripts)) return `npm run ${name ?? ''}: package.json has no script "${name ?? ''}"`;
  if (rest.length === 0) return undefined;
  if (rest[0] !== '--') return `npm run ${name} ${rest.join(' ')}: arguments for the script follow "--"`;
  const args = rest.slice(1);
  if (name === 'cli') return checkCli(args);
  const entry = /^tsx (\S+)$/.exec(scripts[name]!)?.[1];
  // A script that is not one tsx entry (npm test's chain ends in jest) takes its last program's flags.
  return entry ? checkScriptFlags(name, entry, args) : undefined;
}

/**
 * A script's flags, where its entry reads them by hand or through commander: each `--flag` must be written,
 * quoted, in the entry's folder (the entry and the modules beside it that parse its arguments).
 */
function checkScriptFlags(name: string, entry: string, args: string[]): string | undefined {
  const folder = path.join(repoRoot, path.dirname(entry));
  const source = fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => fs.readFileSync(path.join(folder, file), 'utf8'))
    .join('\n');
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const flag = arg.split('=')[0]!;
    if (![`'${flag}`, `"${flag}`, `\`${flag}`].some((quoted) => source.includes(quoted)))
      return `npm run ${name}: ${flag} is not a flag ${entry} reads`;
  }
  return undefined;
}

function checkNpx(args: string[]): string | undefined {
  const [bin, ...rest] = args;
  if (bin === 'runway-temporal') return checkCli(rest);
  if (bin === 'tsx') return fileExists(rest[0], 'npx tsx');
  if (bin === undefined || !fs.existsSync(path.join(repoRoot, 'node_modules', '.bin', bin)))
    return `npx ${bin ?? ''}: no such bin among this repository's dependencies`;
  if (bin === 'jest')
    return rest
      .filter((arg) => !arg.startsWith('-'))
      .map((arg) => fileExists(arg, 'npx jest'))
      .find(Boolean);
  return undefined;
}

function checkDocker(args: string[]): string | undefined {
  // `docker compose exec <service> <command…>` runs one of ours inside the image: check that command.
  if (args[0] === 'compose' && args[1] === 'exec') {
    const rest = args.slice(2);
    let service = 0;
    while (rest[service]?.startsWith('-')) service += 1;
    return checkCommand(rest.slice(service + 1));
  }
  return undefined;
}

function fileExists(file: string | undefined, program: string): string | undefined {
  if (file === undefined) return `${program}: names no file`;
  return fs.existsSync(path.join(repoRoot, file)) ? undefined : `${program} ${file}: no such file in the repository`;
}

/**
 * Parses the arguments with the CLI's own commander program, every action replaced by a no-op: commander
 * itself refuses an unknown subcommand or flag, a missing argument or required flag, an excess argument, a
 * value outside an option's choices, and runs each option's own value parser.
 */
export function checkCli(args: string[]): string | undefined {
  const program = buildProgram();
  let message = '';
  const quiet = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: (text) => (message = text.trim()) });
    if (command.commands.length === 0) command.action(() => {});
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    program.parse(args, { from: 'user' });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError && ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code))
      return undefined;
    return `runway-temporal ${args.join(' ')}: ${message || (error as Error).message}`;
  }
}

/** Every relative link (and image) of a page whose file, or heading anchor, does not exist. */
export function brokenLinks(markdown: string, page: string): string[] {
  const broken: string[] = [];
  const md = new MarkdownIt();
  for (const block of md.parse(markdown, {})) {
    for (const token of block.children ?? []) {
      const target = token.type === 'link_open' ? token.attrGet('href') : token.type === 'image' ? token.attrGet('src') : null;
      if (target === null || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // absolute: https:, mailto:, …
      const [file = '', anchor] = target.split('#');
      const resolved = file === '' ? path.join(repoRoot, page) : path.resolve(path.dirname(path.join(repoRoot, page)), decodeURI(file));
      const line = (block.map?.[0] ?? 0) + 1;
      if (!fs.existsSync(resolved)) broken.push(`${page}:${line}: ${target}: no such file`);
      else if (anchor && resolved.endsWith('.md') && !headingSlugs(fs.readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${page}:${line}: ${target}: no such heading`);
    }
  }
  return broken;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingSlugs(markdown: string): Set<string> {
  const tokens = new MarkdownIt().parse(markdown, {});
  const slugs = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.type !== 'heading_open') return;
    const text = (tokens[index + 1]?.children ?? []).map((child) => child.content).join('');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let slug = base;
    for (let n = 1; slugs.has(slug); n += 1) slug = `${base}-${n}`;
    slugs.add(slug);
  });
  return slugs;
}
