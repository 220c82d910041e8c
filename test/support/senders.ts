import { randomBytes } from 'node:crypto';

/**
 * The tests' own external producer, configured as a user configures one (EVENTLINE_SENDERS): a
 * suite that posts to the ingress by hand sends as `sender tests`, allowed only the types it
 * names.
 */
const TEST_SENDER_TOKEN = randomBytes(24).toString('base64url');

/** The environment that lets `sender tests` send `emits` to the local system's broker. */
export function testSenderEnv(emits: string[]): { EVENTLINE_SENDERS: string } {
  return { EVENTLINE_SENDERS: JSON.stringify({ tests: { token: TEST_SENDER_TOKEN, emits } }) };
}

/** The header that names the poster `sender tests`. */
export const asTestSender = { authorization: `Bearer ${TEST_SENDER_TOKEN}` };
