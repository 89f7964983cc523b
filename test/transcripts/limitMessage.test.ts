import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  limitWindow,
  mightContainLimitMessage,
  parseLimitMessage,
  type LimitMessage,
} from '../../lib/transcripts/limitMessage.ts';

const SEOUL = 'Asia/Seoul'; // UTC+9, no DST
const BERLIN = 'Europe/Berlin'; // UTC+1 / UTC+2 (CEST, last Sun Mar .. last Sun Oct)
const NEW_YORK = 'America/New_York'; // UTC-5 / UTC-4 (EDT, 2nd Sun Mar .. 1st Sun Nov)

function parsed(text: string, seenAt: number, zone: string): LimitMessage {
  const r = parseLimitMessage(text, seenAt, zone);
  assert.ok(r, `expected a limit message: ${JSON.stringify(text)}`);
  return r;
}

/** Deterministic junk: letters, digits, spaces and punctuation, no limit wording. */
function junk(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,;:()[]{}"\'/\\-∙·\n';
  let seed = 12345;
  let out = '';
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out += alphabet[seed % alphabet.length];
  }
  return out;
}

describe('parseLimitMessage: old epoch form', () => {
  it('reads the epoch (seconds) as the reset time and calls it the 5-hour limit', () => {
    const r = parsed('Claude AI usage limit reached|1763900000', Date.UTC(2025, 10, 23, 8, 0), SEOUL);
    assert.deepEqual(r, {
      scope: 'five_hour',
      resetAt: 1_763_900_000_000,
      timeZone: null,
      raw: 'Claude AI usage limit reached|1763900000',
    });
  });

  it('accepts an "API Error: " prefix and surrounding whitespace', () => {
    const r = parsed('  API Error: Claude AI usage limit reached|1763900000\n', Date.UTC(2025, 10, 23), SEOUL);
    assert.equal(r.scope, 'five_hour');
    assert.equal(r.resetAt, 1_763_900_000_000);
    assert.equal(r.raw, 'API Error: Claude AI usage limit reached|1763900000');
  });

  it('is still a limit message without the epoch, with no reset time', () => {
    const r = parsed('Claude AI usage limit reached', Date.UTC(2025, 10, 23), SEOUL);
    assert.equal(r.scope, 'five_hour');
    assert.equal(r.resetAt, null);
    assert.equal(r.timeZone, null);
  });
});

