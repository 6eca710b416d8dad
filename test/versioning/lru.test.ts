import { expect, it } from "vitest";
import { Lru } from "../../src/versioning/lru.ts";

it("keeps recently used entries and drops the oldest generation", () => {
  const c = new Lru<number, string>(4);
  c.set(1, "a");
  c.set(2, "b");
  c.set(3, "c"); // young was full: {1,2} became old
  expect(c.get(1)).toBe("a"); // moved back to young
  c.set(4, "d"); // young {3,1} full: becomes old, {2} dropped
  expect(c.get(2)).toBeUndefined();
  expect(c.get(1)).toBe("a");
  expect(c.get(3)).toBe("c");
  expect(c.get(4)).toBe("d");
});
