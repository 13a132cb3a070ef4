import { workflowInfo } from '@temporalio/workflow';
import { manifestObjectKey } from '../../schemas/object-keys';
import { manifestActivities } from '../activity-stubs';

/** A manifest part as written: its key, how many entries it holds, the sha256 of its bytes. */
export interface ManifestPart {
  key: string;
  count: number;
  sha256: string;
}

/**
 * A workload's manifest in S3: its generations' outcomes as JSONL parts, written a batch at a time so no
 * payload grows with the workload, then one index (`<prefix><workloadId>/manifest.json`) that lists the
 * parts. The pending entries and the parts written live in the caller's state (a campaign hands them over
 * when it continues as new); the parts of each chain of runs sit under its first run's id.
 */
export class ManifestBuilder {
  private readonly base: string;

  constructor(
    private readonly target: { bucket: string; prefix: string; workloadId: string },
    private readonly pending: Array<Record<string, unknown>>,
    private readonly parts: ManifestPart[],
  ) {
    this.base = manifestObjectKey(target.prefix, target.workloadId).replace(
      /manifest\.json$/,
      `manifest/${workflowInfo().firstExecutionRunId}/`,
    );
  }

  add(entry: Record<string, unknown>): void {
    this.pending.push(entry);
  }

  /** Entries not yet written to a part. */
  pendingCount(): number {
    return this.pending.length;
  }

  /** Write the pending entries as the next part (nothing when none are pending). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const entries = this.pending.splice(0, this.pending.length);
    const key = `${this.base}part-${String(this.parts.length + 1).padStart(5, '0')}.jsonl`;
    this.parts.push(
      await manifestActivities().writeManifestPart.executeWithOptions({ summary: `manifest part of ${entries.length} outcomes` }, [
        { bucket: this.target.bucket, key, entries },
      ]),
    );
  }

  /** The parts written so far, as the index lists them. */
  partRefs(): Array<ManifestPart & { bucket: string }> {
    return this.parts.map((part) => ({ bucket: this.target.bucket, ...part }));
  }

  /** Write the index: what the workload says of itself, with partRefs() among it. */
  writeIndex(index: Record<string, unknown>): Promise<{ bucket: string; key: string }> {
    const { bucket, prefix, workloadId } = this.target;
    return manifestActivities().writeManifest.executeWithOptions({ summary: `manifest index of ${workloadId}` }, [
      { bucket, prefix, workloadId, manifest: index },
    ]);
  }
}
