/** An `emits`-style grant: this sender may send these types (`*`: any type). */
export interface SenderAllowance {
  sender: string;
  types: readonly string[];
}

/** Why the ingress refused an event: the type and who sent it (undefined: nobody it knows). */
export interface SenderRefusal {
  type: string;
  sender?: string;
  message: string;
}

const ANY = '*';

/**
 * Knative's sender authorization (EventPolicy on OIDC identities) for the local broker: a bearer
 * token names the sender, and a sender may send only the types it was granted. Replies carry no
 * token: the dispatcher knows whom it delivered to, and checks the reply as that subscriber's.
 */
export class SenderPolicy {
  private readonly allowed = new Map<string, Set<string>>();
  private readonly senders = new Map<string, string>();

  /** `tokens`: token → sender; a sender without a token may still reply to deliveries */
  constructor(allowances: Iterable<SenderAllowance>, tokens: ReadonlyMap<string, string>) {
    for (const { sender, types } of allowances) {
      const set = this.allowed.get(sender) ?? new Set<string>();
      for (const type of types) set.add(type);
      this.allowed.set(sender, set);
    }
    for (const [token, sender] of tokens) this.senders.set(token, sender);
  }

  /** The sender an `Authorization: Bearer <token>` header names, if any. */
  senderOf(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match ? this.senders.get(match[1] as string) : undefined;
  }

  /** Undefined when `sender` may send `type`; else what to answer, naming both. */
  refusal(sender: string | undefined, type: string): SenderRefusal | undefined {
    const types = sender === undefined ? undefined : this.allowed.get(sender);
    if (types?.has(type) || types?.has(ANY)) return undefined;
    const who =
      sender === undefined ? 'an unknown sender (no token, or one no sender has)' : sender;
    return { type, sender, message: `${who} may not send ${type} to this broker` };
  }
}
