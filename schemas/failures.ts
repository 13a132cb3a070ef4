/** ApplicationFailure types: what the workflows, the CLI and the manifest show. */
export const FailureType = {
  PromptRejected: 'PromptRejected',
  /**
   * The moderation provider could not check a prompt and MODERATION_ON_ERROR is `closed`: nothing unchecked
   * is submitted. Retried while the cause may pass (timeouts, 5xx, 429), not for a refused key or request.
   */
  ModerationUnavailable: 'ModerationUnavailable',
  ContentModeration: 'ContentModeration',
  /** Runway refused the task's input (INPUT_PREPROCESSING.* or ASSET.* failure code): resubmitting cannot help. */
  RunwayInputRejected: 'RunwayInputRejected',
  GenerationFailed: 'GenerationFailed',
  BudgetExceeded: 'BudgetExceeded',
  /** A re-run variant whose request differs from the clip archived under its id. */
  VariantChanged: 'VariantChanged',
  PromptImageUnavailable: 'PromptImageUnavailable',
  /**
   * A URL the worker fetches for a user (a prompt image to re-host, a webhook, a photograph) was refused: not
   * https, a private-network address or a redirect to one, too many redirects, or an answer over its size
   * limit or of a type not accepted. The message names the host and why; nothing is retried.
   */
  FetchRefused: 'FetchRefused',
  /** An editor's review or finalize a B-roll project cannot take now (unknown segment, still generating, ended…). */
  ReviewRefused: 'ReviewRefused',
  OutputUrlExpired: 'OutputUrlExpired',
  DownloadTruncated: 'DownloadTruncated',
  /** The signed output URL answered neither the file nor an expiry (a 5xx of the media host): retried. */
  OutputDownloadFailed: 'OutputDownloadFailed',
  TaskNotSucceeded: 'TaskNotSucceeded',
  RunwayBadRequest: 'RunwayBadRequest',
  RunwayUnauthorized: 'RunwayUnauthorized',
  RunwayNotFound: 'RunwayNotFound',
  RunwayMethodNotAllowed: 'RunwayMethodNotAllowed',
  RunwayRateLimited: 'RunwayRateLimited',
  RunwayUnavailable: 'RunwayUnavailable',
  RunwayNetworkError: 'RunwayNetworkError',
  RunwayProtocolError: 'RunwayProtocolError',
  RunwayCircuitOpen: 'RunwayCircuitOpen',
  /** ffmpeg or ffprobe cannot be found on this worker: the message names what to install. */
  MediaToolMissing: 'MediaToolMissing',
  /** ffmpeg failed, an input did not match its recorded sha256, or the result failed its ffprobe check. */
  AssemblyFailed: 'AssemblyFailed',
  /** A final assembly object already exists with other content: it is never overwritten. */
  AssemblyConflict: 'AssemblyConflict',
  /** An explainer chunk's clip or voiceover failed: the message names the chunk; nothing is assembled. */
  ExplainerChunkFailed: 'ExplainerChunkFailed',
  /** The workspace has no such model (GET /v1/organization): the message names the models it has. */
  ModelUnavailable: 'ModelUnavailable',
  /** The workspace's credits cannot pay for the work (its estimate at list price, or Runway's own refusal). */
  InsufficientCredits: 'InsufficientCredits',
  /**
   * The submission would take the workspace's credit spend over the past 30 days past its tier's
   * maxMonthlyCreditSpend: refused before the POST (room comes back only as spend ages out of the window).
   */
  MonthlySpendCapReached: 'MonthlySpendCapReached',
  /** Runway's daily generation limit for the model answered 429 too often for one submission: the video gave up waiting. */
  DailyQuotaReached: 'DailyQuotaReached',
  /**
   * A retry found no task in this worker's memory or disk and could not read the shared submission journal
   * (S3): submitting could bill twice, so it waits (retried) until the journal answers.
   */
  SubmissionJournalUnavailable: 'SubmissionJournalUnavailable',
  /** A campaign's variant part in S3 is missing or no longer what the client wrote (its sha256 differs): the campaign cannot go on. */
  CampaignInputChanged: 'CampaignInputChanged',
  /** A receiver answered a webhook delivery with something other than 2xx (retried for 24 h; a 410 is not). */
  WebhookDeliveryFailed: 'WebhookDeliveryFailed',
  /** A webhook was asked for, but the worker has no WEBHOOK_SECRET to sign it with. */
  WebhookNotConfigured: 'WebhookNotConfigured',
  /** A failure that is none of the above (a timeout, a termination, a bug): its message names what it was. */
  Unexpected: 'Unexpected',
} as const;

/** Runway answers that retrying cannot fix. */
export const NON_RETRYABLE_RUNWAY_TYPES: string[] = [
  FailureType.RunwayBadRequest,
  FailureType.RunwayUnauthorized,
  FailureType.RunwayNotFound,
  FailureType.RunwayMethodNotAllowed,
  // A 200 whose body is off the contract: the same request gets the same answer, and the call may have had its effect.
  FailureType.RunwayProtocolError,
  FailureType.InsufficientCredits,
  FailureType.MonthlySpendCapReached,
  FailureType.DailyQuotaReached,
  FailureType.ModelUnavailable,
];
