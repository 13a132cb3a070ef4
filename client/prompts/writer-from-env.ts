import { parseEnv, promptWriterEnvSchema } from '../../schemas';
import { LlmPromptWriter } from './llm-writer';
import { NlpPromptWriter } from './nlp-writer';
import type { PromptWriter } from './prompt-writer';

/** The writer the environment asks for: the deterministic one unless PROMPT_WRITER=llm (with its base URL and model). */
export function promptWriterFromEnv(env: NodeJS.ProcessEnv = process.env): PromptWriter {
  const config = parseEnv(promptWriterEnvSchema, env);
  if (config.PROMPT_WRITER === 'nlp') return new NlpPromptWriter();
  return new LlmPromptWriter({
    baseURL: config.PROMPT_LLM_BASE_URL!,
    model: config.PROMPT_LLM_MODEL!,
    ...(config.PROMPT_LLM_API_KEY ? { apiKey: config.PROMPT_LLM_API_KEY } : {}),
    timeoutMs: config.PROMPT_LLM_TIMEOUT_MS,
    maxRetries: config.PROMPT_LLM_MAX_RETRIES,
  });
}
