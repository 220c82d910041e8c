import { brokerRole, httpHandlerRole } from './broker';
import { kafkajsHandlerRole, platformaticHandlerRole } from './raw-kafka';
import type { RoleName } from './round-trip';

type Role = (config: never) => Promise<{ ready: Record<string, string>; stop(): Promise<void> }>;

const roles: Record<RoleName, Role> = {
  'kafkajs-handler': kafkajsHandlerRole,
  'platformatic-handler': platformaticHandlerRole,
  'http-handler': httpHandlerRole,
  broker: brokerRole,
};

/** A child process of the broker bench: runs one role until SIGTERM; prints one ready line. */
async function main(): Promise<void> {
  const [name, config] = process.argv.slice(2);
  const role = roles[name as RoleName];
  if (!role) throw new Error(`unknown role ${name}`);
  const running = await role(JSON.parse(config ?? '{}') as never);
  process.once('SIGTERM', () => {
    void running.stop().finally(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify(running.ready)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench role: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
