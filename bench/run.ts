import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArchiveBench } from './archive-bench';
import { runAssemblyBench } from './assembly-bench';
import { DEFAULT_ARGS, isPartialRun, parseBenchArgs, type BenchArgs } from './bench-args';
import type { BenchResults } from './bench-results';
import { startBenchStack, type BenchStack } from './bench-stack';
import { runFloorBench } from './floor-bench';
import { runMakespanBench } from './makespan-bench';
import { bundleProductWorkflows, installBenchRuntime } from './product-workers';
import { reportSections } from './report-sections';
import { writeResults } from './results-file';
import { runScaleProbe } from './scale-probe';
import { runPriorityBench } from './priority-bench';
import { checkTargets } from './target-checks';
import { markdownTable, textTable } from './text-table';

/**
 * `npm run bench`: on a dedicated embedded stack — makespan against the bound and the official
 * SDK in ABBA rounds (median and spread), orchestration cost per video, Temporal's own floor for the
 * same workload, the archive path, a
 * 10,000-variant scale probe. Prints the tables and writes bench/results/<date>.json and latest.md
 * (a partial run: partial.json and partial.md). `--sections` picks the parts; see bench-args.ts.
 */
async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const startedAt = new Date();
  const log = (line: string) => console.log(line);
  const loadAverageAtStart = os.loadavg().map((load) => Math.round(load * 100) / 100);
  installBenchRuntime();
  const bench = await startBenchStack(startedAt, log);
  let results: BenchResults;
  try {
    results = await runSections(bench, args, log);
  } finally {
    await bench.stack.stop();
  }
  // Kept when a section failed (its logs are there); a good run's 1 GB objects would fill the disk run after run.
  fs.rmSync(bench.dataDir, { recursive: true, force: true });
  results = {
    ...results,
    startedAt: startedAt.toISOString(),
    command: commandLine(argv),
    machine: { cpus: os.cpus().length, loadAverageAtStart, node: process.version },
  };
  const sections = reportSections(results);
  for (const section of sections) log(['', `== ${section.title}`, ...textTable(section.rows)].join('\n'));
  const markdown = sections.map((section) => [`**${section.title}**`, '', ...markdownTable(section.rows), ''].join('\n')).join('\n');
  const partial = isPartialRun(args);
  // One section run in full (default rounds) keeps its own dated file, as makespan and floor runs do.
  const alone = args.sections.length === 1 && !args.quick && args.rounds >= DEFAULT_ARGS.rounds ? args.sections[0] : undefined;
  for (const file of writeResults(results, markdown, { startedAt, partial, ...(alone ? { section: alone } : {}) }))
    log(`results: ${path.relative(process.cwd(), file)}`);
  return 0;
}

async function runSections(bench: BenchStack, args: BenchArgs, log: (line: string) => void): Promise<BenchResults> {
  // Only the sections that run workflows need the bundle (half a minute of CPU on a 2-core box).
  const needsBundle = ['makespan', 'scale', 'priority'].some((section) => args.sections.includes(section as BenchArgs['sections'][number]));
  const bundle = needsBundle ? await bundleProductWorkflows() : undefined;
  const makespan = args.sections.includes('makespan')
    ? await runMakespanBench(bench, bundle!, { rounds: args.rounds, variants: args.variants, log })
    : undefined;
  const floor = args.sections.includes('floor')
    ? await runFloorBench(bench, { rounds: args.rounds, variants: args.variants, log })
    : undefined;
  const archive = args.sections.includes('archive') ? await runArchiveBench(bench, { quick: args.quick, log }) : undefined;
  const assembly = args.sections.includes('assembly') ? await runAssemblyBench(bench, { rounds: args.rounds, log }) : undefined;
  const scale = args.sections.includes('scale') ? await runScaleProbe(bench, bundle!, { variants: args.scaleVariants, log }) : undefined;
  const priority = args.sections.includes('priority') ? await runPriorityBench(bench, bundle!, { rounds: args.rounds, log }) : undefined;
  return {
    startedAt: '',
    command: '',
    machine: { cpus: 0, loadAverageAtStart: [], node: '' },
    notes: [
      'One run on a shared 2-core machine: other processes compete for CPU (see machine.loadAverageAtStart), so the figures are noisy.',
      'Contenders run in ABBA order over the rounds; the simulator is reset to the same config (same seed) before each, so the same prompts draw the same generation times.',
      'Makespan ratios and orchestration costs are per round; targets are checked on the median over the rounds, shown with the min–max spread.',
      'Signals per video: SignalExternalWorkflowExecutionInitiated + WorkflowExecutionSignaled events of the videos, the lease pool (during the run) and every run of the campaign, over the videos.',
      'Scale probe: timed from the campaign start to its result (client-side validation and planning excluded); worker CPU is this process (both workers and the client), server CPU the Temporal dev server.',
      'Both contenders generate and archive to S3 (download + streaming upload); the SDK contender holds its limiter only while a task can occupy a Runway slot, as ours does.',
      'Assembly: the activity (S3 in and out, probe, loudness, verify) and the bare ffmpeg concat + mux of the same files alternate round by round after one untimed warm-up of each; the ratio is taken per round.',
      'bound = max(sum/cap, longest) + one poll interval: a lower bound (optimal scheduling on identical slots is NP-hard; the optimum lies between it and LPT).',
    ],
    makespan,
    floor,
    archive,
    scale,
    assembly,
    priority,
    targets: checkTargets(makespan, archive, scale, assembly, priority),
  };
}

function commandLine(argv: string[]): string {
  return `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
