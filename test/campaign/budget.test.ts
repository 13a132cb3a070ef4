import type { CampaignFileInput, CampaignResult, GenerationFailureBilling } from '../../schemas';
import { FAST_OPTIONS, startProduct, type RunningProduct } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { failureOf } from '../helpers/failure';

// gen4.5 costs 12 credits per second: 60 per 5 s submission.
const PER_SUBMISSION = 60;
let product: RunningProduct;

beforeAll(async () => {
  product = await startProduct({ name: 'budget', cap: 10 });
});
afterAll(async () => {
  await product.stop();
});

function campaign(campaignId: string, prompts: string[], options: CampaignFileInput['options'] = {}): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: 'gen4.5', ratio: '1280:720', duration: 5 },
    variants: prompts.map((promptText, index) => ({ id: `v${index + 1}`, promptText })),
    options: { ...FAST_OPTIONS, ...options },
  };
}

/** Run a campaign and compare its reported spend (result and progress query) with the simulator's net bill. */
async function runAndCompare(name: string, file: CampaignFileInput): Promise<{ result: CampaignResult; posts: number; net: number }> {
  const started = await product.api.campaigns.start(file);
  const result = await product.api.campaigns.waitForResult(started.campaignId);
  const progress = await product.api.campaigns.progress(started.campaignId);
  const stats = await simulatorStats();
  const budget = file.options?.budgetCredits;
  console.log(
    `${name}: budget ${budget}, submissions ${stats.submissions.total}, billed net ${stats.credits.net} (charged ${stats.credits.charged}, refunded ${stats.credits.refunded}), reported ${result.credits} (progress ${progress.creditsSpent}, reserved ${progress.creditsReserved})`,
  );
  expect(result.credits).toBe(stats.credits.net);
  expect(progress.creditsSpent).toBe(stats.credits.net);
  expect(progress.creditsReserved).toBe(0);
  if (budget !== undefined) expect(result.credits).toBeLessThanOrEqual(budget);
  return { result, posts: stats.submissions.total, net: stats.credits.net };
}

test('BAD_OUTPUT resubmissions count: one that then succeeds, one whose retry fails too', async () => {
  await resetSimulator({
    faults: {
      rules: [
        { match: { promptIncludes: 'bad-once' }, fault: 'bad_output', times: 1 },
        { match: { promptIncludes: 'bad-twice' }, fault: 'bad_output', times: 2 },
      ],
    },
  });
  const { result, posts, net } = await runAndCompare(
    'bad output',
    campaign('budget-bad-output', ['A sunrise, bad-once', 'A sunset, bad-twice'], { budgetCredits: 300, maxSubmissions: 2 }),
  );
  expect(posts).toBe(4);
  expect(net).toBe(4 * PER_SUBMISSION);
  const [once, twice] = result.variants;
  expect(once).toMatchObject({ state: 'archived', credits: 2 * PER_SUBMISSION });
  expect(twice).toMatchObject({ state: 'failed', credits: 2 * PER_SUBMISSION, error: { type: 'GenerationFailed' } });
}, 90_000);

test('a SAFETY refusal is billed and counted as spent', async () => {
  await resetSimulator();
  const { result, posts, net } = await runAndCompare(
    'safety',
    campaign('budget-safety', ['A calm lake', 'A forbidden-content scene'], { budgetCredits: 200 }),
  );
  expect(posts).toBe(2);
  expect(net).toBe(2 * PER_SUBMISSION);
  expect(result.variants[1]).toMatchObject({ state: 'failed', credits: PER_SUBMISSION, error: { type: 'ContentModeration' } });
}, 90_000);

test('a stuck task DELETEd from the queue is refunded: not spent, and its reservation does not block the resubmission', async () => {
  await resetSimulator({
    queueFailAfterSeconds: null,
    faults: { rules: [{ match: { promptIncludes: 'stuck' }, fault: 'stuck_queue', times: 1 }] },
  });
  // Two submissions' worth: the stuck one's reservation must be released for its resubmission to fit.
  const { result, posts, net } = await runAndCompare(
    'stuck queue',
    campaign('budget-stuck', ['A stuck tram', 'A moving tram'], { budgetCredits: 2 * PER_SUBMISSION, maxPendingWait: '1500ms' }),
  );
  const stats = await simulatorStats();
  expect(posts).toBe(3);
  expect(stats.deletes).toBeGreaterThanOrEqual(1);
  expect(stats.credits.refunded).toBe(PER_SUBMISSION);
  expect(net).toBe(2 * PER_SUBMISSION);
  expect(result.archived).toBe(2);
  expect(result.variants[0]).toMatchObject({ credits: PER_SUBMISSION, result: { submissions: 2 } });
}, 90_000);

test('a budget of exactly 3 submissions: 3 are sent and billed, the 4th is refused with BudgetExceeded before its POST', async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'always-bad' }, fault: 'bad_output' }] } });
  const { result, posts, net } = await runAndCompare(
    'exact budget',
    campaign('budget-exact', ['A fountain, always-bad'], { budgetCredits: 3 * PER_SUBMISSION, maxSubmissions: 5 }),
  );
  expect(posts).toBe(3);
  expect(net).toBe(3 * PER_SUBMISSION);
  expect(result.variants[0]).toMatchObject({ state: 'failed', credits: 3 * PER_SUBMISSION, error: { type: 'BudgetExceeded' } });
}, 90_000);

test("a single video's options.budgetCredits is honoured: the submission past it is refused before its POST", async () => {
  await resetSimulator({ faults: { rules: [{ match: { promptIncludes: 'solo-bad' }, fault: 'bad_output' }] } });
  const handle = await product.api.generations.startVideo({
    videoId: 'budget-solo',
    model: 'gen4.5',
    promptText: 'A lighthouse, solo-bad',
    ratio: '1280:720',
    duration: 5,
    options: { ...FAST_OPTIONS, maxSubmissions: 5, budgetCredits: 2 * PER_SUBMISSION + 30 },
  });
  const failure = await failureOf(product.api.generations.waitForResult(handle.workflowId));
  const stats = await simulatorStats();
  const billing = failure.details?.[0] as GenerationFailureBilling;
  console.log(
    `single video: budget ${2 * PER_SUBMISSION + 30}, submissions ${stats.submissions.total}, billed net ${stats.credits.net}, reported ${billing.credits}`,
  );
  expect(failure.type).toBe('BudgetExceeded');
  expect(stats.submissions.total).toBe(2);
  expect(billing.credits).toBe(stats.credits.net);
  expect(billing.submissionHistory).toHaveLength(2);
}, 90_000);

test("a single video's budget below one submission's estimate is refused at validation", async () => {
  await resetSimulator();
  await expect(
    product.api.generations.startVideo({
      videoId: 'budget-too-small',
      model: 'gen4.5',
      promptText: 'A kite',
      ratio: '1280:720',
      duration: 5,
      options: { budgetCredits: 50 },
    }),
  ).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/budgetCredits.*50.*60 credits/s) });
  expect((await simulatorStats()).submissions.total).toBe(0);
});
