import { expect, it } from "vitest";
import { SingleFlight } from "../../src/versioning/single-flight.ts";

/** A fetch whose calls are counted and finish only when released, returning the value at call time. */
function controlled() {
  let value = 0;
  const pending: Array<() => void> = [];
  const sf = new SingleFlight<number>(async () => {
    const seen = value;
    await new Promise<void>((r) => pending.push(r));
    return seen;
  });
  return {
    sf,
    set: (v: number) => (value = v),
    releaseAll: async () => {
      while (pending.length > 0) {
        pending.shift()!();
        await new Promise((r) => setTimeout(r, 0));
      }
    },
    calls: () => pending.length,
  };
}

it("shares one read among callers that arrive while it waits to start, never an older one", async () => {
  const c = controlled();
  const first = c.sf.get("k"); // starts read #1, which sees 0
  c.set(1); // a write lands after read #1 started
  const second = c.sf.get("k"); // must not get read #1's answer
  const third = c.sf.get("k"); // shares read #2 with `second`
  expect(c.calls()).toBe(1);
  await c.releaseAll();
  expect(await first).toBe(0);
  expect(await second).toBe(1);
  expect(await third).toBe(1);
});

it("starts afresh once idle, and keys are independent", async () => {
  const c = controlled();
  const a = c.sf.get("a");
  const b = c.sf.get("b");
  expect(c.calls()).toBe(2);
  await c.releaseAll();
  await Promise.all([a, b]);
  c.set(5);
  const again = c.sf.get("a");
  await c.releaseAll();
  expect(await again).toBe(5);
});

it("passes errors to the callers of that read only", async () => {
  let n = 0;
  const sf = new SingleFlight<number>(async () => {
    n++;
    if (n === 1) throw new Error("boom");
    return n;
  });
  const p1 = sf.get("k");
  const p2 = sf.get("k");
  await expect(p1).rejects.toThrow("boom");
  expect(await p2).toBe(2);
});
