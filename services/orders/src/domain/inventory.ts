export const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_STOCK = 2_147_483_647;

/** Stock of one sku: what can be sold, what is held for orders, what has left the warehouse. */
export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
  shipped: number;
}

/** How many of one sku an order takes. */
export interface OrderLine {
  sku: string;
  quantity: number;
}

/** A line of an order's reservation: held until it ships or is released. */
export interface ReservationLine extends OrderLine {
  status: 'held' | 'released' | 'shipped';
}

/** Inventory as a decision sees it: the stock rows it read, the reservations of its orders. */
export interface InventoryState {
  stock: Record<string, StockLevel>;
  reservations: Record<string, ReservationLine[]>;
}

export type InventoryEvent =
  | { type: 'StockSet'; data: { sku: string; available: number } }
  | { type: 'InventoryReserved'; data: { orderId: string; items: OrderLine[] } }
  | { type: 'ReservationRejected'; data: { orderId: string; reason: string } }
  | { type: 'InventoryReleased'; data: { orderId: string; items: OrderLine[] } };

export const initialInventory = (): InventoryState => ({ stock: {}, reservations: {} });

/** The lines of an order's reservation still held. */
export function heldLines(lines: ReservationLine[] = []): OrderLine[] {
  return lines
    .filter((line) => line.status === 'held')
    .map(({ sku, quantity }) => ({ sku, quantity }));
}

function moveStock(
  stock: Record<string, StockLevel>,
  items: OrderLine[],
  move: (level: StockLevel, quantity: number) => StockLevel,
): Record<string, StockLevel> {
  const moved = { ...stock };
  for (const { sku, quantity } of items) {
    const level = moved[sku];
    if (level) moved[sku] = move(level, quantity);
  }
  return moved;
}

export function evolveInventory(state: InventoryState, event: InventoryEvent): InventoryState {
  switch (event.type) {
    case 'StockSet': {
      const { sku, available } = event.data;
      const level = state.stock[sku] ?? { sku, available, reserved: 0, shipped: 0 };
      return { ...state, stock: { ...state.stock, [sku]: { ...level, available } } };
    }
    case 'InventoryReserved': {
      const { orderId, items } = event.data;
      return {
        stock: moveStock(state.stock, items, (level, quantity) => ({
          ...level,
          available: level.available - quantity,
          reserved: level.reserved + quantity,
        })),
        reservations: {
          ...state.reservations,
          [orderId]: items.map((item) => ({ ...item, status: 'held' })),
        },
      };
    }
    case 'ReservationRejected':
      return state;
    case 'InventoryReleased': {
      const { orderId, items } = event.data;
      const released = new Set(items.map((item) => item.sku));
      return {
        stock: moveStock(state.stock, items, (level, quantity) => ({
          ...level,
          available: level.available + quantity,
          reserved: level.reserved - quantity,
        })),
        reservations: {
          ...state.reservations,
          [orderId]: (state.reservations[orderId] ?? []).map((line) =>
            released.has(line.sku) ? { ...line, status: 'released' } : line,
          ),
        },
      };
    }
  }
}

/**
 * Whether every item can be reserved; all or nothing. The reason names the first sku short of
 * stock, so a cancelled order says why.
 */
export function reservationShortfall(
  stock: Record<string, StockLevel>,
  items: OrderLine[],
): string | undefined {
  for (const item of items) {
    const level = stock[item.sku];
    if (!level) return `unknown sku ${item.sku}`;
    if (level.available < item.quantity)
      return `insufficient stock for ${item.sku}: ${level.available} available, ${item.quantity} requested`;
  }
  return undefined;
}

/** Validates a PUT /inventory/:sku request; returns the stock to set or why it is refused. */
export function parseSetStock(
  sku: string,
  body: unknown,
): { sku: string; available: number } | { error: string } {
  if (!SKU.test(sku)) return { error: 'sku must be 1-64 letters, digits, ".", "_" or "-"' };
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body must be a JSON object like {"available": 10}' };
  const { available, ...rest } = body as Record<string, unknown>;
  if (
    !Number.isInteger(available) ||
    (available as number) < 0 ||
    (available as number) > MAX_STOCK
  )
    return { error: `available must be a whole number from 0 to ${MAX_STOCK}` };
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0)
    return { error: `unexpected field ${unexpected.map((f) => `"${f}"`).join(', ')}` };
  return { sku, available: available as number };
}
