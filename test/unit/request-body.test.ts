import { requestBody } from '../../activities/runway/request-body';
import { videoRequestSchema, type ResolvedVideoRequest } from '../../schemas';

/**
 * Validation and wire bodies for models the simulator may not know yet: the catalog decides what is
 * accepted, and the body carries exactly the fields the SDK declares for the model.
 */

function valid(input: Record<string, unknown>) {
  const parsed = videoRequestSchema.safeParse(input);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return parsed.data;
}

function issues(input: Record<string, unknown>): string[] {
  const parsed = videoRequestSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function body(input: Record<string, unknown>, image?: string) {
  const { promptImage, ...request } = valid(input);
  const resolved: ResolvedVideoRequest = {
    ...request,
    ...(promptImage !== undefined ? { promptImage: { kind: 'url', url: promptImage } } : {}),
  };
  return requestBody(resolved, image);
}

test('seedance2 text_to_video: ratio, duration in 4…15, audio and seed go on the wire', () => {
  expect(body({ model: 'seedance2', promptText: 'A fox', ratio: '1920:1080', duration: 12, audio: true, seed: 7 })).toEqual({
    endpoint: 'text_to_video',
    body: { model: 'seedance2', promptText: 'A fox', ratio: '1920:1080', duration: 12, audio: true, seed: 7 },
  });
  expect(issues({ model: 'seedance2', promptText: 'A fox', ratio: '1920:1080', duration: 16 })).toEqual([
    expect.stringMatching(/^duration: duration 16 is not allowed for seedance2; allowed: 4, 5, .*, 15$/),
  ]);
  expect(issues({ model: 'seedance2_fast', promptText: 'A fox', ratio: '1920:1080' })).toEqual([
    expect.stringMatching(/^ratio: ratio 1920:1080 is not allowed for seedance2_fast text_to_video/),
  ]);
});

test('a model that takes no ratio (h3_max): resolution instead, and a ratio is refused', () => {
  expect(
    body(
      { model: 'h3_max', promptText: 'A fox', promptImage: 'https://example.com/a.png', resolution: '768p', duration: 6 },
      'https://example.com/a.png',
    ),
  ).toEqual({
    endpoint: 'image_to_video',
    body: { model: 'h3_max', promptImage: 'https://example.com/a.png', promptText: 'A fox', resolution: '768p', duration: 6 },
  });
  expect(issues({ model: 'h3_max', promptText: 'A fox', ratio: '16:9' })).toEqual([
    expect.stringMatching(/^ratio: model h3_max takes no ratio on text_to_video/),
  ]);
  expect(issues({ model: 'h3_max', promptText: 'A fox', resolution: '1080p' })).toEqual([
    'resolution: resolution 1080p is not allowed for h3_max text_to_video; allowed: 480p, 768p',
  ]);
});

test('veo3.1 sends negativePrompt and audio; gen4.5 refuses them', () => {
  expect(body({ model: 'veo3.1', promptText: 'A fox', ratio: '16:9', negativePrompt: 'blur', audio: false })).toEqual({
    endpoint: 'text_to_video',
    body: { model: 'veo3.1', promptText: 'A fox', ratio: '1280:720', duration: 8, negativePrompt: 'blur', audio: false },
  });
  expect(issues({ model: 'gen4.5', promptText: 'A fox', ratio: '1280:720', negativePrompt: 'blur', audio: true })).toEqual([
    'audio: model gen4.5 does not support audio',
    'negativePrompt: model gen4.5 does not support negativePrompt',
  ]);
});

test('required fields per model and endpoint, and per-model prompt limits', () => {
  expect(issues({ model: 'gen4.5', promptImage: 'https://example.com/a.png', ratio: '1280:720' })).toEqual([
    'promptText: promptText is required for gen4.5 image_to_video',
  ]);
  expect(issues({ model: 'gen4_turbo', promptImage: 'https://example.com/a.png', ratio: '1280:720' })).toEqual([]);
  expect(issues({ model: 'gen4_turbo', promptText: 'A fox', ratio: '1280:720' })).toEqual([
    expect.stringMatching(/^promptImage: model gen4_turbo needs promptImage/),
  ]);
  expect(issues({ model: 'seedance2', promptText: 'x'.repeat(3500), ratio: '1280:720' })).toEqual([]);
  expect(issues({ model: 'seedance2', promptText: 'x'.repeat(3501), ratio: '1280:720' })).toEqual([
    'promptText: promptText is 3501 characters; seedance2 allows at most 3500 (UTF-16 code units)',
  ]);
  expect(issues({ model: 'wan3', promptText: 'A fox', ratio: 'auto_720p' })).toEqual([
    expect.stringMatching(/^ratio: ratio auto_720p lets wan3 choose the size and is not supported/),
  ]);
});

test('retired models are refused naming their replacement', () => {
  expect(issues({ model: 'gen3a_turbo', promptImage: 'https://example.com/a.png', ratio: '1280:768' })).toEqual([
    'model: gen3a_turbo was retired by Runway; use gen4_turbo',
  ]);
});
