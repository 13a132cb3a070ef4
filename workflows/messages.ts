import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  BrollProgress,
  BrollResult,
  CampaignProgress,
  ExplainerProgress,
  ExplainerResult,
  FinalizeUpdate,
  ReviewUpdate,
  ReviewView,
  ContactSheetRef,
  GenerationError,
  GenerationProgress,
  GenerationResult,
  GenerationState,
  TaskStatus,
  WorkspaceLimits,
} from '../schemas';
import type { PriorityClass } from '../schemas/priority';
import type { WebhookDeliveryStatus } from '../schemas/webhook';

/**
 * Every signal and query of the product's workflows, each beside its payload type. Workflows set handlers
 * for them; activities and the client send them by these definitions, never by a name typed again.
 */

// ── A generation workflow and its generation activity ────────────────────────────────────────────────

/** Sent by the generation activity to its own workflow as the remote task changes. */
export interface RunwayTaskUpdate {
  submission: number;
  taskId: string;
  status: TaskStatus | 'SUBMITTED';
  progress?: number;
}
export const runwayTaskUpdateSignal = defineSignal<[RunwayTaskUpdate]>('runwayTaskUpdate');

/** What one generation workflow is doing. */
export const generationProgressQuery = defineQuery<GenerationProgress>('generationProgress');

// ── A workload and its generations (the generation core's messages) ──────────────────────────────────

/** Sent to a generation's workload (by its workflow or its activities) as the generation's state changes. */
export interface GenerationStateUpdate {
  generationKey: string;
  state: GenerationState;
  runwayTaskId?: string;
  submissions?: number;
  /** Runway's estimatedCost for the open submission, when it differs from the list price reserved for it. */
  estimatedCredits?: number;
}
export const generationStateSignal = defineSignal<[GenerationStateUpdate]>('generationState');

/**
 * Sent once as a generation ends, to a workload that does not await its children's handles (a campaign,
 * which continues as new while they run): how it learns the outcome, in whichever run is current.
 */
export interface GenerationEnd {
  generationKey: string;
  workflowId: string;
  state: 'archived' | 'failed' | 'cancelled';
  result?: GenerationResult;
  error?: GenerationError;
  /** What Runway billed this generation, net of refunds. */
  credits: number;
}
export const generationEndSignal = defineSignal<[GenerationEnd]>('generationEnd');

/** A generation asks its workload for the credits of its next submission. */
export interface CreditRequest {
  generationKey: string;
  workflowId: string;
  submission: number;
  credits: number;
  /** What Runway has billed this generation so far: the workload settles the earlier submissions with it. */
  billedCredits?: number;
}
export const creditRequestSignal = defineSignal<[CreditRequest]>('creditRequest');

export interface CreditDecision {
  submission: number;
  granted: boolean;
  remaining: number;
}
export const creditDecisionSignal = defineSignal<[CreditDecision]>('creditDecision');

// ── A campaign ────────────────────────────────────────────────────────────────────────────────────────

/** Counts by state and each variant's state, task id and error. */
export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');

// ── A B-roll project and its editor ─────────────────────────────────────────────────────────────────

/** Segments by state, round, pending decisions. */
export const brollProgressQuery = defineQuery<BrollProgress>('brollProgress');

// ── The review room (B-roll segments, explainer chunks: any workload whose generations a person decides on) ──

/** The review room's view of a workload: its items, their takes and decisions. The review page reads it. */
export const reviewViewQuery = defineQuery<ReviewView>('reviewView');

/**
 * The reviewer's decisions: select a take (approve the one take), reject a round with a new prompt (the next
 * round), or have a narrated item's voiceover redone with new text. Answers the new view.
 */
export const reviewUpdate = defineUpdate<ReviewView, [ReviewUpdate]>('review');

/** (Re)writes a B-roll project's contact sheet (a frame of every take) in S3 now; answers where it is. */
export const contactSheetUpdate = defineUpdate<ContactSheetRef, []>('contactSheet');

