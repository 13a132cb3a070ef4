import { Command } from 'commander';

export interface DemoOptions {
  /** Leave the stack (and worker) running after the campaign, to explore the Web UI. */
  keep: boolean;
  /** The campaign file to run. */
  file: string;
  /** Allow a real Runway endpoint (spends real credits). */
  live: boolean;
  /** Simulated seconds per real second when this command starts the simulator. */
  timeScale: number;
}

export function parseDemoOptions(argv: string[]): DemoOptions {
  const program = new Command('npm start')
    .description('Bring the embedded stack up, start a worker and run the product-hero campaign')
    .option('--keep', 'leave the stack and the worker running afterwards (Ctrl-C stops them)', false)
    .option('-f, --file <path>', 'campaign file', 'examples/product-hero.json')
    .option('--live', 'allow a real Runway endpoint (RUNWAYML_BASE_URL): spends real credits', false)
    .option('--time-scale <n>', 'simulated seconds per real second for a simulator this command starts', (value) => Number(value), 20)
    .parse(argv);
  return program.opts<DemoOptions>();
}
