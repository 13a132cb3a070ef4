import { ensureChromium } from './browser';
import { ensureFfmpeg } from './ffmpeg';
import { ensureTools } from './tools';

/** `npm run tools`: make sure the Temporal CLI and the S3 server exist (builds them on first run), ffmpeg for the simulator and the assembly, and chromium for the Web UI test. */
async function main(): Promise<void> {
  const tools = await ensureTools();
  console.log(`✔ tools    temporal ${tools.temporalCli}`);
  console.log(`✔ tools    minio    ${tools.s3Server}`);
  const media = ensureFfmpeg();
  console.log(`✔ tools    ffmpeg   ${media.ffmpeg}`);
  console.log(`✔ tools    ffprobe  ${media.ffprobe}`);
  const chromium = ensureChromium();
  if (chromium) console.log(`✔ tools    chromium ${chromium}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
