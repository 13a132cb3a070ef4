import type * as Schemas from '../schemas';

/**
 * The zod schemas a workload workflow parses its input and its reviewers' updates with, evaluated when first
 * asked for. Every new workflow evaluates again each module it reaches (the reusable V8 context keeps module
 * state per workflow), and building zod schemas is most of that cost; required here rather than imported,
 * they stay out of the generation workflows a campaign starts by the hundred. Everything else workflows
 * import from schemas/ at run time is zod-free (test/unit/workflow-imports.test.ts holds them to it).
 */
export function workloadSchemas(): typeof Schemas {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- evaluated on first use, for the reason above
  return require('../schemas') as typeof Schemas;
}
