import type { ActivityDeps } from './deps';
import { createArchive } from './archive';
import { createAssembleExplainer } from './assemble-explainer';
import { createMeasureVoiceover } from './measure-voiceover';
import { createPackageExplainer } from './package-explainer';
import { createCancelRunwayTask } from './cancel-task';
import { createGenerate } from './generate';
import { createWriteManifest, createWriteManifestPart } from './manifest';
import { createReadVariantPart } from './variant-parts';
import { closedChildren } from './child-status';
import { createPrescreen } from './prescreen';
import { createDeliverWebhook } from './webhook-delivery';
import { strictSafeFetch } from '../infra/safe-fetch';
import { previousGenerationResult } from './previous-generation-result';
import { createRequestGenerationLease } from './request-lease';
import { checkLeaseHolders } from './lease-holders';
import { deliverLeaseNotices } from './lease-notices';
import { createWriteEditList } from './edit-list';
import { createWriteContactSheet } from './contact-sheet';
import { fingerprintRequest } from './request-fingerprint';
import { createUploadPromptImage } from './upload-image';
import { createCheckWorkspace, createReadWorkspaceLimits } from './workspace';

/** Activities of the default task queue: short, I/O bound, not limited by the Runway cap. */
export function createDefaultQueueActivities(deps: ActivityDeps) {
  return {
    prescreenPrompt: createPrescreen(deps),
    archiveGeneration: createArchive(deps),
    writeManifest: createWriteManifest(deps),
    readVariantPart: createReadVariantPart(deps),
    writeManifestPart: createWriteManifestPart(deps),
    closedChildren,
    cancelRunwayTask: createCancelRunwayTask(deps),
    previousGenerationResult,
    requestGenerationLease: createRequestGenerationLease(deps),
    checkLeaseHolders,
    deliverLeaseNotices,
    readWorkspaceLimits: createReadWorkspaceLimits(deps),
    checkWorkspace: createCheckWorkspace(deps),
    writeEditList: createWriteEditList(deps),
    writeContactSheet: createWriteContactSheet(deps),
    fingerprintRequest,
    assembleExplainer: createAssembleExplainer(deps),
    measureVoiceover: createMeasureVoiceover(deps),
    packageExplainer: createPackageExplainer(deps),
    uploadPromptImage: createUploadPromptImage(deps),
    deliverWebhook: createDeliverWebhook({ webhookSecret: deps.webhookSecret, safeFetch: deps.safeFetch ?? strictSafeFetch() }),
  };
}

/** Activities of the generation task queue: one worker slot per remote Runway task. */
export function createGenerationActivities(deps: ActivityDeps) {
  return { generate: createGenerate(deps) };
}

export type DefaultQueueActivities = ReturnType<typeof createDefaultQueueActivities>;
export type GenerationActivities = ReturnType<typeof createGenerationActivities>;

export type { ActivityDeps } from './deps';
export type { GenerateInput } from './generate';
export type { ArchiveInput } from './archive';
export type { WorkspaceCheckInput, WorkspaceCheck } from './workspace';
export type { EditListInput, WrittenEditList } from './edit-list';
