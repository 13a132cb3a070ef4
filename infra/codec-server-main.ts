import { codecServerOptionsFromEnv, startCodecServer } from './codec-server';

/** `npm run codec-server`: the Web UI's remote codec, configured from the environment (see codecServerEnvSchema). */
async function main(): Promise<void> {
  const options = codecServerOptionsFromEnv(process.env);
  const server = await startCodecServer({ ...options, log: (line) => console.log(`codec-server: ${line}`) });
  // The URL without the token: the token is a secret and logs are not.
  console.log(`codec server ready on ${server.url} (CORS: ${options.allowedOrigins.join(', ')})`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`codec server: ${signal}, shutting down`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
