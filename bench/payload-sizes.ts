import type { Client } from '@temporalio/client';

interface Payloads {
  payloads?: Array<{ data?: Uint8Array | null }> | null;
}

interface EventLike {
  workflowExecutionStartedEventAttributes?: { input?: Payloads | null } | null;
  workflowExecutionCompletedEventAttributes?: { result?: Payloads | null } | null;
  workflowExecutionSignaledEventAttributes?: object | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; input?: Payloads | null } | null;
}

/** What a campaign run's history says about its size: signals received and its largest payloads. */
export interface CampaignHistoryFacts {
  events: number;
  signalsReceived: number;
  inputBytes: number;
  resultBytes: number;
  manifestArgumentBytes: number;
}

export async function campaignHistoryFacts(client: Client, workflowId: string): Promise<CampaignHistoryFacts> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = (history.events ?? []) as EventLike[];
  const facts: CampaignHistoryFacts = {
    events: events.length,
    signalsReceived: 0,
    inputBytes: 0,
    resultBytes: 0,
    manifestArgumentBytes: 0,
  };
  for (const event of events) {
    if (event.workflowExecutionSignaledEventAttributes) facts.signalsReceived += 1;
    if (event.workflowExecutionStartedEventAttributes) facts.inputBytes = bytesOf(event.workflowExecutionStartedEventAttributes.input);
    if (event.workflowExecutionCompletedEventAttributes)
      facts.resultBytes = bytesOf(event.workflowExecutionCompletedEventAttributes.result);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'writeManifest') facts.manifestArgumentBytes = bytesOf(scheduled.input);
  }
  return facts;
}

function bytesOf(payloads: Payloads | null | undefined): number {
  return (payloads?.payloads ?? []).reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
}