/**
 * Close the review and deliver (every item approved, or allowUnapproved): a B-roll project's edit list, an
 * explainer's assembly. Answers the workload's result once the delivery is in S3.
 */
export const finalizeUpdate = defineUpdate<BrollResult | ExplainerResult, [FinalizeUpdate]>('finalize');

// ── An explainer ──────────────────────────────────────────────────────────────────────────────────────

/** Stage, each chunk's clip and voiceover state, generations done of all. */
export const explainerProgressQuery = defineQuery<ExplainerProgress>('explainerProgress');

// ── The lease pool: Runway's concurrency leased to generation workflows ───────────────────────────────

/**
 * One pool workflow per deployment (task queue), one capacity per model, set by the workspace's limits
 * the pool reads itself. A lease lives in workflow state, so a remote task whose worker crashed keeps its
 * lease until its workflow gives it back, and new submissions wait instead of landing in Runway's silent
 * queue — whichever worker replica runs them.
 */
export const LEASE_POOL_WORKFLOW_TYPE = 'GenerationLeasePoolWorkflow';

export function leasePoolWorkflowId(taskQueue: string): string {
  return `generation-leases--${taskQueue}`;
}

export interface LeaseRequest {
  leaseId: string;
  /** Who gets the grant signal. */
  workflowId: string;
  /** The holder's run: its lease outlives the TTL for as long as this run is open. */
  runId: string;
  /** How often the pool checks that the holder is still alive once the lease is not given back. */
  leaseTtlMs: number;
  /** The Runway model: caps and daily quotas are per model. */
  model: string;
  /** The submission's list price: what the lease reserves against a watched balance and the 30-day spend cap. */
  credits: number;
  /** Its class in the queue (absent in requests from before priorities: `normal`). */
  priority?: PriorityClass;
  /** The workload it belongs to, the unit of round-robin fairness (absent: its own workflow). */
  workload?: string;
  /**
   * A slot held for a generation about to start, asked for by the workload the moment someone decided on it (a
   * reviewer's regeneration), under the lease id reservedLeaseId(workflowId): granted in its turn like any request,
   * but to nobody until the generation's own request (any lease id of that workflow id) claims it; never claimed, it
   * goes back after a minute. The runId is unknown until the start: empty.
   */
  reservation?: boolean;
}
export const acquireLeaseSignal = defineSignal<[LeaseRequest]>('acquireGenerationLease');

export interface LeaseRelease {
  leaseId: string;
  /** Runway answered the create 429 for the model's daily limit: no grant for it until the workspace shows room. */
  dailyLimitReached?: boolean;
  /** Runway refused the create for want of credits: deny what it cannot pay until the workspace shows credits again. */
  outOfCredits?: boolean;
}
export const releaseLeaseSignal = defineSignal<[LeaseRelease]>('releaseGenerationLease');

/**
 * Sent by the generation activity the moment Runway's create answer names an estimatedCost that differs
 * from the list price the lease was granted at: the pool's reservation becomes Runway's figure.
 */
export interface LeaseEstimate {
  leaseId: string;
  credits: number;
}
export const leaseEstimateSignal = defineSignal<[LeaseEstimate]>('correctGenerationLease');

export interface LeaseGrant {
  leaseId: string;
}
export const leaseGrantedSignal = defineSignal<[LeaseGrant]>('generationLeaseGranted');

/** The request waits for the model's daily quota (sent once per request, when it starts waiting for it). */
export interface LeaseQuotaWait {
  leaseId: string;
  model: string;
  dailyGenerations: number;
  maxDaily: number | null;
}
export const leaseQuotaWaitSignal = defineSignal<[LeaseQuotaWait]>('generationLeaseQuotaWait');

/** The request can never be granted (the workspace lacks the model, or its credits): fail typed, no POST. */
export interface LeaseRefusal {
  leaseId: string;
  type: string;
  message: string;
}
export const leaseRefusedSignal = defineSignal<[LeaseRefusal]>('generationLeaseRefused');