describe('parseLimitMessage: time of day, default zone', () => {
  // Berlin in January is UTC+1: 15:00 local = 14:00 UTC.
  it('a message at 14:59:30 saying "resets 3pm" means 15:00 the same day', () => {
    const r = parsed('5-hour limit reached ∙ resets 3pm', Date.UTC(2025, 0, 15, 13, 59, 30), BERLIN);
    assert.equal(r.scope, 'five_hour');
    assert.equal(r.resetAt, Date.UTC(2025, 0, 15, 14, 0));
    assert.equal(r.timeZone, BERLIN);
  });

  it('a message written up to a minute after the reset time still means that reset', () => {
    const r = parsed('5-hour limit reached ∙ resets 3pm', Date.UTC(2025, 0, 15, 14, 0, 45), BERLIN);
    assert.equal(r.resetAt, Date.UTC(2025, 0, 15, 14, 0));
  });

  it('rolls over to the next day when the time has passed (15:10 saying "resets 3pm")', () => {
    const r = parsed('5-hour limit reached ∙ resets 3pm', Date.UTC(2025, 0, 15, 14, 10), BERLIN);
    assert.equal(r.resetAt, Date.UTC(2025, 0, 16, 14, 0));
  });

  it('rolls over across a month and year end', () => {
    // 23:30 on Dec 31 in Seoul (14:30 UTC) saying "resets 1am" -> 01:00 Jan 1 KST = 16:00 UTC Dec 31.
    const r = parsed('5-hour limit reached ∙ resets 1am', Date.UTC(2025, 11, 31, 14, 30), SEOUL);
    assert.equal(r.resetAt, Date.UTC(2025, 11, 31, 16, 0));
  });

  it('"Session limit reached ∙ resets 9:30pm" in the default zone (Seoul)', () => {
    // seenAt = 12:00 KST; 21:30 KST = 12:30 UTC.
    const r = parsed('Session limit reached ∙ resets 9:30pm', Date.UTC(2025, 5, 10, 3, 0), SEOUL);
    assert.equal(r.scope, 'five_hour');
    assert.equal(r.resetAt, Date.UTC(2025, 5, 10, 12, 30));
    assert.equal(r.timeZone, SEOUL);
  });

  it('the same text resolves differently in another default zone', () => {
    // seenAt = 05:00 EDT; 21:30 EDT = 01:30 UTC next day.
    const r = parsed('Session limit reached ∙ resets 9:30pm', Date.UTC(2025, 5, 10, 9, 0), NEW_YORK);
    assert.equal(r.resetAt, Date.UTC(2025, 5, 11, 1, 30));
    assert.equal(r.timeZone, NEW_YORK);
  });

  it('reads 24-hour times ("resets 15:00")', () => {
    const r = parsed('Session limit reached ∙ resets 15:00', Date.UTC(2025, 0, 15, 9, 0), BERLIN);
    assert.equal(r.resetAt, Date.UTC(2025, 0, 15, 14, 0));
  });

  it('reads 12am as midnight and 12pm as noon', () => {
    const seen = Date.UTC(2025, 5, 10, 3, 0); // 12:00 KST
    assert.equal(
      parsed('5-hour limit reached ∙ resets 12am', seen, SEOUL).resetAt,
      Date.UTC(2025, 5, 10, 15, 0), // 00:00 KST Jun 11
    );
    assert.equal(
      parsed('5-hour limit reached ∙ resets 12pm', Date.UTC(2025, 5, 10, 2, 0), SEOUL).resetAt,
      Date.UTC(2025, 5, 10, 3, 0), // 12:00 KST Jun 10
    );
  });
});

describe('parseLimitMessage: named zones', () => {
  it('"You\'ve hit your session limit · resets 3pm (Europe/Berlin)" uses the named zone', () => {
    // July: CEST, UTC+2. seenAt = 12:00 CEST; 15:00 CEST = 13:00 UTC. Default zone is Seoul.
    const r = parsed("You've hit your session limit · resets 3pm (Europe/Berlin)", Date.UTC(2025, 6, 1, 10, 0), SEOUL);
    assert.deepEqual(r, {
      scope: 'five_hour',
      resetAt: Date.UTC(2025, 6, 1, 13, 0),
      timeZone: BERLIN,
      raw: "You've hit your session limit · resets 3pm (Europe/Berlin)",
    });
  });

  it('"You\'ve hit your limit · resets Feb 7, 11am (Asia/Seoul)": a date more than a day away', () => {
    // seenAt = Feb 3 2026 14:00 KST; Feb 7 11:00 KST = 02:00 UTC. Default zone is New York.
    const r = parsed("You've hit your limit · resets Feb 7, 11am (Asia/Seoul)", Date.UTC(2026, 1, 3, 5, 0), NEW_YORK);
    assert.equal(r.scope, 'weekly', 'a bare "limit" resetting days away cannot be the 5-hour window');
    assert.equal(r.resetAt, Date.UTC(2026, 1, 7, 2, 0));
    assert.equal(r.timeZone, SEOUL);
  });

  it('"You\'ve hit your weekly limit · resets Mon 9am (America/New_York)": next Monday', () => {
    // Wed Nov 19 2025 12:00 EST -> Mon Nov 24 09:00 EST = 14:00 UTC.
    const r = parsed(
      "You've hit your weekly limit · resets Mon 9am (America/New_York)",
      Date.UTC(2025, 10, 19, 17, 0),
      BERLIN,
    );
    assert.equal(r.scope, 'weekly');
    assert.equal(r.resetAt, Date.UTC(2025, 10, 24, 14, 0));
    assert.equal(r.timeZone, NEW_YORK);
  });

  it('a weekday naming today after its time means a week later', () => {
    // Mon Nov 24 2025 10:00 EST -> Mon Dec 1 09:00 EST = 14:00 UTC.
    const r = parsed(
      "You've hit your weekly limit · resets Mon 9am (America/New_York)",
      Date.UTC(2025, 10, 24, 15, 0),
      BERLIN,
    );
    assert.equal(r.resetAt, Date.UTC(2025, 11, 1, 14, 0));
  });

  it('falls back to the default zone when the named zone is unknown', () => {
    // seenAt = 12:00 KST; 15:00 KST = 06:00 UTC.
    const r = parsed("You've hit your limit · resets 3pm (Mars/Olympus_Mons)", Date.UTC(2025, 5, 10, 3, 0), SEOUL);
    assert.equal(r.resetAt, Date.UTC(2025, 5, 10, 6, 0));
    assert.equal(r.timeZone, SEOUL);
  });

  it('falls back to UTC when the default zone is unknown too', () => {
    const r = parsed('5-hour limit reached ∙ resets 3pm', Date.UTC(2025, 5, 10, 3, 0), 'Not/A_Zone');
    assert.equal(r.resetAt, Date.UTC(2025, 5, 10, 15, 0));
    assert.equal(r.timeZone, 'UTC');
  });
});

