import type { MetricMeter } from '@temporalio/common';
import type { AppMetrics } from '../activities/metrics';

/** Application counters on Temporal's own meter, so they share its Prometheus endpoint. */
export function temporalAppMetrics(meter: MetricMeter): AppMetrics {
  const submissions = meter.createCounter('runway_submissions', '1', 'Runway tasks submitted');
  const resubmissions = meter.createCounter('runway_resubmissions', '1', 'Runway tasks resubmitted');
  const throttled = meter.createCounter('runway_throttled_seen', '1', 'Runway tasks seen THROTTLED');
  const credits = meter.createCounter('runway_credits', 'credits', 'Credits charged by Runway');
  const archiveBytes = meter.createCounter('runway_archive_bytes', 'By', 'Bytes archived to S3');
  return {
    submissions: (model) => submissions.add(1, { model }),
    resubmissions: (model, reason) => resubmissions.add(1, { model, reason }),
    throttledSeen: (model) => throttled.add(1, { model }),
    credits: (model, value) => credits.add(value, { model }),
    archiveBytes: (bytes) => archiveBytes.add(bytes),
  };
}