/** What the pool tells one requester: the signal it is sent as, by kind. */
export type LeaseNotice =
  | { kind: 'granted'; workflowId: string; grant: LeaseGrant }
  | { kind: 'refused'; workflowId: string; refusal: LeaseRefusal }
  | { kind: 'quotaWait'; workflowId: string; wait: LeaseQuotaWait };

/** A lease the pool has granted. */
export interface HeldLease {
  leaseId: string;
  workflowId: string;
  runId: string;
  model: string;
  grantedAt: number;
  /** When the pool next asks Temporal whether the holder's run is still open. */
  expiresAt: number;
  ttlMs: number;
  /** What it reserves: the list price, then Runway's estimatedCost once the create answers. */
  credits?: number;
  priority?: PriorityClass;
  workload?: string;
  /** Held for a generation not yet claiming it (LeaseRequest.reservation). */
  reservation?: boolean;
  /** A claimed reservation whose grant signal has not gone out yet. */
  grantUnsent?: boolean;
}

/** The lease id of the slot reserved for a generation about to start under `workflowId`. */
export function reservedLeaseId(workflowId: string): string {
  return `${workflowId}/reserved`;
}

/** What the pool counts per model between reads of the workspace. */
export interface ModelUsage {
  /** Creates granted today as the pool counts them: the workspace's count when read, plus grants since. */
  dailyGenerations: number;
  /** Set by a daily-limit 429 or the count reaching the limit; cleared by a read that shows room. */
  quotaReached: boolean;
  /** When the pool last granted a lease of this model (workflow time, ms). */
  lastGrantAt?: number;
  /** Leases of this model granted over the pool's life: a read subtracts what it granted while reading. */
  granted?: number;
}

export interface LeasePoolState {
  /** The workspace as last read; absent until the first read answers (no grant before it). */
  limits?: WorkspaceLimits;
  /** When the limits were read (workflow time, ms). */
  limitsReadAt?: number;
  usage: Record<string, ModelUsage>;
  /**
   * Set when Runway refuses a create for want of credits: only what the balance (as last read, less the
   * grants since) can pay is granted, the rest refused. Cleared by a read that can pay everything waiting.
   */
  creditWatch?: { balance: number };
  /**
   * The workspace's spend in the past 30 days as the pool counts it (the last read plus what it granted
   * since, corrected by Runway's estimates), against tier.maxMonthlyCreditSpend; absent when not read.
   */
  monthly?: { spent: number; granted: number; lastGrantAt?: number };
  holders: HeldLease[];
  /** Waiting requests, each model's in its queue's rotation order (workflows/lease-queue.ts). */
  waiting: LeaseRequest[];
  /** Per model and priority class: when it last got a lease (the queue's aging). */
  classClocks?: Record<string, Partial<Record<PriorityClass, number>>>;
  /** Leases kept past their TTL because their holder's run was still open (across runs of the pool). */
  renewedLeases?: number;
  /** Leases taken back because their holder's run had closed or did not exist (across runs of the pool). */
  reclaimedLeases?: number;
}
export const leasesQuery = defineQuery<LeasePoolState>('generationLeases');

/** Read the workspace's limits now (a worker starting, an operator after a tier change). */
export const refreshLimitsSignal = defineSignal('refreshWorkspaceLimits');

/** Who holds a lease, as the pool asks Temporal about it. */
export interface LeaseHolderRef {
  leaseId: string;
  workflowId: string;
  runId: string;
}

/**
 * 'running': the run is open, the lease stays. 'gone': Temporal answered that the run is closed or does
 * not exist, the only proof of death. 'unknown': no answer (an outage, a timeout), the lease stays.
 */
export type LeaseHolderLiveness = 'running' | 'gone' | 'unknown';

// ── Webhook deliveries ───────────────────────────────────────────────────────────────────────────────

/** Where one webhook delivery stands (its own workflow, workflows/delivery/webhook.ts). */
export const webhookDeliveryQuery = defineQuery<WebhookDeliveryStatus>('webhookDelivery');
