import { HeadBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import { createArchive, type ArchiveInput } from '../../activities/archive';
import type { ArchivedObject } from '../../schemas';
import { testActivityDeps } from '../helpers/product';
import { resetSimulator, simulatorStats } from '../helpers/simulator-admin';
import { testStack } from '../helpers/stack';

const deps = testActivityDeps();
const archiveGeneration = createArchive(deps);

async function succeededTask(promptText: string): Promise<string> {
  const { id } = await deps.runway.createTask('text_to_video', { model: 'gen4.5', promptText, ratio: '1280:720', duration: 5 });
  for (let polls = 0; polls < 200; polls++) {
    if ((await deps.runway.getTask(id)).status === 'SUCCEEDED') return id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${id} did not succeed`);
}

function input(runwayTaskId: string, variantId: string): ArchiveInput {
  return {
    generationId: `unit-archive--${variantId}`,
    workloadId: 'unit-archive',
    generationKey: variantId,
    runwayTaskId,
    model: 'gen4.5',
    credits: 0,
    bucket: testStack().s3.bucket,
    prefix: 'unit/',
  };
}

test('streams a multi-part output on sockets pooled outside any activity, hashing what Runway recorded', async () => {
  // Big enough for several parts, backpressure and more than one progress heartbeat.
  await resetSimulator({ outputBytes: 120 * 1024 * 1024 });
  const taskId = await succeededTask('A kite over the dunes');
  // Open a keep-alive socket to the output's origin from no activity at all: undici's global pool hands it
  // to the activity's download next, and its stream callbacks run in this (activity-less) async context.
  const task = await deps.runway.getTask(taskId);
  if (task.status !== 'SUCCEEDED') throw new Error(`task ${taskId} is ${task.status}`);
  const outputUrl = task.output[0]!;
  await (await request(outputUrl, { method: 'HEAD' })).body.dump();
  // The same for the S3 client's sockets: the upload's callbacks (which pull the download on) run there.
  await Promise.all(Array.from({ length: 4 }, () => deps.s3.send(new HeadBucketCommand({ Bucket: testStack().s3.bucket }))));

  const archived = (await new MockActivityEnvironment().run(archiveGeneration, input(taskId, 'pooled'))) as ArchivedObject;
  const recorded = (await simulatorStats()).tasks.find((candidate) => candidate.id === taskId)!;
  expect(archived.key).toBe(`unit/unit-archive/pooled/${taskId}.mp4`);
  expect(archived.sha256).toBe(recorded.outputSha256);
});

test('a multi-part download that breaks off fails as DownloadTruncated and leaves nothing in S3, not even parts', async () => {
  await resetSimulator({
    outputBytes: 24 * 1024 * 1024,
    faults: { rules: [{ match: { promptIncludes: 'broken reel' }, fault: 'truncate_download', times: 1 }] },
  });
  const taskId = await succeededTask('A broken reel of film');
  const failure = await new MockActivityEnvironment().run(archiveGeneration, input(taskId, 'truncated')).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect((failure as ApplicationFailure).type).toBe('DownloadTruncated');
  expect((await simulatorStats()).downloads.truncated).toBe(1);
  const bucket = testStack().s3.bucket;
  await expect(deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `unit/unit-archive/truncated/${taskId}.mp4` }))).rejects.toThrow();
  const pending = await deps.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'unit/unit-archive/truncated/' }));
  expect(pending.Uploads ?? []).toEqual([]);

  // The retry (the fault is spent) archives the whole file.
  const archived = (await new MockActivityEnvironment().run(archiveGeneration, input(taskId, 'truncated'))) as ArchivedObject;
  const recorded = (await simulatorStats()).tasks.find((candidate) => candidate.id === taskId)!;
  expect(archived.bytes).toBe(24 * 1024 * 1024);
  expect(archived.sha256).toBe(recorded.outputSha256);
});
