import { runToolsStep } from './tools-step';

/**
 * `npm run tools` (and the first step of `npm test`): the tools step with the `test` profile: the embedded
 * stack's tools that `npm start` also installs (the same step), plus the production topology's and chromium.
 */
runToolsStep('test').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
