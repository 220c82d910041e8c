import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { eventually, uniqueName } from '@eventline/testing';
import { repositoryRoot } from '../support/repository';
import { placeOrder, setStock, terminal } from '../orders/orders-system';
import { publishBadFlagChange, startOperatorWorld, type OperatorWorld } from './operator-system';

/** Screenshots are the run's artifacts, in the ignored reports/ folder. */
const ARTIFACTS = path.join(repositoryRoot(), 'reports/dashboard');

/** Debian's chromium, installed by the project's script when missing; never a downloaded browser. */
function chromiumPath(): string {
  const script = path.join(repositoryRoot(), 'scripts/browser/chromium.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1) as string;
}

describe('the dashboard in headless Chromium, on a running system on real servers', () => {
  let world: OperatorWorld;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  const shoot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'eventline-chromium-'));
    const executablePath = chromiumPath();
    // A fresh profile each run; without the networking flags the closed network here refuses the
    // browser's own calls.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    world = await startOperatorWorld('processes');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("given the overview is open, when an order is placed, then it shows up live and its link opens the saga's timeline", async () => {
    await page.goto(`${world.system.edgeUrl}/ui/`);
    await page.getByTestId('events-appended').waitFor();
    await page.getByText('No events since this page opened.').waitFor();

    await setStock(world, 'dashboard-sku', 5);
    const orderId = await placeOrder(world, {
      items: [{ sku: 'dashboard-sku', quantity: 2, unitPrice: 1250 }],
    });
    await terminal(world, orderId, 60_000);

    const link = page.getByTestId('recent-events').getByRole('link', { name: orderId.slice(0, 8) });
    await link.first().waitFor({ timeout: 30_000 });
    // The figures come from the broker and the activator: the saga's handlers ran as processes.
    // The saga's seven events (placed, three requests, three outcomes), as the broker counts them.
    await eventually(async () => {
      const shown = await page.getByTestId('events-appended').textContent();
      const appended = world.system.broker.eventsAppended;
      return appended >= 7 && shown === String(appended) ? shown : undefined;
    }, 30_000);
    expect(await page.getByTestId('active-processes').textContent()).toMatch(/^[1-9]\d* \/ \d+$/);
    await page
      .getByTestId('triggers')
      .getByRole('cell', { name: 'order-saga', exact: true })
      .waitFor();
    await shoot('overview');

    await link.first().click();
    await page.waitForURL(`**/ui/#/executions/${orderId}`);
    await page.getByTestId('execution-status').getByText('COMPLETED').waitFor({ timeout: 30_000 });
    const steps = await page
      .locator('[data-testid=timeline] g.step')
      .evaluateAll((groups) =>
        groups.map((g) => [g.getAttribute('data-step'), g.getAttribute('class')]),
      );
    expect(steps).toEqual([
      ['OrderPlaced', 'step started'],
      ['reserve-inventory', 'step succeeded'],
      ['charge-payment', 'step succeeded'],
      ['create-shipment', 'step succeeded'],
      ['OrderCompleted', 'step completed'],
    ]);
    // Drawn on one time axis: each step's bar starts where the one before it ended.
    const bars = await page
      .locator('[data-testid=timeline] g.step rect')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('x'))));
    expect([...bars].sort((a, b) => a - b)).toEqual(bars);
    await shoot('execution');
  }, 120_000);

  it('given a dead letter, when its Replay button is clicked, then it leaves the list', async () => {
    const id = uniqueName('dashboard-letter');
    expect((await publishBadFlagChange(world.system, id)).status).toBe(202);
    const letters = await eventually(async () => {
      const response = await fetch(`${world.system.edgeUrl}/dead-letters`);
      const { letters } = (await response.json()) as {
        letters: Array<{ letterId: number; event: { id: string } }>;
      };
      return letters.some((l) => l.event.id === id) ? letters : undefined;
    }, 30_000);
    const letterId = letters.find((l) => l.event.id === id)!.letterId;

    await page.goto(`${world.system.edgeUrl}/ui/#/dead-letters`);
    const row = page.locator(`[data-testid=dead-letters] tr[data-letter-id="${letterId}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(3).textContent()).toBe('400');
    expect(await row.locator('td.reason').textContent()).toMatch(/enabled/);
    await shoot('dead-letters');

    await row.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('status').getByText(`Letter ${letterId} replayed`).waitFor();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await shoot('dead-letter-replayed');
  }, 90_000);

  it('given the parked events page, when opened, then it lists what the order view parked', async () => {
    await page.goto(`${world.system.edgeUrl}/ui/#/parked`);
    await page.getByText('No parked events.').waitFor();
    await shoot('parked');
  }, 60_000);
});
