import { DEFAULT_BLOCKED_TERMS, TermListModerator } from '../../activities/moderation';
import { creditsFor, type CampaignFileInput, type ModelId } from '../../schemas';
import { DEFAULT_MODERATION_TERMS } from '../../simulator/config';

/** What a variant is there to provoke; `plain` ones only meet the random faults. */
export type VariantRole = 'plain' | 'moderated' | 'stuck' | 'truncated' | 'expired_url' | 'bad_output' | 'rate_limited';

export interface PlannedVariant {
  id: string;
  promptText: string;
  ratio: string;
  duration: number;
  role: VariantRole;
  /** Runway's list price for one submission of this variant. */
  listCredits: number;
}

export const CHAOS_MODEL: ModelId = 'gen4.5';

/**
 * Runway refuses this term, our pre-screen does not know it: the prompt is POSTed, charged and FAILS
 * with SAFETY.* — the one variant the chaos campaign cannot archive.
 */
export const UNSCREENED_MODERATION_TERM = 'forbidden-content';

const SUBJECTS = [
  'a lighthouse in a storm',
  'a red bicycle on a wet street',
  'steam rising from a coffee cup',
  'a paper boat on a river',
  'city lights from a rooftop',
  'a fox crossing a snowy field',
  'sneakers on a running track',
  'a desk lamp switching on',
  'waves on black sand',
  'a hot air balloon at dawn',
];

// Two ratios and four durations: eight different outputs, so a sha256 match means the right file.
const RATIOS = ['1280:720', '720:1280'] as const;
const DURATIONS = [5, 6, 4, 8] as const;

/** The roles of the first variants (in this order); every other variant is plain. Needs >= 8 variants. */
function roleOf(index: number, total: number): VariantRole {
  if (index === 0 || index === Math.floor(total / 2)) return 'stuck';
  const fixed: Partial<Record<number, VariantRole>> = {
    2: 'truncated',
    3: 'moderated',
    4: 'expired_url',
    5: 'bad_output',
    6: 'rate_limited',
  };
  return fixed[index] ?? 'plain';
}

/** The marker a fault rule matches (promptIncludes); unique per variant. */
export function markerOf(variantId: string): string {
  return `[${variantId}]`;
}

export function planVariants(count: number): PlannedVariant[] {
  if (count < 8) throw new Error(`the chaos campaign needs at least 8 variants (got ${count})`);
  return Array.from({ length: count }, (_, index) => {
    const id = `v${String(index + 1).padStart(2, '0')}`;
    const role = roleOf(index, count);
    const subject = SUBJECTS[index % SUBJECTS.length] ?? 'a product shot';
    const scene = role === 'moderated' ? `a ${UNSCREENED_MODERATION_TERM} scene behind ${subject}` : subject;
    const ratio = RATIOS[index % RATIOS.length] ?? '1280:720';
    const duration = DURATIONS[Math.floor(index / RATIOS.length) % DURATIONS.length] ?? 5;
    return {
      id,
      promptText: `Chaos take ${markerOf(id)}: ${scene}`,
      ratio,
      duration,
      role,
      listCredits: creditsFor(CHAOS_MODEL, duration),
    };
  });
}

export function campaignFile(
  campaignId: string,
  variants: PlannedVariant[],
  options: NonNullable<CampaignFileInput['options']>,
): CampaignFileInput {
  return {
    campaignId,
    defaults: { model: CHAOS_MODEL, ratio: '1280:720', duration: 5 },
    variants: variants.map((variant) => ({
      id: variant.id,
      promptText: variant.promptText,
      overrides: { ratio: variant.ratio, duration: variant.duration },
    })),
    options,
  };
}

/** Fails fast when the configuration would not test what the report claims. */
export async function assertPlanIsMeaningful(variants: PlannedVariant[]): Promise<void> {
  if (!DEFAULT_MODERATION_TERMS.includes(UNSCREENED_MODERATION_TERM)) {
    throw new Error(`"${UNSCREENED_MODERATION_TERM}" is not among the simulator's moderation terms; pick another one`);
  }
  const prescreen = new TermListModerator(DEFAULT_BLOCKED_TERMS);
  for (const variant of variants) {
    const verdict = await prescreen.check({ promptText: variant.promptText });
    if (!verdict.allowed)
      throw new Error(`the worker's pre-screen would refuse ${variant.id} ("${variant.promptText}"): the chaos plan must reach Runway`);
  }
}

/**
 * Simulator faults: steady rates of every kind, plus rules that make sure every kind of fault happens at least
 * once even in the small (jest) campaign, each on a known variant so the report can explain it.
 */
export function simulatorFaults(variants: PlannedVariant[]) {
  const withRole = (role: VariantRole) => variants.filter((variant) => variant.role === role);
  const rule = (variant: PlannedVariant, fault: string, extra: Record<string, unknown> = {}) => ({
    match: { promptIncludes: markerOf(variant.id) },
    fault,
    ...extra,
  });
  return {
    moderationTerms: DEFAULT_MODERATION_TERMS,
    badOutputRate: 0.05,
    rateLimitRate: 0.05,
    retryAfterSeconds: 1,
    serverErrorRate: { post: 0, get: 0.1, delete: 0 },
    // Random resets hit POST/GET/DELETE before any work is done (a POST reset creates no task).
    resetRate: 0.02,
    rules: [
      // Stuck in the queue forever: only the first submission, so the resubmission after the DELETE runs.
      ...withRole('stuck').map((variant) => rule(variant, 'stuck_queue', { times: 1 })),
      ...withRole('truncated').map((variant) => rule(variant, 'truncate_download', { times: 1 })),
      // Every GET of a SUCCEEDED task signs a URL, and the poll that sees SUCCEEDED takes one (two or more
      // when a crash or an outage makes the poll repeat): four make sure the archive gets some too.
      ...withRole('expired_url').map((variant) => rule(variant, 'expire_url', { times: 4 })),
      ...withRole('bad_output').map((variant) => rule(variant, 'bad_output', { times: 1 })),
      ...withRole('rate_limited').map((variant) =>
        rule(variant, 'http_error', { route: 'create', status: 429, retryAfterSeconds: 1, times: 1 }),
      ),
      // Connection resets before any answer: one on a task GET, one on an output download.
      { fault: 'reset', route: 'get', times: 1 },
      { fault: 'reset', route: 'media', times: 1 },
    ],
  };
}
