export type BenchSection = 'makespan' | 'floor' | 'archive' | 'scale' | 'assembly' | 'priority';

export interface BenchArgs {
  /** Skip the 1 GB archive case and run one makespan round. */
  quick: boolean;
  /** Makespan rounds, contenders in ABBA order (default 3; 1 with --quick). */
  rounds: number;
  sections: BenchSection[];
  /** Variants of the scale probe (default 10,000). */
  scaleVariants: number;
  /** Variants of the makespan campaign (default 100; fewer only to try something out). */
  variants: number;
}

const ALL_SECTIONS: BenchSection[] = ['makespan', 'floor', 'archive', 'scale', 'assembly', 'priority'];

export const DEFAULT_ARGS: Readonly<BenchArgs> = { quick: false, rounds: 3, sections: ALL_SECTIONS, scaleVariants: 10_000, variants: 100 };

/** `npm run bench -- [--quick] [--rounds N] [--sections makespan,floor,archive,scale,assembly,priority] [--scale-variants N] [--variants N]` (--only = --sections) */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { ...DEFAULT_ARGS };
  let roundsGiven = false;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--rounds') {
      args.rounds = wholeNumber(flag, argv[++index]);
      roundsGiven = true;
    } else if (flag === '--scale-variants') args.scaleVariants = wholeNumber(flag, argv[++index]);
    else if (flag === '--variants') args.variants = wholeNumber(flag, argv[++index]);
    else if (flag === '--sections' || flag === '--only') args.sections = sectionsFrom(argv[++index]);
    else
      throw new Error(
        `unknown option ${flag} (known: --quick, --rounds N, --sections ${ALL_SECTIONS.join(',')}, --scale-variants N, --variants N)`,
      );
  }
  if (args.quick && !roundsGiven) args.rounds = 1;
  return args;
}

function wholeNumber(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a whole number >= 1`);
  return value;
}

function sectionsFrom(text: string | undefined): BenchSection[] {
  const names = (text ?? '').split(',').filter(Boolean);
  const unknown = names.filter((name) => !ALL_SECTIONS.includes(name as BenchSection));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--sections takes ${ALL_SECTIONS.join(',')}`);
  return names as BenchSection[];
}

/** Anything short of the full run (fewer sections, rounds or variants, --quick) is written as partial, never over a full run's figures. */
export function isPartialRun(args: BenchArgs): boolean {
  return (
    args.quick ||
    ALL_SECTIONS.some((section) => !args.sections.includes(section)) ||
    args.rounds < DEFAULT_ARGS.rounds ||
    args.variants !== DEFAULT_ARGS.variants ||
    args.scaleVariants < DEFAULT_ARGS.scaleVariants
  );
}
