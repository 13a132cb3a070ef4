import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ffprobePath } from '../../infra/ffmpeg';
import { s3Client, testStack } from './stack';

const run = promisify(execFile);

/** An assembled MP4 downloaded from the test stack's bucket, hashed and probed by ffprobe, as a player would find it. */
export async function storedMp4(key: string): Promise<{ sha256: string; streams: string[]; durationSeconds: number }> {
  const s3 = s3Client();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stored-mp4-'));
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: testStack().s3.bucket, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    const file = path.join(dir, path.basename(key));
    fs.writeFileSync(file, bytes);
    const { stdout } = await run(ffprobePath(), ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
    const probe = JSON.parse(stdout) as { streams: Array<{ codec_type: string; codec_name: string }>; format: { duration: string } };
    return {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      streams: probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort(),
      durationSeconds: Number(probe.format.duration),
    };
  } finally {
    s3.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
