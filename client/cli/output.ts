import type { CampaignResult } from '../../schemas';

/** The campaign result as scripts want it: one JSON document. */
export function campaignResultJson(result: CampaignResult) {
  return {
    campaignId: result.campaignId,
    manifest: result.manifest,
    total: result.total,
    archived: result.archived,
    failed: result.failed,
    credits: result.credits,
    ...(result.estimatedCredits !== undefined ? { estimatedCredits: result.estimatedCredits } : {}),
    variants: result.variants.map((variant) =>
      variant.result
        ? {
            variantId: variant.variantId,
            status: variant.state,
            s3: { bucket: variant.result.s3.bucket, key: variant.result.s3.key, bytes: variant.result.s3.bytes },
            sha256: variant.result.s3.sha256,
            runwayTaskId: variant.result.runwayTaskId,
            submissions: variant.result.submissions,
            credits: variant.result.credits,
          }
        : { variantId: variant.variantId, status: variant.state, error: variant.error },
    ),
  };
}

export function printCampaignSummary(result: CampaignResult, write: (line: string) => void): void {
  for (const variant of result.variants) {
    if (variant.result)
      write(
        `  ✔ ${variant.variantId}  s3://${variant.result.s3.bucket}/${variant.result.s3.key}  (${variant.result.submissions} submission(s), ${variant.result.credits} credits)`,
      );
    else write(`  ✘ ${variant.variantId}  ${variant.error?.type ?? 'Error'}: ${variant.error?.message ?? ''}`);
  }
  write(`manifest: s3://${result.manifest.bucket}/${result.manifest.key}`);
  write(
    `${result.archived}/${result.total} archived, ${result.failed} failed, ${result.credits} credits${planned(result.estimatedCredits)}`,
  );
}

/** The plan's list-price estimate beside the bill: " (plan 300)", or nothing for a result without one. */
export function planned(estimatedCredits: number | undefined): string {
  return estimatedCredits === undefined ? '' : ` (plan ${estimatedCredits})`;
}
