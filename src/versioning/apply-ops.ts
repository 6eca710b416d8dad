import { type Conflict, FloeError, badRequest } from "../core/errors.ts";
import { checkContent, sameContent, withId } from "./content.ts";
import { checkKey, decodeKey, encodeKey, keyToString, prefixRange } from "./keys.ts";
import type { Content, ContentKey, Operation } from "./model.ts";
import type { StoredOp } from "./objects.ts";
import { TreeReader, type NodeLoader, TreeWriter } from "./tree.ts";

export interface AppliedOps {
  readonly tree: string | null;
  readonly stored: StoredOp[];
  readonly added: Array<{ key: ContentKey; contentId: string }>;
  readonly writer: TreeWriter;
}

const conflict = (conflictType: Conflict["conflictType"], key: ContentKey, message: string): Conflict => ({
  conflictType,
  key,
  message,
});

/**
 * Checks operations from outside: shape, keys, content. A key may appear once, or twice as a
 * DELETE plus a PUT (drop and re-create in one commit), as Nessie allows.
 */
export function checkOperations(ops: unknown): Operation[] {
  if (!Array.isArray(ops)) throw badRequest("operations must be an array");
  const seen = new Map<string, string>();
  return ops.map((op, i) => {
    if (op === null || typeof op !== "object") throw badRequest(`operation ${i} must be an object`);
    const o = op as Record<string, unknown>;
    const key = checkKey(o.key, `key of operation ${i}`);
    const k = encodeKey(key);
    const before = seen.get(k);
    const pair = before !== undefined && [before, o.type].sort().join("+") === "DELETE+PUT";
    if (before !== undefined && (!pair || before === "PAIR")) {
      throw badRequest(`key '${keyToString(key)}' appears in more than one operation`);
    }
    seen.set(k, pair ? "PAIR" : String(o.type));
    switch (o.type) {
      case "PUT":
        return { type: "PUT", key, content: checkContent(o.content, key) };
      case "DELETE":
        return { type: "DELETE", key };
      case "UNCHANGED":
        return { type: "UNCHANGED", key };
      default:
        throw badRequest(
          `operation ${i} has unknown type '${String(o.type)}'; expected PUT, DELETE or UNCHANGED`,
        );
    }
  });
}

/**
 * Applies checked operations to the head tree, as Nessie does: every touched key must have the
 * same value at `expectedTree` as at `headTree`; a PUT without id creates content (a PUT without id
 * on an existing key is a bad request), a PUT with id updates that content (same id, same type) or
 * moves it from a key deleted in the same commit; a DELETE needs the key; deletes apply before
 * puts; a namespace must exist above new content and cannot be deleted while it has children. All
 * conflicts are reported at once, at most one per key.
 */
