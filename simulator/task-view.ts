import type { TaskRecord } from './task';

/** A task as GET /v1/tasks/{id} shows it: the SDK's TaskRetrieveResponse shapes. */
export function apiTaskView(task: TaskRecord, progress: number, outputUrl?: string): Record<string, unknown> {
  const base = { id: task.id, status: task.status, createdAt: task.createdAt };
  const estimatedCost = { credits: task.credits };
  const cost = { credits: task.refunded ? 0 : task.credits };
  switch (task.status) {
    case 'PENDING':
    case 'THROTTLED':
      return { ...base, estimatedCost };
    case 'RUNNING':
      return { ...base, progress, estimatedCost };
    case 'SUCCEEDED':
      return { ...base, output: outputUrl ? [outputUrl] : [], cost };
    case 'FAILED':
      return { ...base, failure: task.failure ?? 'The task failed.', ...(task.failureCode ? { failureCode: task.failureCode } : {}), cost };
    case 'CANCELLED':
      return { ...base, cost };
  }
}

/** A task as the admin surface shows it: everything a test or benchmark may want to check. */
export function adminTaskView(task: TaskRecord, progress: number) {
  return {
    id: task.id,
    model: task.model,
    endpoint: task.endpoint,
    promptText: task.promptText,
    promptKey: task.promptKey,
    submissionIndex: task.submissionIndex,
    ratio: task.ratio,
    duration: task.duration,
    status: task.status,
    progress,
    createdAt: task.createdAt,
    history: task.history,
    generationSeconds: task.generationSeconds,
    credits: task.credits,
    refunded: task.refunded,
    faults: task.faultsApplied,
    stuck: task.stuck ?? null,
    failure: task.failure ?? null,
    failureCode: task.failureCode ?? null,
    outputSha256: task.output?.sha256 ?? null,
    outputBytes: task.output?.bytes ?? null,
    urlsIssued: task.urlsIssued,
    downloads: task.downloads,
    deleted: task.deleted,
  };
}
export type AdminTaskView = ReturnType<typeof adminTaskView>;
