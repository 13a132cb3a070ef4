import { ensureTools } from './tools';

/** `npm run tools`: make sure the Temporal CLI and the S3 server exist (builds them on first run). */
async function main(): Promise<void> {
  const tools = await ensureTools();
  console.log(`✔ tools    temporal ${tools.temporalCli}`);
  console.log(`✔ tools    minio    ${tools.s3Server}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