export async function applyOperations(
  load: NodeLoader,
  headTree: string | null,
  expectedTree: string | null,
  ops: readonly Operation[],
): Promise<AppliedOps> {
  const reader = new TreeReader(load);
  const conflicts: Conflict[] = [];
  const conflicted = new Set<string>();
  const report = (c: Conflict) => {
    const k = encodeKey(c.key!);
    if (conflicted.has(k)) return;
    conflicted.add(k);
    conflicts.push(c);
  };
  const current = new Map<string, Content | undefined>();
  for (const op of ops) {
    const k = encodeKey(op.key);
    if (current.has(k)) continue;
    const head = await reader.get(headTree, k);
    current.set(k, head);
    if (expectedTree !== headTree) {
      const expected = await reader.get(expectedTree, k);
      if (!sameContent(expected, head)) {
        const name = keyToString(op.key);
        report(
          expected === undefined
            ? conflict("KEY_EXISTS", op.key, `key '${name}' was added since the expected hash`)
            : head === undefined
              ? conflict("KEY_DOES_NOT_EXIST", op.key, `key '${name}' was deleted since the expected hash`)
              : conflict(
                  "VALUE_DIFFERS",
                  op.key,
                  `values of existing and expected content for key '${name}' are different`,
                ),
        );
      }
    }
  }
  const deleted = new Set<string>();
  const deletedIds = new Set<string>();
  for (const op of ops) {
    const existing = current.get(encodeKey(op.key));
    if (op.type === "DELETE" && existing) {
      deleted.add(encodeKey(op.key));
      deletedIds.add(existing.id);
    }
  }

  const writer = new TreeWriter(load);
  let tree = headTree;
  const stored: StoredOp[] = [];
  const added: Array<{ key: ContentKey; contentId: string }> = [];
  const deletedNamespaces: ContentKey[] = [];
  for (const op of ops) {
    if (op.type !== "DELETE") continue;
    const k = encodeKey(op.key);
    const existing = current.get(k);
    if (!existing) {
      report(conflict("KEY_DOES_NOT_EXIST", op.key, `key '${keyToString(op.key)}' does not exist`));
      continue;
    }
    if (existing.type === "NAMESPACE") deletedNamespaces.push(op.key);
    tree = await writer.delete(tree, k);
    stored.push({ type: "DELETE", key: op.key });
  }
  for (const op of ops) {
    if (op.type !== "PUT") continue;
    const k = encodeKey(op.key);
    if (conflicted.has(k)) continue;
    const existing = deleted.has(k) ? undefined : current.get(k);
    const name = keyToString(op.key);
    const { content } = op;
    if (content.id === undefined) {
      if (existing) throw badRequest(`New value to update existing key '${name}' has no content ID`);
    } else if (existing) {
      if (existing.id !== content.id) {
        throw badRequest(
          `Content id '${content.id}' of the new value for key '${name}' does not match the existing content id '${existing.id}'`,
        );
      }
      if (existing.type !== content.type) {
        report(
          conflict("PAYLOAD_DIFFERS", op.key, `key '${name}' holds ${existing.type}, not ${content.type}`),
        );
        continue;
      }
    } else if (!deletedIds.has(content.id)) {
      throw badRequest(
        `Key '${name}' does not exist, but the new value has content id '${content.id}': new content must not have an id (a rename deletes the old key in the same commit)`,
      );
    }
    const value = withId(content, op.key);
    if (content.id === undefined) added.push({ key: op.key, contentId: value.id });
    tree = await writer.put(tree, k, value);
    stored.push({ type: "PUT", key: op.key, content: value });
  }

  // Namespaces: new content needs its parent namespace; a deleted namespace must be empty.
  for (const op of ops) {
    if (op.type !== "PUT" || op.key.length < 2) continue;
    const parent = op.key.slice(0, -1);
    const ns = await writer.get(tree, encodeKey(parent));
    if (!ns) {
      report(conflict("NAMESPACE_ABSENT", parent, `namespace '${keyToString(parent)}' must exist`));
    } else if (ns.type !== "NAMESPACE") {
      report(
        conflict(
          "NAMESPACE_NOT_NAMESPACE",
          parent,
          `'${keyToString(parent)}' is not a namespace but ${ns.type}`,
        ),
      );
    }
  }
  for (const ns of deletedNamespaces) {
    if (await writer.get(tree, encodeKey(ns))) continue; // re-created in this commit
    const { lo, hi } = prefixRange(ns);
    for await (const [child] of writer.range(tree, lo + "\u0000", hi)) {
      report(
        conflict(
          "NAMESPACE_NOT_EMPTY",
          ns,
          `namespace '${keyToString(ns)}' is not empty: it holds '${keyToString(decodeKey(child))}'`,
        ),
      );
      break;
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts);
  return { tree, stored, added, writer };
}

export function conflictError(conflicts: Conflict[]): FloeError {
  const msg = conflicts.map((c) => c.message).join("; ");
  return new FloeError(
    "REFERENCE_CONFLICT",
    `There are conflicts that prevent committing the provided operations: ${msg}.`,
    {
      conflicts,
    },
  );
}
