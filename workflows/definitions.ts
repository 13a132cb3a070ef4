import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  CREDIT_DECISION_SIGNAL,
  CREDIT_REQUEST_SIGNAL,
  PROGRESS_QUERY,
  RUNWAY_TASK_UPDATE_SIGNAL,
  VARIANT_STATE_SIGNAL,
  VIDEO_STATUS_QUERY,
  type CampaignProgress,
  type CreditDecision,
  type CreditRequest,
  type RunwayTaskUpdate,
  type VariantStateUpdate,
  type VideoStatus,
} from '../schemas';

export const runwayTaskUpdateSignal = defineSignal<[RunwayTaskUpdate]>(RUNWAY_TASK_UPDATE_SIGNAL);
export const variantStateSignal = defineSignal<[VariantStateUpdate]>(VARIANT_STATE_SIGNAL);
export const creditRequestSignal = defineSignal<[CreditRequest]>(CREDIT_REQUEST_SIGNAL);
export const creditDecisionSignal = defineSignal<[CreditDecision]>(CREDIT_DECISION_SIGNAL);
export const progressQuery = defineQuery<CampaignProgress>(PROGRESS_QUERY);
export const videoStatusQuery = defineQuery<VideoStatus>(VIDEO_STATUS_QUERY);

/** Registered by the stack launcher (`temporal server start-dev --search-attribute …`). */
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const VariantIdKey = defineSearchAttributeKey('VariantId', SearchAttributeType.KEYWORD);
export const RunwayTaskIdKey = defineSearchAttributeKey('RunwayTaskId', SearchAttributeType.KEYWORD);
export const RunwayModelKey = defineSearchAttributeKey('RunwayModel', SearchAttributeType.KEYWORD);
export const VideoStatusKey = defineSearchAttributeKey('VideoStatus', SearchAttributeType.KEYWORD);
