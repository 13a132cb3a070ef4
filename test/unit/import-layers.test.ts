import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The import direction docs/architecture.md draws is a lint rule: these imports, written into files of the
 * rooms named, fail `npm run lint` (the project's own eslint.config.mjs, run through ESLint's API in a
 * process of its own, where ESLint can load an ES module config); the allowed ones pass.
 */
const ROOT = path.resolve(__dirname, '../..');
const RULE = '@typescript-eslint/no-restricted-imports';

interface Probe {
  file: string;
  code: string;
}

/** The layering rule's messages for each probe, linted as if it were that file's text. */
async function layeringMessages(probes: Probe[]): Promise<string[][]> {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({
        cwd: ${JSON.stringify(ROOT)},
        // Only the layering rule: it needs no type information, so no TypeScript program is built.
        ruleFilter: ({ ruleId }) => ruleId === ${JSON.stringify(RULE)},
        overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
      });
      const probes = JSON.parse(process.argv[1]);
      const answers = [];
      for (const probe of probes) {
        const [result] = await eslint.lintText(probe.code, { filePath: probe.file });
        answers.push(result.messages.filter((message) => message.ruleId === ${JSON.stringify(RULE)}).map((message) => message.message));
      }
      process.stdout.write(JSON.stringify(answers));
    })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(probes)], { cwd: ROOT });
  return JSON.parse(stdout) as string[][];
}

test('an import against the direction docs/architecture.md draws fails lint; the allowed ones pass', async () => {
  const wrong: Probe[] = [
    // A workflow reaching up into the client.
    {
      file: 'workflows/generation/credit-book.ts',
      code: "import { RunwayTemporal } from '../../client';\nexport const x = RunwayTemporal;\n",
    },
    // A workflow importing activity code as a value (only `import type` is allowed).
    {
      file: 'workflows/activity-stubs.ts',
      code: "import { createDefaultQueueActivities } from '../activities';\nexport const x = createDefaultQueueActivities;\n",
    },
    // One workload's module importing another's.
    {
      file: 'workflows/broll/workflow.ts',
      code: "import { variantWorkflowId } from '../campaign/ids';\nexport const x = variantWorkflowId;\n",
    },
    { file: 'client/explainer/plan.ts', code: "import { describeBrollPlan } from '../broll/plan';\nexport const x = describeBrollPlan;\n" },
    // The generation core importing a workload.
    {
      file: 'workflows/generation/children.ts',
      code: "import { chunkWorkflowId } from '../explainer/ids';\nexport const x = chunkWorkflowId;\n",
    },
    // A benchmark importing a test helper; schemas importing anything of the product.
    { file: 'bench/run.ts', code: "import { startProduct } from '../test/helpers/product';\nexport const x = startProduct;\n" },
    { file: 'schemas/catalog.ts', code: "import { ffmpegPath } from '../infra/ffmpeg';\nexport const x = ffmpegPath;\n" },
  ];
  const allowed: Probe[] = [
    {
      file: 'workflows/activity-stubs.ts',
      code: "import type { DefaultQueueActivities } from '../activities';\nexport type X = DefaultQueueActivities;\n",
    },
    {
      file: 'workflows/broll/workflow.ts',
      code: "import { CreditBook } from '../generation/credit-book';\nexport const x = CreditBook;\n",
    },
    {
      file: 'activities/archive.ts',
      code: "import { generationEndSignal } from '../workflows/messages';\nexport const x = generationEndSignal;\n",
    },
    {
      file: 'bench/run.ts',
      code: "import { startInProcessProduct } from '../scripts/in-process-product';\nexport const x = startInProcessProduct;\n",
    },
  ];
  const answers = await layeringMessages([...wrong, ...allowed]);
  wrong.forEach((probe, index) => {
    expect({ probe: probe.file, messages: answers[index] }).toEqual({ probe: probe.file, messages: [expect.stringContaining('')] });
  });
  expect(answers[0]![0]).toMatch(/workflows\/ imports only workflows, schemas/);
  expect(answers[1]![0]).toMatch(/may only `import type` from activities/);
  expect(answers[2]![0]).toMatch(/a workload imports no other workload's module/);
  expect(answers[4]![0]).toMatch(/the generation core imports no workload/);
  expect(answers.slice(wrong.length)).toEqual(allowed.map(() => []));
}, 60_000);
