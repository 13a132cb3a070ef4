import os from 'node:os';
import fs from 'node:fs';
import { productDataConverter } from '../infra/data-converter';
import { AesGcmPayloadCodec, codecKeysFromEnv, ENCRYPTED_ENCODING, generateCodecKeyEntry } from '../infra/payload-codec';
import { startBenchStack } from './bench-stack';
import { bundleProductWorkflows, installBenchRuntime, startProduct } from './product-workers';
import { textTable } from './text-table';

/**
 * `npm run bench:codec`: what payload encryption costs per video. The same N single videos run in this
 * process (workers + client) with the codec off and on, alternating, for a few rounds; per video: the mean
 * start-to-result latency and this process's CPU (user + system), where the codec's work happens.
 * Generations are short (0.1 s real), so the product's own per-video work dominates, not Runway's wait.
 */
const VIDEOS = Number(process.env.CODEC_BENCH_VIDEOS ?? 16);
const ROUNDS = Number(process.env.CODEC_BENCH_ROUNDS ?? 3);
const OPTIONS = { pollInterval: 100, pollJitter: 0.1, maxPendingWait: '20s', maxRunningWait: '20s', maxSubmissions: 3 } as const;

interface Sample {
  mode: 'off' | 'on';
  round: number;
  wallMs: number;
  latencyMs: number;
  cpuMsPerVideo: number;
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  installBenchRuntime();
  const startedAt = new Date();
  const bench = await startBenchStack(startedAt, log);
  const samples: Sample[] = [];
  let payloadsPerVideo = 0;
  try {
    await bench.sim.reset({ timeScale: 600, pendingSeconds: 6, generationSeconds: { kind: 'fixed', seconds: 60 } });
    const encrypted = productDataConverter(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: generateCodecKeyEntry('bench') }));
    const bundles = { off: await bundleProductWorkflows(), on: await bundleProductWorkflows(encrypted) };
    // A warm-up round, not measured.
    for (let round = 0; round <= ROUNDS; round++) {
      // Alternating which goes first: the first product of a round pays the warm-up.
      for (const mode of round % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const product = await startProduct(bench, {
          name: `codec-${mode}`,
          cap: 10,
          bundle: bundles[mode],
          timeScale: 600,
          ...(mode === 'on' && encrypted ? { dataConverter: encrypted } : {}),
        });
        try {
          const cpuBefore = process.cpuUsage();
          const wallStart = performance.now();
          const latencies = await Promise.all(
            Array.from({ length: VIDEOS }, async (_, index) => {
              const start = performance.now();
              const handle = await product.api.generations.startVideo({
                videoId: `codec-${mode}-${round}-${index}-${startedAt.getTime()}`,
                model: 'gen4.5',
                promptText: `A product shot on a studio table, take ${index + 1}`,
                ratio: '1280:720',
                duration: 5,
                options: OPTIONS,
              });
              await handle.result();
              return performance.now() - start;
            }),
          );
          const cpu = process.cpuUsage(cpuBefore);
          const sample: Sample = {
            mode,
            round,
            wallMs: performance.now() - wallStart,
            latencyMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
            cpuMsPerVideo: (cpu.user + cpu.system) / 1000 / VIDEOS,
          };
          if (round > 0) samples.push(sample);
          log(`round ${round}, codec ${mode}: ${VIDEOS} videos in ${(sample.wallMs / 1000).toFixed(1)} s`);
          if (mode === 'on' && payloadsPerVideo === 0) {
            const history = await product.client.workflow.getHandle(`single--codec-on-${round}-0-${startedAt.getTime()}`).fetchHistory();
            payloadsPerVideo = JSON.stringify(history).split(Buffer.from(ENCRYPTED_ENCODING).toString('base64')).length - 1;
          }
        } finally {
          await product.stop();
        }
      }
    }
  } finally {
    await bench.stack.stop();
  }
  fs.rmSync(bench.dataDir, { recursive: true, force: true });
  const rows = [
    ['codec', 'round', 'videos', 'wall s', 'latency ms / video', 'CPU ms / video'],
    ...samples.map((s) => [
      s.mode,
      String(s.round),
      String(VIDEOS),
      (s.wallMs / 1000).toFixed(2),
      s.latencyMs.toFixed(0),
      s.cpuMsPerVideo.toFixed(1),
    ]),
  ];
  log(['', `== Payload codec cost (${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)})`, ...textTable(rows)].join('\n'));
  // The codec alone, free of the stack's noise: a 2 KB JSON payload (a video's input is about that) encrypted and decrypted.
  const codec = new AesGcmPayloadCodec(codecKeysFromEnv({ PAYLOAD_CODEC_KEYS: generateCodecKeyEntry('micro') })!);
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ text: 'x'.repeat(2000) })) };
  const iterations = 20_000;
  const microStart = performance.now();
  for (let index = 0; index < iterations; index++) await codec.decode(await codec.encode([payload]));
  const microUs = ((performance.now() - microStart) * 1000) / iterations;
  log(
    `codec alone: ${microUs.toFixed(1)} µs per 2 KB payload (encrypt + decrypt); a video's history holds ${payloadsPerVideo} encrypted payloads ` +
      `(heartbeats, queries and task payloads come on top)`,
  );
  for (const metric of ['latencyMs', 'cpuMsPerVideo'] as const) {
    const of = (mode: 'off' | 'on') => samples.filter((s) => s.mode === mode).map((s) => s[metric]);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const spread = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
    log(
      `${metric}: off median ${median(of('off')).toFixed(1)} (${spread(of('off'))}), on median ${median(of('on')).toFixed(1)} (${spread(of('on'))}), ` +
        `difference ${(median(of('on')) - median(of('off'))).toFixed(1)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
