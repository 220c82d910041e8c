import type { Consumer, ConsumerGroupJoinPayload } from '@platformatic/kafka' with {
  'resolution-mode': 'import',
};
import type { Logger } from '@eventline/telemetry';

type StringConsumer = Consumer<string, string, string, string>;

/** A change of the partitions this dispatcher holds, as a rebalance of its group decided it. */
export interface Handover {
  generation: number;
  /** partitions given to this dispatcher */
  claimed: number[];
  /** partitions taken from it */
  released: number[];
  /**
   * The group removed this dispatcher before the rebalance (it missed its session): the
   * partitions it released may have been read by their new owner already, so it must not commit
   * its progress on them.
   */
  expelled: boolean;
}

export interface DispatcherGroupOptions {
  /** a member of the group: joins it, heartbeats and receives assignments */
  member: StringConsumer;
  /** a client of the same group that never joins it: commits as the member, refused once fenced */
  marker: StringConsumer;
  topic: string;
  log: Logger;
  /** Called once per assignment that changed, one at a time, in the group's order. */
  onHandover: (handover: Handover) => Promise<void>;
}

const MARKER_POLL_MS = 50;
const JOIN_ATTEMPTS = 40;
const JOIN_RETRY_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The dispatchers of one broker, as a Kafka consumer group of their own: each partition of the
 * broker's topic is read by one member at a time, which delivers it for every trigger (the one
 * read of the topic that all triggers share). Kafka's generations fence the members: a commit
 * made as the member at a generation the group has left is refused.
 *
 * The group's own committed offsets are the handover markers, one per partition: 2g once the
 * member that holds it since generation g has started it, 2g + 1 once a member released it with
 * its triggers' progress committed. A new owner starts a partition at once if its marker says
 * released (or it never had one); otherwise the previous owner is still settling, or dead, and
 * it waits for the release up to a bound. The classic protocol's eager rebalance hands no hook
 * between revocation and rejoin to the client, so the release is signalled this way instead of
 * being committed before the rejoin.
 */
export class DispatcherGroup {
  private generation = -1;
  private held = new Set<number>();
  /** a rebalance was announced to this member since its last assignment */
  private rebalancing = false;
  private handovers: Promise<void> = Promise.resolve();
  private leaving = false;

  constructor(private readonly options: DispatcherGroupOptions) {
    const { member, log } = options;
    member.topics.track(options.topic);
    member.on('consumer:group:rebalance', () => (this.rebalancing = true));
    member.on('consumer:group:join', (payload) => this.assigned(payload));
    // a rejoin that failed for good is reported as an error event, which must not end the process
    member.on('error', (err: Error) => log.error({ err }, 'dispatcher group membership failed'));
  }

  /** Joins the group; resolves once the first assignment was taken over. */
  async join(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.member.joinGroup();
        break;
      } catch (err) {
        // a topic created a moment ago may not be in every broker's metadata yet
        if (attempt >= JOIN_ATTEMPTS) throw err;
        this.options.log.warn({ err, attempt }, 'joining the dispatcher group failed; retrying');
        await sleep(JOIN_RETRY_MS);
      }
    }
    await this.handovers;
  }

  /** The generation whose assignment this dispatcher holds. */
  get currentGeneration(): number {
    return this.generation;
  }

  private assigned(payload: ConsumerGroupJoinPayload): void {
    if (this.leaving) return;
    const generation = payload.generationId ?? -1;
    const assigned = new Set(
      (payload.assignments ?? [])
        .filter((assignment) => assignment.topic === this.options.topic)
        .flatMap((assignment) => assignment.partitions),
    );
    const expelled = !this.rebalancing && this.held.size > 0;
    this.rebalancing = false;
    // an expelled member may have had its partitions read by another since: it starts them anew
    const kept = expelled ? new Set<number>() : this.held;
    const handover: Handover = {
      generation,
      claimed: [...assigned].filter((partition) => !kept.has(partition)),
      released: [...this.held].filter((partition) => expelled || !assigned.has(partition)),
      expelled,
    };
    this.generation = generation;
    this.held = assigned;
    this.options.log.info(
      {
        generation,
        partitions: [...assigned],
        claimed: handover.claimed,
        released: handover.released,
      },
      'dispatcher group assignment',
    );
    this.handovers = this.handovers
      .then(() => this.options.onHandover(handover))
      .catch((err: unknown) => this.options.log.error({ err }, 'partition handover failed'));
  }

  /**
   * Commits `partitions`' markers as the member at `generation`: true if Kafka took it, which it
   * does only while the group is still at that generation, so only while this member holds them.
   */
  async mark(partitions: number[], generation: number, released: boolean): Promise<boolean> {
    const { marker, member, topic } = this.options;
    if (partitions.length === 0) return true;
    marker.memberId = member.memberId;
    marker.generationId = generation;
    const value = 2n * BigInt(generation) + (released ? 1n : 0n);
    try {
      await marker.commit({
        offsets: partitions.map((partition) => ({
          topic,
          partition,
          offset: value,
          leaderEpoch: -1,
        })),
      });
      return true;
    } catch (err) {
      this.options.log.warn({ err, generation, partitions }, 'dispatcher group commit refused');
      return false;
    }
  }

  /**
   * Resolves once every one of `partitions` was released by its previous owner (or never held),
   * or after `waitMs`: an owner that died never releases, and its deliveries in flight died with it.
   */
  async released(partitions: number[], waitMs: number): Promise<void> {
    const { marker, topic } = this.options;
    const deadline = Date.now() + waitMs;
    let waiting = partitions;
    while (waiting.length > 0 && Date.now() < deadline && !this.leaving) {
      const committed = await marker.listCommittedOffsets({
        topics: [{ topic, partitions: waiting }],
      });
      const markers = committed.get(topic) ?? [];
      waiting = waiting.filter((partition) => {
        const value = markers[partition] ?? -1n;
        return value >= 0n && value % 2n === 0n;
      });
      if (waiting.length > 0) await sleep(MARKER_POLL_MS);
    }
    if (waiting.length > 0)
      this.options.log.warn(
        { partitions: waiting },
        'previous owner did not release its partitions in time; starting from their committed offsets',
      );
  }

  /** Stops taking assignments; the member leaves the group once closed. */
  async leave(): Promise<void> {
    this.leaving = true;
    await this.handovers;
  }

  /** The partitions held, with the generation that gave them. */
  holding(): { generation: number; partitions: number[] } {
    return { generation: this.generation, partitions: [...this.held] };
  }
}
