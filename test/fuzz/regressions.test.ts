import { InputError } from '../../client';
import { checkStyleImage } from '../../client/explainer/style-image';
import { unconnectedApi } from '../helpers/fuzz';

/**
 * Inputs the fuzz suites found crashing a parser with something other than an InputError, kept as they were found
 * (the schedule suite's cron strings are in test/unit/cron.test.ts).
 */
const api = unconnectedApi();
afterAll(() => api.close());

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

test('a review, approve or finalize without a project id is refused naming projectId (was a TypeError reading trim)', async () => {
  expect((await refusal(api.broll.approve(undefined as never, ['s01', 's03']))).field).toBe('projectId');
  expect((await refusal(api.broll.review(7 as never, [{ key: 's01', action: 'approve' }]))).field).toBe('projectId');
  expect((await refusal(api.broll.finalize(null as never))).field).toBe('projectId');
});

test('approve with segments that are not a list is refused naming the segments (was a TypeError calling map)', async () => {
  expect((await refusal(api.broll.approve('harbour', 5 as never))).field).toBe('segments');
  expect((await refusal(api.broll.approve('harbour', 's01' as never))).field).toBe('segments');
});

test('a second explainer with an https style image is refused by name, not by a closed shared fetch (was ClientDestroyedError)', async () => {
  const check = () => checkStyleImage('https://?}}0[9@', '/tmp');
  for (let attempt = 0; attempt < 2; attempt++) expect((await refusal(check())).field).toBe('brief.styleImage');
});

test('a file:// style image that is no URL is refused naming brief.styleImage (was a TypeError: Invalid URL)', async () => {
  const error = await refusal(checkStyleImage('file://Z_{%\\:@', '/tmp'));
  expect(error.field).toBe('brief.styleImage');
  expect(error.message).toMatch(/is not a file URL of this machine/);
});