describe('parseLimitMessage: dates', () => {
  it('"Weekly limit reached ∙ resets Nov 30, 5pm" in the default zone', () => {
    // Nov 30 2025 17:00 CET = 16:00 UTC.
    const r = parsed('Weekly limit reached ∙ resets Nov 30, 5pm', Date.UTC(2025, 10, 24, 9, 0), BERLIN);
    assert.equal(r.scope, 'weekly');
    assert.equal(r.resetAt, Date.UTC(2025, 10, 30, 16, 0));
    assert.equal(r.timeZone, BERLIN);
  });

  it('a date without a year earlier in the year means next year', () => {
    // Dec 30 2025 10:00 EST saying "Jan 2, 5pm" -> Jan 2 2026 17:00 EST = 22:00 UTC.
    const r = parsed('Weekly limit reached ∙ resets Jan 2, 5pm', Date.UTC(2025, 11, 30, 15, 0), NEW_YORK);
    assert.equal(r.resetAt, Date.UTC(2026, 0, 2, 22, 0));
  });

  it('Feb 29 means the next leap year', () => {
    const r = parsed('Weekly limit reached ∙ resets Feb 29, 9am', Date.UTC(2025, 2, 1, 0, 0), 'UTC');
    assert.equal(r.resetAt, Date.UTC(2028, 1, 29, 9, 0));
  });

  it('an impossible date gives no reset time but is still a limit message', () => {
    const r = parsed('Weekly limit reached ∙ resets Feb 30, 9am', Date.UTC(2025, 2, 1, 0, 0), 'UTC');
    assert.equal(r.scope, 'weekly');
    assert.equal(r.resetAt, null);
  });
});

