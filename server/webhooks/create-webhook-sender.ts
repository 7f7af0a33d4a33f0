import type { WebhookBody } from '../../protocol/webhooks.js';
import type { Logger } from '../logger.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

/** What the call code needs: it sends and, at shutdown, closes, whether webhooks are on or off. */
export interface WebhookSink {
  readonly enabled: boolean;
  send(body: WebhookBody): void;
  close(options: { drainMs: number }): Promise<void>;
}

/** Stands in when no webhook URL is configured, so callers never branch on it. */
export class DisabledWebhookSender implements WebhookSink {
  readonly enabled = false;
  send(_body: WebhookBody): void {
    // Webhooks are off: there is nobody to tell.
  }
  close(_options: { drainMs: number }): Promise<void> {
    return Promise.resolve();
  }
}

export type WebhookConfig = { url?: string; secret?: string } & Partial<
  Omit<WebhookSenderOptions, 'url' | 'secret' | 'logger'>
>;

/**
 * Builds the sender from configuration. A URL without a secret, or a URL that is not http(s), is a
 * configuration error thrown at startup rather than webhooks that every receiver rejects.
 */
export function createWebhookSender(
  config: WebhookConfig,
  logger: Logger,
): WebhookSender | DisabledWebhookSender {
  const { url, secret, ...tuning } = config;
  if (url === undefined || url === '') {
    logger.info('webhooks are off: no webhook url configured');
    return new DisabledWebhookSender();
  }
  if (secret === undefined || secret === '') {
    throw new Error('webhook url is set but webhook secret is not: webhooks must be signed');
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`webhook url must be http or https, got ${parsed.protocol}`);
  }
  // The origin only: a path or query may carry a token that does not belong in logs.
  logger.info({ webhookOrigin: parsed.origin }, 'webhooks are on');
  return new WebhookSender({ ...tuning, url, secret, logger });
}
