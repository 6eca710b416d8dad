import { randomUUID } from "node:crypto";
import { s3Endpoint } from "../definition.ts";
import { S3_SECRET } from "../render/objects.ts";
import { S3ObjectStore } from "../../storage/s3-object-store.ts";
import { type Check, errorText } from "./check.ts";

const decode = (b64: string | undefined) =>
  b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8");

/**
 * S3 at the configured endpoint with the configured keys (from the `floe-s3` secret): an object
 * written into the warehouse bucket, read back and deleted. "Access denied" is diagnosed.
 */
export const s3Check: Check = {
  id: "s3",
  title: "S3 reachable with the configured keys",
  async run(ctx) {
    const p = ctx.platform;
    if (!ctx.kube) return { status: "skip", detail: "no Kubernetes API to read the S3 keys from" };
    const secret = await ctx.kube.secret(p.cluster.namespace, S3_SECRET);
    const accessKeyId = decode(secret?.data?.["access-key"]);
    const secretAccessKey = decode(secret?.data?.["secret-key"]);
    if (!accessKeyId || !secretAccessKey)
      return { status: "skip", detail: `secret ${S3_SECRET} has no access-key/secret-key yet` };
    const endpoint = ctx.s3Endpoint ?? s3Endpoint(p);
    const store = new S3ObjectStore(`s3://${p.buckets.warehouse}`, {
      endpoint,
      region: p.objectStore.region,
      pathStyle: true,
      accessKeyId,
      secretAccessKey,
    });
    const path = `s3://${p.buckets.warehouse}/.floe-doctor/${randomUUID()}`;
    try {
      await store.put(path, new TextEncoder().encode("floe doctor"));
      const back = new TextDecoder().decode(await store.get(path));
      await store.delete(path);
      if (back !== "floe doctor")
        return { status: "fail", detail: `read back other bytes than written at ${path}` };
      return { status: "ok", detail: `put, get and delete in ${p.buckets.warehouse} at ${endpoint}` };
    } catch (e) {
      const text = errorText(e);
      const denied = /denied|forbidden|403|InvalidAccessKeyId|SignatureDoesNotMatch/i.test(text);
      return {
        status: "fail",
        detail: `${endpoint}: ${text}`,
        ...(denied
          ? {
              cause: `S3 access denied: the keys in ${S3_SECRET} (1Password item floe-s3) are not those of the object-store user ${p.objectStore.user}, or the bucket is not owned by it (bucketOwner refused by Rook)`,
              fix: `compare with kubectl -n ${p.objectStore.namespace} get secret rook-ceph-object-user-${p.objectStore.name}-${p.objectStore.user}; kubectl get cephobjectstoreuser -n ${p.objectStore.namespace}`,
            }
          : {
              cause: "the S3 endpoint is not reachable from here (objectStore.endpoint or --s3-endpoint)",
              fix: `kubectl -n ${p.objectStore.namespace} get svc | grep rgw`,
            }),
      };
    } finally {
      await store.close();
    }
  },
};