describe('parseLimitMessage: scopes', () => {
  const seen = Date.UTC(2025, 10, 28, 0, 0); // Nov 28 09:00 KST
  const dec3 = Date.UTC(2025, 11, 3, 1, 0); // Dec 3 10:00 KST

  it('Opus weekly -> opus', () => {
    const r = parsed('Opus weekly limit reached ∙ resets Dec 3, 10am', seen, SEOUL);
    assert.equal(r.scope, 'opus');
    assert.equal(r.resetAt, dec3);
  });

  it('Sonnet weekly -> sonnet', () => {
    const r = parsed('Sonnet weekly limit reached ∙ resets Dec 3, 10am', seen, SEOUL);
    assert.equal(r.scope, 'sonnet');
    assert.equal(r.resetAt, dec3);
  });

  it('"You\'ve hit your Opus limit" -> opus', () => {
    const r = parsed("You've hit your Opus limit · resets Dec 3, 10am (Asia/Seoul)", seen, NEW_YORK);
    assert.equal(r.scope, 'opus');
    assert.equal(r.resetAt, dec3);
  });

  it('"You\'ve hit your usage limit · resets 11pm" -> usage within 5 hours, weekly further off', () => {
    // 08:00 EDT Jun 10 -> 23:00 EDT = 03:00 UTC Jun 11: 15 hours off, so not the 5-hour window.
    const r = parsed("You've hit your usage limit · resets 11pm", Date.UTC(2025, 5, 10, 12, 0), NEW_YORK);
    assert.equal(r.scope, 'weekly');
    assert.equal(r.resetAt, Date.UTC(2025, 5, 11, 3, 0));
    // 19:00 EDT -> 23:00 EDT: 4 hours off, either window.
    assert.equal(
      parsed("You've hit your usage limit · resets 11pm", Date.UTC(2025, 5, 10, 23, 0), NEW_YORK).scope,
      'usage',
    );
  });

  it('the issue\'s line: "You\'ve hit your limit · resets Dec 11, 12:30pm (America/Los_Angeles)" seen Dec 7 is the weekly limit', () => {
    const r = parsed(
      "You've hit your limit · resets Dec 11, 12:30pm (America/Los_Angeles)",
      Date.UTC(2026, 11, 7, 18, 40),
      'UTC',
    );
    assert.equal(r.resetAt, Date.UTC(2026, 11, 11, 20, 30));
    assert.equal(r.scope, 'weekly');
    // Exactly 5 hours (and the minute the text rounds to) is still the 5-hour window; a minute more is not.
    const at = (reset: number, seenAt: number) => limitWindow('usage', reset, seenAt);
    assert.equal(at(Date.UTC(2026, 11, 7, 23, 41), Date.UTC(2026, 11, 7, 18, 40)), 'usage');
    assert.equal(at(Date.UTC(2026, 11, 7, 23, 42), Date.UTC(2026, 11, 7, 18, 40)), 'weekly');
    assert.equal(
      limitWindow('five_hour', Date.UTC(2026, 11, 11), Date.UTC(2026, 11, 7)),
      'five_hour',
      'a named window stays',
    );
    assert.equal(limitWindow('usage', null, Date.UTC(2026, 11, 7)), 'usage', 'no reset: nothing to go by');
  });

  it('"You\'ve hit your limit" -> usage; "5-hour" and "session" -> five_hour; "weekly" -> weekly', () => {
    assert.equal(parsed("You've hit your limit · resets 11am", seen, SEOUL).scope, 'usage');
    assert.equal(
      parsed("You've hit your limit · resets 3pm", seen, SEOUL).scope,
      'weekly',
      '6 hours off: not the 5-hour window',
    );
    assert.equal(parsed("You've hit your 5-hour limit · resets 3pm", seen, SEOUL).scope, 'five_hour');
    assert.equal(parsed('Session limit reached ∙ resets 3pm', seen, SEOUL).scope, 'five_hour');
    assert.equal(parsed('Weekly limit reached ∙ resets 3pm', seen, SEOUL).scope, 'weekly');
    assert.equal(parsed("You've hit your weekly limit · resets 3pm", seen, SEOUL).scope, 'weekly');
  });
});

