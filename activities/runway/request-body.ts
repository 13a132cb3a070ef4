import { endpointFor, type CreateTaskBody, type ResolvedGenerationRequest, type RunwayEndpoint } from '../../schemas';

/**
 * The endpoint and wire body for a validated request of any kind, given the prompt image already turned
 * into a URI (videos only). The one place that knows which Runway endpoint a request goes to.
 */
export function requestBody(
  request: ResolvedGenerationRequest,
  promptImageUri: string | undefined,
): { endpoint: RunwayEndpoint; body: CreateTaskBody } {
  if (request.kind === 'speech') {
    return {
      endpoint: 'text_to_speech',
      body: { model: request.model, promptText: request.promptText, voice: { type: 'runway-preset', presetId: request.voice } },
    };
  }
  // Only the fields the request carries: validation let through only what the model's SDK type declares.
  const common = {
    model: request.model,
    ...(request.ratio !== undefined ? { ratio: request.ratio } : {}),
    duration: request.duration,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.audio !== undefined ? { audio: request.audio } : {}),
    ...(request.negativePrompt !== undefined ? { negativePrompt: request.negativePrompt } : {}),
    ...(request.resolution !== undefined ? { resolution: request.resolution } : {}),
    ...(request.contentModeration !== undefined ? { contentModeration: request.contentModeration } : {}),
  };
  const endpoint = endpointFor(request);
  if (endpoint === 'image_to_video') {
    if (promptImageUri === undefined) throw new Error('image_to_video needs a prompt image');
    return {
      endpoint,
      body: { ...common, promptImage: promptImageUri, ...(request.promptText !== undefined ? { promptText: request.promptText } : {}) },
    };
  }
  return { endpoint, body: { ...common, promptText: request.promptText ?? '' } };
}
