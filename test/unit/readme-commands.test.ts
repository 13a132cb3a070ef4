import fs from 'node:fs';
import path from 'node:path';
import { promptWriterEnvSchema, workerEnvSchema } from '../../schemas/env';
import { cliReferencePage, withCliReference } from '../../scripts/cli-reference';
import { brokenLinks, checkCommand, docPages, linkedPages, repoRoot, shellCommands } from '../helpers/doc-commands';

/** Every command the README and docs/ show runs as written; every relative link they make resolves. */

const read = (page: string): string => fs.readFileSync(path.join(repoRoot, page), 'utf8');

describe('the commands in the README and docs/', () => {
  const commands = docPages().flatMap((page) => shellCommands(read(page), page));

  it('finds the shell blocks (the README alone shows the two commands and each workload’s three)', () => {
    const readme = shellCommands(read('README.md'), 'README.md').map((command) => command.words.join(' '));
    expect(readme).toEqual(expect.arrayContaining(['npm ci', 'npm start', 'npm test']));
    expect(commands.length).toBeGreaterThan(40);
  });

  it('each names a real script, subcommand, flag or file', () => {
    const problems = commands.flatMap(({ where, words }) => {
      const problem = checkCommand(words);
      return problem ? [`${where}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('the README says the test command CI runs', () => {
    expect(read('.ci/run')).toMatch(/^npm test\b/m);
    expect(shellCommands(read('README.md'), 'README.md').some(({ words }) => words.join(' ') === 'npm test')).toBe(true);
  });
});

describe('the command check itself', () => {
  const check = (block: string): (string | undefined)[] =>
    shellCommands('```sh\n' + block + '\n```\n', 'case.md').map(({ words }) => checkCommand(words));

  it('passes what a user can run', () => {
    expect(
      check(
        [
          'npm ci && npm start -- --keep',
          'npm run cli -- campaign start --file examples/product-hero.json --wait --json   # a comment',
          'npx runway-temporal schedule create --file examples/product-hero.json --cron "0 9 * * 1" --overlap buffer_one',
          'npx runway-temporal broll approve saltmarsh-harbour s01 s02',
          'npm run stack -- --production --workers 3',
          'RUNWAY_LIVE=1 npm run smoke:live',
          'bash .ci/run',
          'temporal workflow list --query \'WorkloadId="x"\'',
        ].join('\n'),
      ),
    ).toEqual(Array(9).fill(undefined));
  });

  it('fails a made-up flag, subcommand, script, choice, missing argument or file', () => {
    expect(check('npm run cli -- campaign start --file examples/product-hero.json --turbo')).toEqual([
      expect.stringMatching(/unknown option '--turbo'/),
    ]);
    expect(check('npx runway-temporal campaign launch --file a.json')).toEqual([expect.stringMatching(/unknown command 'launch'/)]);
    expect(check('npx runway-temporal campaign status')).toEqual([expect.stringMatching(/missing required argument/)]);
    expect(check('npx runway-temporal campaign start --wait')).toEqual([expect.stringMatching(/required option '-f, --file/)]);
    expect(check('npx runway-temporal schedule create --file a.json --cron "0 9 * * 1" --overlap sometimes')).toEqual([
      expect.stringMatching(/Allowed choices are skip, buffer_one, allow_all/),
    ]);
    expect(check('npm run deploy-all')).toEqual([expect.stringMatching(/no script "deploy-all"/)]);
    expect(check('npm run stack -- --production --replicas 3')).toEqual([
      expect.stringMatching(/--replicas is not a flag stack\/main.ts reads/),
    ]);
    expect(check('bash .ci/go && tsx scripts/nowhere.ts')).toEqual([
      expect.stringMatching(/no such file/),
      expect.stringMatching(/no such file/),
    ]);
    expect(check('make demo')).toEqual([expect.stringMatching(/not a command/)]);
  });
});

describe('the links in the README, docs/ and bench/results/', () => {
  it('every relative link resolves to a file (and a heading, where it names one)', () => {
    expect(linkedPages().flatMap((page) => brokenLinks(read(page), page))).toEqual([]);
  });

  it('a link to a missing file or heading is reported', () => {
    const page = ['[ok](docs/cli.md)', '[gone](docs/nowhere.md)', '[anchor](README.md#no-such-heading)', '[web](https://temporal.io)'].join(
      '\n\n',
    );
    expect(brokenLinks(page, 'case.md')).toEqual([
      expect.stringMatching(/docs\/nowhere\.md: no such file/),
      expect.stringMatching(/README\.md#no-such-heading: no such heading/),
    ]);
  });
});

describe('the reference pages say what the code does', () => {
  it('docs/cli.md lists exactly the CLI’s subcommands and flags (npm run docs:cli rewrites it)', () => {
    const page = fs.readFileSync(cliReferencePage, 'utf8');
    expect(page).toBe(withCliReference(page));
  });

  it('docs/configuration.md names every variable the code reads', () => {
    const page = read('docs/configuration.md');
    const source = ['schemas', 'infra', 'activities', 'worker', 'client', 'simulator', 'stack', 'scripts', 'bench', 'test/live']
      .flatMap((dir) => fs.readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => read(file))
      .join('\n');
    const read_ = [...source.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)|pathEnvVar: '([A-Z0-9_]+)'/g)].map((match) => match[1] ?? match[2]!);
    const system = new Set(['HOME', 'PATH', 'LANG', 'USER']);
    const names = new Set([...Object.keys(workerEnvSchema.shape), ...Object.keys(promptWriterEnvSchema.shape), ...read_]);
    const missing = [...names].filter((name) => !system.has(name) && !page.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