describe('parseLimitMessage: loose matching', () => {
  const seen = Date.UTC(2025, 0, 15, 9, 0); // 10:00 CET
  const threePm = Date.UTC(2025, 0, 15, 14, 0);

  for (const text of [
    '5-hour limit reached · resets 3pm',
    '5-hour limit reached∙resets 3pm',
    '5-hour limit reached   ∙   resets   3pm',
    '5-HOUR LIMIT REACHED ∙ RESETS 3PM',
    '5-hour limit reached ∙ resets 3 p.m.',
    '5-hour limit reached ∙ resets 3pm\n/upgrade to increase your usage limit.',
    '5-hour limit reached ∙ resets 3pm · /upgrade to increase your usage limit.',
    'API Error: 5-hour limit reached ∙ resets 3pm',
    'You’ve hit your session limit · resets 3pm (Europe/Berlin)',
    "you've hit your session limit · resets 3pm (europe/berlin)",
    "You've hit your session limit · resets 3pm (Europe/Berlin). /upgrade to increase your usage limit.",
  ]) {
    it(JSON.stringify(text), () => {
      // A named zone must win over the default (Seoul), so 3pm is 3pm Berlin time either way.
      const r = parsed(text, seen, text.includes('(') ? SEOUL : BERLIN);
      assert.equal(r.scope, 'five_hour');
      assert.equal(r.resetAt, threePm);
    });
  }

  it('a limit message with no reset clause has resetAt null', () => {
    const r = parsed('5-hour limit reached', seen, BERLIN);
    assert.deepEqual(r, { scope: 'five_hour', resetAt: null, timeZone: null, raw: '5-hour limit reached' });
    const h = parsed("You've hit your limit. /upgrade to increase your usage limit.", seen, BERLIN);
    assert.equal(h.scope, 'usage');
    assert.equal(h.resetAt, null);
  });

  it('an unreadable reset time gives resetAt null', () => {
    assert.equal(parsed('5-hour limit reached ∙ resets soon', seen, BERLIN).resetAt, null);
    assert.equal(parsed('5-hour limit reached ∙ resets 3', seen, BERLIN).resetAt, null);
    assert.equal(parsed('5-hour limit reached ∙ resets 13pm', seen, BERLIN).resetAt, null);
  });
});

describe('parseLimitMessage: daylight saving', () => {
  it('New York spring forward: the offset at the reset, not at seenAt, is used', () => {
    // Sat Mar 8 2025 20:00 EST (01:00 UTC Mar 9); DST starts Mar 9 02:00. 09:00 EDT = 13:00 UTC.
    const r = parsed('5-hour limit reached ∙ resets 9am', Date.UTC(2025, 2, 9, 1, 0), NEW_YORK);
    assert.equal(r.resetAt, Date.UTC(2025, 2, 9, 13, 0));
  });

  it('New York spring forward gap: 2:30am is read as 3:30 EDT', () => {
    // Mar 9 2025 00:00 EST = 05:00 UTC; 03:30 EDT = 07:30 UTC.
    const r = parsed('5-hour limit reached ∙ resets 2:30am', Date.UTC(2025, 2, 9, 5, 0), NEW_YORK);
    assert.equal(r.resetAt, Date.UTC(2025, 2, 9, 7, 30));
  });

  it('New York fall back: the repeated 1:30am, first and second reading', () => {
    // Nov 2 2025: 01:30 EDT = 05:30 UTC, then 01:30 EST = 06:30 UTC.
    const early = parsed('5-hour limit reached ∙ resets 1:30am', Date.UTC(2025, 10, 2, 4, 0), NEW_YORK);
    assert.equal(early.resetAt, Date.UTC(2025, 10, 2, 5, 30));
    // Written at 01:45 EDT (05:45 UTC): the first 1:30 has passed, the second has not.
    const late = parsed('5-hour limit reached ∙ resets 1:30am', Date.UTC(2025, 10, 2, 5, 45), NEW_YORK);
    assert.equal(late.resetAt, Date.UTC(2025, 10, 2, 6, 30));
  });

  it('Berlin fall back: 5am after the change is CET', () => {
    // Oct 26 2025 00:00 CEST = Oct 25 22:00 UTC; clocks go back at 03:00. 05:00 CET = 04:00 UTC.
    const r = parsed('5-hour limit reached ∙ resets 5am', Date.UTC(2025, 9, 25, 22, 0), BERLIN);
    assert.equal(r.resetAt, Date.UTC(2025, 9, 26, 4, 0));
  });
});

