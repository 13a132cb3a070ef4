/**
 * The workflow ids of a campaign's generations: `<campaignId>--<variantId>`, deterministic, so re-running a
 * campaign finds what it archived before instead of generating it again.
 */
export function variantWorkflowId(campaignId: string, variantId: string): string {
  return `${campaignId}--${variantId}`;
}

/**
 * A regenerated variant runs under an id of its own request, so the clip archived under the plain id
 * stays, the new one lands beside it, and re-running the same regenerate is idempotent.
 */
export function regeneratedVariantWorkflowId(campaignId: string, variantId: string, fingerprint: string): string {
  return `${campaignId}--${variantId}--${fingerprint.slice(0, 12)}`;
}

/** The id a variant's generation runs under: the plain one, or its regenerated one. */
export function workflowIdOfVariant(
  campaignId: string,
  variant: { variantId: string; fingerprint: string; regenerate?: boolean | undefined },
): string {
  return variant.regenerate
    ? regeneratedVariantWorkflowId(campaignId, variant.variantId, variant.fingerprint)
    : variantWorkflowId(campaignId, variant.variantId);
}
