// The one outgoing channel besides the desktop: a notification POSTed to `notifications.webhook.url`,
// shaped for what listens there. Only ccguard's own notice (title and message) is sent: no prompt,
// no transcript text, no credential; the URL (which may hold a secret topic or token) is never logged.

export type WebhookFormat = 'auto' | 'json' | 'ntfy' | 'slack';

export interface WebhookTarget {
  url: string;
  format: WebhookFormat;
  timeoutMs: number;
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

/** The shape a URL gets under `format: auto`: ntfy and Slack by their hosts, anything else JSON. */
export function formatFor(url: string, format: WebhookFormat): Exclude<WebhookFormat, 'auto'> {
  if (format !== 'auto') return format;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'json';
  }
  const host = u.hostname.toLowerCase();
  const path = u.pathname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if (host === 'ntfy.sh' || host.startsWith('ntfy.') || path.startsWith('/ntfy/')) return 'ntfy';
  return 'json';
}

/**
 * The request for one notice: ntfy takes the message as a plain-text body and the title in its
 * `Title` header; Slack's incoming webhook takes `{"text": ...}`; a JSON receiver gets the three.
 */
export function webhookRequest(
  n: { title: string; message: string },
  url: string,
  format: WebhookFormat,
): WebhookRequest {
  const text = `${n.title}: ${n.message}`;
  switch (formatFor(url, format)) {
    case 'ntfy':
      // Header values must be Latin-1: a title that is not goes into the body alone.
      return /^[\x20-\x7e]*$/.test(n.title)
        ? { headers: { 'content-type': 'text/plain; charset=utf-8', title: n.title, tags: 'ccguard' }, body: n.message }
        : { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
    case 'slack':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) };
    case 'json':
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: n.title, message: n.message, text, source: 'ccguard' }),
      };
  }
}

/** POSTs one notice; throws with the status or the network error (never the URL) when it fails. */
export async function postWebhook(n: { title: string; message: string }, t: WebhookTarget): Promise<void> {
  const req = webhookRequest(n, t.url, t.format);
  let res: Response;
  try {
    res = await fetch(t.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(t.timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const err = e as Error;
    throw new Error(
      `webhook not reached: ${err.name === 'TimeoutError' ? `no answer within ${t.timeoutMs / 1000} s` : ((err.cause as Error | undefined)?.message ?? err.message)}`,
      { cause: e },
    );
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
}
