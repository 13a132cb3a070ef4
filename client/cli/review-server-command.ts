import type { Command } from 'commander';
import { checkReviewBind, DEFAULT_REVIEW_HOST, startReviewServer } from '../review/review-server';
import { InputError } from '../input-error';
import { err, out, withClient } from './with-client';

interface ReviewServerFlags {
  host: string;
  port: string;
  token?: string;
}

/**
 * `broll review-server` and `explainer review-server`: the one review page, serving every workload that
 * awaits review (B-roll projects and explainers), whichever group starts it.
 */
export function registerReviewServerCommand(group: Command): void {
  group
    .command('review-server')
    .description(
      'serve the review page: B-roll projects and explainers awaiting review, each take (and voiceover) playing, approve / reject with a new prompt / redo a voiceover, finalize',
    )
    .option('--host <host>', 'interface to bind; anything but loopback needs a token', DEFAULT_REVIEW_HOST)
    .option('--port <port>', 'port (0: a free one)', '8234')
    .option('--token <token>', 'required on every request (default: REVIEW_TOKEN, or BROLL_REVIEW_TOKEN)')
    .action(async (flags: ReviewServerFlags) => {
      const token = flags.token ?? process.env.REVIEW_TOKEN ?? process.env.BROLL_REVIEW_TOKEN;
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65_535) throw new InputError('--port', `${flags.port} is not a port (0–65535)`);
      checkReviewBind(flags.host, token);
      await withClient(async (api) => {
        const server = await startReviewServer({
          workloads: [api.broll, api.explainers],
          s3: api.options.s3,
          host: flags.host,
          port,
          ...(token ? { token } : {}),
          log: err,
        });
        out(`review page: ${server.url}${token ? ' (token required)' : ''}`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
      });
    });
}
