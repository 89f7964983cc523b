import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatFor, postWebhook, webhookRequest } from '../../lib/notify/webhook.ts';

const N = { title: 'ccguard: job resumed', message: 'The unattended job in app resumed (session 1234abcd, resume 1).' };

test('formatFor: ntfy and Slack by their URLs under auto; an explicit format wins', () => {
  assert.equal(formatFor('https://ntfy.sh/topic', 'auto'), 'ntfy');
  assert.equal(formatFor('https://ntfy.example.org/topic', 'auto'), 'ntfy');
  assert.equal(formatFor('https://hooks.slack.com/services/T/B/X', 'auto'), 'slack');
  assert.equal(formatFor('https://example.org/hook', 'auto'), 'json');
  assert.equal(formatFor('https://example.org/hook', 'ntfy'), 'ntfy');
});

test('webhookRequest: ntfy gets the message as plain text with a Title header; Slack {"text"}; JSON the three', () => {
  const ntfy = webhookRequest(N, 'https://ntfy.sh/t', 'auto');
  assert.equal(ntfy.body, N.message);
  assert.equal(ntfy.headers.title, N.title);
  assert.match(ntfy.headers['content-type']!, /^text\/plain/);
  const slack = webhookRequest(N, 'https://hooks.slack.com/services/x', 'auto');
  assert.deepEqual(JSON.parse(slack.body), { text: `${N.title}: ${N.message}` });
  const json = JSON.parse(webhookRequest(N, 'https://example.org', 'json').body) as Record<string, unknown>;
  assert.equal(json.title, N.title);
  assert.equal(json.message, N.message);
  assert.equal(json.text, `${N.title}: ${N.message}`);
  const odd = webhookRequest({ title: 'ccguard: 5-hour limit → reached', message: 'm' }, 'https://ntfy.sh/t', 'auto');
  assert.equal(odd.headers.title, undefined, 'a header must be Latin-1: the title goes into the body');
  assert.match(odd.body, /→ reached: m$/);
});

test('postWebhook: POSTs, gives up after its timeout, and never names the URL in its error', async (t) => {
  const got: { method: string | undefined; body: string }[] = [];
  let hang = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ method: req.method, body });
      if (!hang) res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-topic`;
  await postWebhook(N, { url, format: 'slack', timeoutMs: 2000 });
  assert.deepEqual(got, [{ method: 'POST', body: JSON.stringify({ text: `${N.title}: ${N.message}` }) }]);
  hang = true;
  await assert.rejects(postWebhook(N, { url, format: 'json', timeoutMs: 200 }), (e: Error) => {
    assert.match(e.message, /no answer within 0.2 s/);
    assert.ok(!e.message.includes('secret-topic'));
    return true;
  });
});
