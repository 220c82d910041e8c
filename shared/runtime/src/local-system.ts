import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deliveryTargetOf,
  KafkaEventLog,
  LocalBroker,
  LocalKafkaSink,
  LocalKafkaSource,
  MemoryEventLog,
  kafkaNames,
  type BrokerFaults,
  type EventLog,
} from '@eventline/broker';
import {
  migrateService,
  startHandler,
  type RunningHandler,
  type ServiceDefinition,
} from '@eventline/kit';
import {
  loadRouting,
  routingOfSite,
  senderName,
  triggerFilterOf,
  triggers,
  type HandlerRoute,
  type Routing,
} from '@eventline/routing';
import { answerProtocolErrors } from '@eventline/cloudevents-http';
import { createPool } from '@eventline/store';
import { createLogger, redactUrl, serveMetrics, type Logger } from '@eventline/telemetry';
import type { RedisClient } from '@eventline/cache';
import { Activator } from './activator';
import { AdminEndpoints } from './admin';
import { catalogDocument, catalogResponder } from './catalog';
import { readLocalSystemEnv } from './config';
import { migrateAsPackageRoles } from './database-roles';
import { DispatcherProcess } from './dispatcher-process';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startGateway } from './gateway';
import { HandlerProcess, serviceEntryPoint } from './handler-process';
import { PingSources } from './ping-sources';
import { loadService } from './services';
import { localSenders } from './senders';

export type Topology = 'in-process' | 'processes';

/**
 * A job's process stops this soon after its run, as Knative's shortest autoscaling window
 * (6 s, the chart's window for jobs) lets it: a job ticking every minute would otherwise never
 * scale to zero under a longer window.
 */
const JOB_IDLE_WINDOW_MS = 6_000;

export interface LocalSystemOptions {
  env?: NodeJS.ProcessEnv;
  routing?: Routing;
  /**
   * every handler in this process (fast start), or each its own OS process started on its first
   * request and stopped when idle (as in a cluster with min-scale 0)
   */
  topology?: Topology;
  host?: string;
  edgePort?: number;
  brokerPort?: number;
  namespace?: string;
  /**
   * which install of the hybrid model this is (routing's `site`): a region (its handlers, and
   * KafkaSinks toward central), the central store (its handlers, and the KafkaSources reading
   * the regions' feed), or, without one, everything in one install (needs no Kafka link)
   */
  site?: 'region' | 'central';
  /** the region this install is, EVENTLINE_REGION for its handlers (the chart's `region`) */
  region?: string;
  /** Kafka partitions of the broker topic */
  partitions?: number;
  /** fault injection: the copies the broker makes of deliveries and appends (see BrokerFaults) */
  faults?: BrokerFaults;
  /**
   * where the broker's dispatcher runs: in this process beside the ingress (the default), or as
   * an OS process of its own, as the Knative Kafka broker's dispatcher pod (needs Kafka; the
   * admin endpoints then see no trigger's figures)
   */
  dispatcher?: 'in-process' | 'process';
  logger?: Logger;
}

export interface LocalSystem {
  edgeUrl: string;
  brokerUrl: string;
  broker: LocalBroker;
  handlerUrls: Record<string, string>;
  /** what each dependency is: embedded or the URL given in the environment */
  dependencies: { postgres: string; redis: string; kafka: string };
  /** handler processes by name, when topology is 'processes'; none runs before its first request */
  processes: Map<string, HandlerProcess>;
  /** starts and stops the processes, when topology is 'processes' */
  activator?: Activator;
  /** the broker's dispatcher, when it runs as its own process */
  dispatcher?: DispatcherProcess;
  /** how long a handler process may be idle before it is stopped, when topology is 'processes' */
  idleWindowMs: number;
  /** the operator's figures (`GET /admin/overview` on the gateway) */
  admin: AdminEndpoints;
  /** the jobs' schedules; `fire` sends a tick now */
  pingSources: PingSources;
  /** routing's KafkaSources by name, running when KAFKA_BROKERS is set (none without Kafka) */
  kafkaSources: Map<string, LocalKafkaSource>;
  /** routing's KafkaSinks by name, in a region's install (they need KAFKA_BROKERS) */
  kafkaSinks: Map<string, LocalKafkaSink>;
  /**
   * each handler's token toward the broker, new at every start; empty when
   * EVENTLINE_SENDER_AUTHORIZATION is disabled
   */
  senderTokens: Record<string, string>;
  databaseUrl: string;
  /** where a service package's handlers connect: its runtime role's URL, or databaseUrl */
  databaseUrlOf(packageName: string): string;
  stop(): Promise<void>;
}

