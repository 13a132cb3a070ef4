import { endpointFor, type Endpoint, type ImageToVideoBody, type ResolvedVideoRequest, type TextToVideoBody } from '../../schemas';

/** The wire body for a validated request, given the prompt image already turned into a URI. */
export function requestBody(
  request: ResolvedVideoRequest,
  promptImageUri: string | undefined,
): { endpoint: Endpoint; body: ImageToVideoBody | TextToVideoBody } {
  const common = {
    model: request.model,
    ratio: request.ratio,
    duration: request.duration,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.audio !== undefined ? { audio: request.audio } : {}),
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
