import { randomBytes } from 'node:crypto';
import { SenderPolicy, type SenderAllowance } from '@eventline/broker';
import { senderGrants, senderName, type Routing } from '@eventline/routing';
import type { ExternalSenders } from './config';

/** The identities one start of the local system hands out, and what it lets each send. */
export interface LocalSenders {
  policy: SenderPolicy;
  /** what each sender may send: the policy's grants, for a dispatcher in another process */
  allowances: SenderAllowance[];
  /** handler name → the token its process sends (EVENTLINE_SENDER_TOKEN), new at every start */
  handlerTokens: Record<string, string>;
  /** KafkaSource name → the token it posts to the ingress with */
  kafkaSourceTokens: Record<string, string>;
}

const newToken = () => randomBytes(24).toString('base64url');

/** How an external sender is named in a refusal: `sender <name>`. */
export const externalSenderName = (name: string) => `sender ${name}`;

/**
 * The local mirror of the chart's EventPolicies: every handler gets a token of its own (one that
 * emits nothing too, so that a forgery with it is named), routing's grants say what each may send,
 * and the configured external senders (EVENTLINE_SENDERS) send what their entry names.
 */
export function localSenders(routing: Routing, external: ExternalSenders = {}): LocalSenders {
  const tokens = new Map<string, string>();
  const handlerTokens: Record<string, string> = {};
  for (const route of routing.handlers) {
    const token = newToken();
    handlerTokens[route.name] = token;
    tokens.set(token, senderName({ kind: 'handler', name: route.name }));
  }
  const kafkaSourceTokens: Record<string, string> = {};
  for (const source of routing.kafkaSources) {
    const token = newToken();
    kafkaSourceTokens[source.name] = token;
    tokens.set(token, senderName({ kind: 'kafka-source', name: source.name }));
  }
  for (const [name, sender] of Object.entries(external)) {
    if (tokens.has(sender.token))
      throw new Error(`EVENTLINE_SENDERS: ${name}'s token is another sender's`);
    tokens.set(sender.token, externalSenderName(name));
  }
  const allowances: SenderAllowance[] = [
    ...senderGrants(routing).map((grant) => ({ sender: senderName(grant), types: grant.types })),
    ...Object.entries(external).map(([name, sender]) => ({
      sender: externalSenderName(name),
      types: sender.emits,
    })),
  ];
  return {
    policy: new SenderPolicy(allowances, tokens),
    allowances,
    handlerTokens,
    kafkaSourceTokens,
  };
}