type Running = { name: string; url: string; close(): Promise<void> };

async function embeddedRedis(): Promise<RedisClient> {
  const { default: RedisMock } = await import('ioredis-mock');
  // The stand-in has no connection state; it is always as good as a connected client.
  return Object.assign(new RedisMock(), { status: 'ready' }) as unknown as RedisClient;
}

/**
 * Runs the whole system on one machine: the broker (in memory, or on Kafka when KAFKA_BROKERS is
 * set), Postgres (embedded PGlite unless DATABASE_URL), Redis (an in-memory stand-in unless
 * REDIS_URL), every handler of the routing file behind its own HTTP endpoint, triggers wired from
 * that same file, and a gateway on the edge port.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const env = { ...process.env, ...options.env };
  const config = readLocalSystemEnv(env);
  const log = options.logger ?? createLogger('eventline-local', config.LOG_LEVEL);
  const routing = routingOfSite(options.routing ?? loadRouting(), options.site);
  const topology = options.topology ?? 'in-process';
  const host = options.host ?? config.EVENTLINE_HOST;
  const namespace = options.namespace ?? config.EVENTLINE_NAMESPACE;
  if (options.dispatcher === 'process' && !config.KAFKA_BROKERS)
    throw new Error('a dispatcher process needs KAFKA_BROKERS: it reads the broker log from Kafka');
  if (routing.kafkaSinks.length > 0 && !config.KAFKA_BROKERS)
    throw new Error(
      `a region's KafkaSinks (${routing.kafkaSinks.map((s) => s.name).join(', ')}) need KAFKA_BROKERS: they write to Kafka topics`,
    );
  if (options.region) env.EVENTLINE_REGION = options.region;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((err) => log.warn({ err }, 'stop failed'));
  };

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres();
      stops.push(postgres.stop);
      databaseUrl = postgres.url;
      // PGlite's connections share one session (see sharedSession in @eventline/store).
      env.EVENTLINE_PG_SHARED_SESSION = 'true';
      process.env.EVENTLINE_PG_SHARED_SESSION = 'true';
    }
    const services = new Map<string, ServiceDefinition>();
    for (const route of routing.handlers) services.set(route.package, loadService(route.package));
    const definitionOf = (route: HandlerRoute) =>
      services.get(route.package)?.handlers.find((h) => h.name === route.name);
    // Without REDIS_URL there is one Redis stand-in, in this process: a handler keeping state
    // in Redis runs here with it, where a process of its own would have none.
    const keepingRedisState = new Set(
      config.REDIS_URL
        ? []
        : routing.handlers.filter((r) => definitionOf(r)?.state === 'redis').map((r) => r.name),
    );
    const inThisProcess = (route: HandlerRoute) =>
      topology === 'in-process' || keepingRedisState.has(route.name);
    if (topology === 'processes' && !config.REDIS_URL) {
      log.warn(
        { inThisProcess: [...keepingRedisState] },
        'REDIS_URL unset: handler processes run without a cache; those keeping state in Redis run in this process on its stand-in',
      );
    }
    const sharedRedis =
      config.REDIS_URL || !routing.handlers.some(inThisProcess) ? undefined : await embeddedRedis();
    // The embedded PGlite is one session for every connection: it has no roles to tell apart.
    const packageUrls = new Map<string, string>();
    if (config.DATABASE_URL && config.EVENTLINE_DATABASE_ROLES === 'per-package') {
      const connections = await migrateAsPackageRoles(databaseUrl, [...services.values()]);
      for (const [name, connection] of connections) packageUrls.set(name, connection.runtimeUrl);
    } else {
      const pool = createPool(databaseUrl, { max: 1, name: 'eventline-migrate' });
      try {
        for (const service of services.values()) await migrateService(service, pool);
      } finally {
        await pool.end();
      }
    }
    const routeDatabaseUrl = (route: HandlerRoute) => packageUrls.get(route.package) ?? databaseUrl;

    const eventLog: EventLog = config.KAFKA_BROKERS
      ? new KafkaEventLog({
          brokers: config.KAFKA_BROKERS.split(','),
          topic: kafkaNames.topic(namespace, routing.broker.name),
          partitions: options.partitions,
          log,
        })
      : new MemoryEventLog(log, options.partitions);
    const idleWindowMs = config.EVENTLINE_IDLE_WINDOW_MS;
    const activator =
      topology === 'processes'
        ? new Activator({ host, idleWindowMs, log: log.child({ component: 'activator' }) })
        : undefined;
    if (activator) stops.push(() => activator.stop());
    // Deliveries go to a running handler's process itself, not through its activator address.
    const directRoute = activator && ((url: string) => activator.direct(url));
    const senders =
      config.EVENTLINE_SENDER_AUTHORIZATION === 'enabled'
        ? localSenders(routing, config.EVENTLINE_SENDERS)
        : undefined;
    if (!senders) log.warn('EVENTLINE_SENDER_AUTHORIZATION=disabled: anyone may send anything');
    const broker = new LocalBroker({
      namespace,
      name: routing.broker.name,
      eventLog,
      logger: log.child({ component: 'broker' }),
      faults: options.faults,
      directRoute,
      senders: senders?.policy,
    });
    stops.push(() => broker.close());
    const ingress = broker.ingress();
    const brokerServer = http.createServer((req, res) => {
      if (req.url === '/metrics' && req.method === 'GET') serveMetrics(req, res);
      else ingress(req, res);
    });
    answerProtocolErrors(brokerServer);
    brokerServer.keepAliveTimeout = 65_000; // as the gateway's: producers keep connections alive
    await new Promise<void>((resolve) =>
      brokerServer.listen(options.brokerPort ?? 0, host, resolve),
    );
    stops.push(
      () =>
        new Promise((resolve) => {
          brokerServer.close(() => resolve());
          brokerServer.closeAllConnections();
        }),
    );
    const brokerUrl = `http://${host}:${(brokerServer.address() as AddressInfo).port}${broker.path}`;

    const handlerEnv: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: databaseUrl,
      K_SINK: brokerUrl,
      EVENTLINE_DB_POOL_MAX: env.EVENTLINE_DB_POOL_MAX ?? '4',
    };
    const processes = new Map<string, HandlerProcess>();
    const startOne = async (route: HandlerRoute): Promise<Running> => {
      const service = services.get(route.package) as ServiceDefinition;
      const ownEnv = senders
        ? { ...handlerEnv, EVENTLINE_SENDER_TOKEN: senders.handlerTokens[route.name] }
        : handlerEnv;
      if (activator && !inThisProcess(route)) {
        const child = new HandlerProcess(
          route.name,
          serviceEntryPoint(route.package),
          { ...ownEnv, DATABASE_URL: routeDatabaseUrl(route) },
          (line) => process.stdout.write(`${line}\n`),
        );
        processes.set(route.name, child);
        const idle =
          route.kind === 'job' ? Math.min(idleWindowMs, JOB_IDLE_WINDOW_MS) : idleWindowMs;
        const url = await activator.add(child, idle);
        return { name: route.name, url, close: async () => undefined };
      }
      const handler: RunningHandler = await startHandler(service, route.name, {
        env: { ...ownEnv, DATABASE_URL: routeDatabaseUrl(route), PORT: '0', HOST: host },
        redis: sharedRedis,
      });
      return handler;
    };
    // Handlers are independent servers; starting them together is what makes `npm start` quick.
    const running = await Promise.all(routing.handlers.map(startOne));
    stops.push(async () => {
      await Promise.all(running.map((r) => r.close()));
    });
    const handlerUrls = Object.fromEntries(running.map((r) => [r.name, r.url]));

    // A KafkaSink is an addressable of its own, with a Trigger per type the region forwards.
    const kafkaSinks = new Map<string, LocalKafkaSink>();
    for (const route of routing.kafkaSinks) {
      const sink = new LocalKafkaSink({
        route,
        brokers: (config.KAFKA_BROKERS as string).split(','),
        host,
        log: log.child({ component: 'kafka-sink', sink: route.name }),
      });
      await sink.start();
      stops.push(() => sink.stop());
      kafkaSinks.set(route.name, sink);
    }
    const sinkTriggerSpecs = routing.kafkaSinks.flatMap((route) =>
      route.forward.map((type) => {
        const deadLetters = route.delivery.deadLetterSink;
        return {
          name: `${route.name}-${type.replaceAll('.', '-')}`,
          subscriber: (kafkaSinks.get(route.name) as LocalKafkaSink).url,
          filter: { attributes: { type } },
          delivery: {
            ...route.delivery,
            deadLetterSink: deadLetters ? `${handlerUrls[deadLetters]}/` : undefined,
          },
          ordered: false,
        };
      }),
    );

    const handlerTriggerSpecs = triggers(routing).map((route) => {
      const sink = route.delivery.deadLetterSink;
      return {
        name: route.name,
        subscriber: `${handlerUrls[route.name]}/`,
        filter: triggerFilterOf(route, namespace),
        delivery: { ...route.delivery, deadLetterSink: sink ? `${handlerUrls[sink]}/` : undefined },
        ordered: route.ordered,
        sender: senderName({ kind: 'handler', name: route.name }),
      };
    });
    const triggerSpecs = [...handlerTriggerSpecs, ...sinkTriggerSpecs];
    let dispatcher: DispatcherProcess | undefined;
    if (options.dispatcher === 'process') {
      // Its deliveries go through the activator's addresses: the activator's direct route is
      // this process's alone.
      dispatcher = new DispatcherProcess({
        namespace,
        brokerName: routing.broker.name,
        kafkaBrokers: config.KAFKA_BROKERS as string,
        triggers: triggerSpecs,
        partitions: options.partitions,
        duplicateDeliveries: options.faults?.duplicateDeliveries,
        senders: senders?.allowances,
        env,
        log: log.child({ component: 'dispatcher' }),
        output: (line) => process.stdout.write(`${line}\n`),
      });
      const started = dispatcher;
      stops.push(() => started.stop());
      await dispatcher.start();
    } else {
      for (const spec of triggerSpecs) await broker.addTrigger(spec);
    }

    const pingSources = new PingSources({
      namespace,
      publish: (event) => broker.publish(event),
      log: log.child({ component: 'ping-sources' }),
    });
    stops.push(async () => pingSources.stop());
    for (const route of routing.handlers) if (route.ping) pingSources.add(route.name, route.ping);

    // KafkaSources read Kafka topics; on the in-memory broker there is no Kafka to read.
    const kafkaSources = new Map<string, LocalKafkaSource>();
    if (config.KAFKA_BROKERS) {
      for (const route of routing.kafkaSources) {
        const { delivery } = route;
        const sink = delivery.deadLetterSink;
        const token = senders?.kafkaSourceTokens[route.name];
        const source = new LocalKafkaSource({
          route,
          namespace,
          brokers: config.KAFKA_BROKERS.split(','),
          sink: brokerUrl,
          // The source's delivery spec is read exactly as a trigger's (durations, default timeout).
          delivery: {
            ...deliveryTargetOf({
              name: route.name,
              subscriber: brokerUrl,
              filter: {},
              ordered: true,
              delivery: { ...delivery, deadLetterSink: sink ? `${handlerUrls[sink]}/` : undefined },
            }),
            ...(token && { headers: { authorization: `Bearer ${token}` } }),
          },
          log: log.child({ component: 'kafka-source', source: route.name }),
        });
        await source.start();
        stops.push(() => source.stop());
        kafkaSources.set(route.name, source);
      }
    }

    const catalog = catalogResponder(catalogDocument(routing, { namespace }));
    const admin = new AdminEndpoints({ broker, topology, processes, activator });
    stops.push(async () => admin.close());
    const gateway = await startGateway(
      routing.handlers.flatMap((route) =>
        route.paths.map((prefix) => ({ prefix, target: () => handlerUrls[route.name] as string })),
      ),
      host,
      options.edgePort ?? config.EVENTLINE_EDGE_PORT,
      { direct: directRoute, own: (req, res) => catalog(req, res) || admin.handle(req, res) },
    );
    stops.push(gateway.close);

    return {
      edgeUrl: gateway.url,
      brokerUrl,
      broker,
      handlerUrls,
      processes,
      activator,
      dispatcher,
      admin,
      idleWindowMs,
      pingSources,
      kafkaSources,
      kafkaSinks,
      senderTokens: senders?.handlerTokens ?? {},
      databaseUrl,
      databaseUrlOf: (packageName) => packageUrls.get(packageName) ?? databaseUrl,
      dependencies: {
        postgres: config.DATABASE_URL
          ? `${redactUrl(config.DATABASE_URL)}${packageUrls.size > 0 ? ', a role per service package' : ''}`
          : 'embedded PGlite',
        redis: config.REDIS_URL
          ? redactUrl(config.REDIS_URL)
          : !sharedRedis
            ? 'none'
            : topology === 'in-process'
              ? 'embedded in-memory stand-in'
              : `embedded in-memory stand-in, for ${[...keepingRedisState].join(', ')} (in this process)`,
        kafka: config.KAFKA_BROKERS ? `Kafka at ${config.KAFKA_BROKERS}` : 'in-memory broker',
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
