import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SubmissionLedger } from '../../activities/submission-ledger';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * An activity runs inside an async context (the SDK's: its logger, heartbeat, timers); a promise made in it
 * carries that context. The ledger keeps entries for as long as their activity may still retry, so what it
 * keeps of a settled POST must not hold the activity's context: at 5 videos/s that was ~10 KB per video.
 */
test('a settled entry keeps the task record, not the async context of the activity that created it', async () => {
  const activityContext = new AsyncLocalStorage<{ activity: object }>();
  const ledger = new SubmissionLedger<{ taskId: string }>([]);
  const key = { id: 'video-1/run-1/1', firstScheduledAt: Date.now(), attempt: 1 };
  let context: WeakRef<object> | undefined;
  await (async () => {
    const activity = { heartbeatDetails: new Array(100_000).fill('x') };
    context = new WeakRef(activity);
    await activityContext.run({ activity }, () => ledger.record(key, () => Promise.resolve({ taskId: 'task-1' })));
  })();
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  expect(context?.deref()).toBeUndefined();
  // What the ledger kept still answers a retry of the same activity.
  expect(await ledger.find({ ...key, attempt: 2 })).toEqual({ taskId: 'task-1' });
});