describe('parseLimitMessage: not limit messages', () => {
  const seen = Date.UTC(2025, 0, 15, 9, 0);

  for (const text of [
    '',
    ' ',
    'limit',
    'I added a rate limit check; once the limit is reached the request is retried.',
    'Rate limit reached for requests',
    "You've hit your limit on open files, so close some.",
    "The CLI printed '5-hour limit reached ∙ resets 3pm' earlier.",
    'Here is the fix:\n5-hour limit reached ∙ resets 3pm is what users see.',
    'Memory limit reached in the worker',
    'Claude AI usage limit reached is a message the old CLI printed',
  ]) {
    it(JSON.stringify(text), () => {
      assert.equal(parseLimitMessage(text, seen, BERLIN), null);
    });
  }

  it('100 KB of junk', () => {
    // A pattern that backtracked without bound would not return here (the runner's timeout ends it).
    const big = junk(100_000);
    for (let i = 0; i < 50; i++) assert.equal(parseLimitMessage(big, seen, BERLIN), null);
    assert.equal(mightContainLimitMessage(big), false);
  });

  it('never throws on odd input', () => {
    const odd: unknown[] = [undefined, null, 42, {}, [], '\u0000'.repeat(10), '('.repeat(5000)];
    for (const v of odd) {
      assert.equal(parseLimitMessage(v as string, seen, BERLIN), null);
      assert.equal(mightContainLimitMessage(v as string), false);
    }
    // Odd seenAt / zone: still a limit message, no reset time where none can be resolved.
    const nan = parseLimitMessage('5-hour limit reached ∙ resets 3pm', Number.NaN, BERLIN);
    assert.equal(nan?.scope, 'five_hour');
    assert.equal(nan?.resetAt, null);
    const inf = parseLimitMessage('5-hour limit reached ∙ resets 3pm', 1e300, BERLIN);
    assert.equal(inf?.resetAt, null);
    const zone = parseLimitMessage('5-hour limit reached ∙ resets 3pm', seen, '');
    assert.equal(zone?.timeZone, 'UTC');
    const longZone = parseLimitMessage(`5-hour limit reached ∙ resets 3pm (${'A/'.repeat(40)})`, seen, BERLIN);
    assert.equal(longZone?.timeZone, BERLIN);
  });
});

describe('mightContainLimitMessage', () => {
  const wordings = [
    'Claude AI usage limit reached|1763900000',
    '5-hour limit reached ∙ resets 3pm',
    'Session limit reached ∙ resets 9:30pm',
    "You've hit your limit · resets Feb 7, 11am (Asia/Seoul)",
    "You've hit your session limit · resets 3pm (Europe/Berlin)",
    "You've hit your weekly limit · resets Mon 9am (America/New_York)",
    'Weekly limit reached ∙ resets Nov 30, 5pm',
    'Opus weekly limit reached ∙ resets Dec 3, 10am',
    "You've hit your Opus limit · resets 11pm",
    "You've hit your usage limit · resets 11pm",
    'SESSION LIMIT REACHED ∙ RESETS 3PM',
    'You’ve hit your limit',
  ];

  for (const text of wordings) {
    it(`true for ${JSON.stringify(text)}, as text and as a JSONL line`, () => {
      assert.equal(mightContainLimitMessage(text), true);
      const line = JSON.stringify({
        type: 'assistant',
        timestamp: '2025-06-10T03:00:00.000Z',
        message: { role: 'assistant', content: [{ type: 'text', text }] },
      });
      assert.equal(mightContainLimitMessage(line), true);
      // And every wording the pre-check lets through parses.
      assert.ok(parseLimitMessage(text, Date.UTC(2025, 5, 10, 3, 0), SEOUL));
    });
  }

  it('false for ordinary text', () => {
    assert.equal(mightContainLimitMessage(''), false);
    assert.equal(mightContainLimitMessage('The rate limit is 50 requests per minute.'), false);
    assert.equal(
      mightContainLimitMessage(JSON.stringify({ type: 'user', message: { content: 'raise the limit please' } })),
      false,
    );
  });
});
