import { ensureChromium } from './browser';
import { ensureFfmpeg } from './ffmpeg';
import { ensureProductionTools } from './production/tools';
import { ensurePythonTools } from './python-tools';
import { ensureTools } from './tools';

/** `npm run tools`: make sure the Temporal CLI and the S3 server exist (builds them on first run), the production topology's Temporal server, SQL tool, UI server and PostgreSQL, ffmpeg for the simulator and the assembly, and chromium for the Web UI test. */
async function main(): Promise<void> {
  const tools = await ensureTools();
  console.log(`✔ tools    temporal ${tools.temporalCli}`);
  console.log(`✔ tools    minio    ${tools.s3Server}`);
  const production = await ensureProductionTools();
  console.log(`✔ tools    temporal-server    ${production.temporalServer}`);
  console.log(`✔ tools    temporal-sql-tool  ${production.sqlTool}`);
  console.log(`✔ tools    temporal-ui-server ${production.uiServer}`);
  console.log(`✔ tools    postgres           ${production.postgresBinDir}`);
  const media = ensureFfmpeg();
  console.log(`✔ tools    ffmpeg   ${media.ffmpeg}`);
  console.log(`✔ tools    ffprobe  ${media.ffprobe}`);
  console.log(`✔ tools    otio     ${ensurePythonTools()}`);
  const chromium = ensureChromium();
  if (chromium) console.log(`✔ tools    chromium ${chromium}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
