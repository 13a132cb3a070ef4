import path from 'node:path';
import { formatReport, writeReport } from './report';
import { FULL_CHAOS, PRODUCTION_CHAOS, type ChaosOptions } from './options';
import { runChaosScenario } from './scenario';

/**
 * `npm run chaos`: a 50-variant campaign under faults, kills and outages. Prints the table,
 * writes test/chaos/results/latest.json (with --production: production-latest.json), exits 1 when any check fails.
 * Options: --production (the production topology: PostgreSQL, the Temporal server, 3 worker replicas; adds a
 * PostgreSQL crash), --variants N, --cap N, --seed N (defaults: 50, 10, 5).
 */
async function main(argv: string[]): Promise<number> {
  const production = argv.includes('--production');
  const options: ChaosOptions = {
    ...(production ? PRODUCTION_CHAOS : FULL_CHAOS),
    ...parseArgs(argv.filter((arg) => arg !== '--production')),
  };
  const report = await runChaosScenario(options);
  for (const line of formatReport(report)) console.log(line);
  const file = path.resolve(__dirname, 'results', production ? 'production-latest.json' : 'latest.json');
  writeReport({ ...report, command: `npm run chaos${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}` }, file);
  console.log(`report: ${path.relative(process.cwd(), file)}`);
  return report.ok ? 0 : 1;
}

function parseArgs(argv: string[]): Partial<ChaosOptions> {
  const parsed: Partial<ChaosOptions> = {};
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index];
    const value = Number(argv[index + 1]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number`);
    if (flag === '--variants') parsed.variants = value;
    else if (flag === '--cap') parsed.cap = value;
    else if (flag === '--seed') parsed.seed = value;
    else throw new Error(`unknown option ${flag} (known: --production, --variants N, --cap N, --seed N)`);
  }
  return parsed;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
