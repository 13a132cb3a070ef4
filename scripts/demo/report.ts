import type { CampaignResult } from '../../schemas';

export function webUiCampaignLink(uiUrl: string, namespace: string, campaignId: string): string {
  const query = encodeURIComponent(`WorkloadId="${campaignId}"`);
  return `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${query}`;
}

export function printDemoReport(result: CampaignResult, links: { webUi: string }, seconds: number, write: (line: string) => void): void {
  write('');
  for (const variant of result.variants) {
    if (variant.result) write(`  ✔ ${variant.variantId.padEnd(18)} s3://${variant.result.s3.bucket}/${variant.result.s3.key}`);
    else write(`  ✘ ${variant.variantId.padEnd(18)} ${variant.error?.type ?? 'Error'}: ${variant.error?.message ?? ''}`);
  }
  write('');
  write(`manifest   s3://${result.manifest.bucket}/${result.manifest.key}`);
  write(
    `result     ${result.archived}/${result.total} archived, ${result.failed} failed, ${result.credits} credits billed${result.estimatedCredits !== undefined ? ` of ${result.estimatedCredits} planned` : ''}, ${seconds.toFixed(1)} s`,
  );
  write(`Web UI     ${links.webUi}`);
}
