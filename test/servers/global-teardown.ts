/** Stops servers the setup started itself (testcontainers); servers from the environment or the scripts stay up. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.eventlineTestServers?.stop();
}
